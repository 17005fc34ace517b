// Connection-state recovery in cluster mode: two standalone nodes sharing a private Redis,
// driven by the official socket.io-client. A client on node A loses its transport; emits for it
// are made through node B's HTTP API (they reach A through Redis) and through A's; it comes back
// to A and recovers all of them exactly once (in order per emitting node). Recovery in cluster
// mode needs Redis: with Redis stopped while the client is away (and back, empty, before it
// returns), the client gets a fresh session in its user room; meanwhile node A still delivers
// its own emits to its connected clients (live, not recoverable), and once Redis is back node B's
// emits reach them again. Coming back to another node: gateway-recovery-roaming.test.mjs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, startRedis, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually, waitForConnect } from './lib/clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './lib/gateway-api.mjs';

let redis;
let nodeA;
let nodeB;
let apiA;
let apiB;
const test = (name, body) => it(name, withServerLog(() => nodeA, body));

before(async () => {
  redis = await startRedis({ name: 'recovery-cluster-redis' });
  const common = ['--redis-url', redis.redisUrl, '--recovery-max-disconnection', String(scaled(20000))];
  nodeA = await startGateway({ name: 'recovery-node-a', extraArgs: [...common, '--node-id', 'a'] });
  nodeB = await startGateway({ name: 'recovery-node-b', extraArgs: [...common, '--node-id', 'b'] });
  apiA = new GatewayApi(nodeA.url);
  apiB = new GatewayApi(nodeB.url);
});
after(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await redis?.stop();
});

/** The payloads received, without the "hello" probes (one still in flight at the cut is replayed too). */
const emitted = (notices) => notices.received.map((args) => args[0]).filter((payload) => payload !== 'hello');

/** Waits until `count` payloads other than the probes have arrived. */
const waitForEmitted = (notices, count) => eventually(() => emitted(notices).length >= count,
  `${count} emitted notices (have ${emitted(notices).length})`, scaled(5000));

async function connectAndCut(group, user) {
  const socket = await group.connect({ mode: TRANSPORT_MODES[1], auth: { token: validToken(user) } });
  const notices = new EventLog(socket, 'notice');
  const sid = socket.id;
  // A first event through the other node proves the room subscription is in place.
  await eventually(async () => {
    await apiB.emitToUser(user, 'notice', 'hello');
    return notices.received.length > 0;
  }, 'an emit through node B reaches the client on node A');
  socket.io.engine.close();
  await eventually(async () => {
    const sockets = await apiA.userSockets(user);
    return sockets.status === 200 && !sockets.body.sids.includes(sid);
  }, `node A let ${sid} go`);
  return { socket, notices, sid };
}

describe('recovery across a cluster', () => {
  test('emits through the other node and through this one are replayed once when the client comes back', async () => {
    const group = new ClientGroup(nodeA.url);
    try {
      const user = uniqueUser('roamer');
      const { socket, notices, sid } = await connectAndCut(group, user);
      for (let n = 0; n < 5; n += 1) {
        assert.equal((await apiB.emitToUser(user, 'notice', { via: 'b', n })).status, 202);
        assert.equal((await apiA.emitToUser(user, 'notice', { via: 'a', n })).status, 202);
      }
      // Node A has logged B's emits once they arrived through Redis.
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.connect();
      await waitForConnect(socket);
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, sid);
      await waitForEmitted(notices, 10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const replayed = emitted(notices);
      assert.equal(replayed.length, 10, JSON.stringify(replayed));
      for (const via of ['a', 'b']) {
        assert.deepEqual(replayed.filter((p) => p.via === via).map((p) => p.n), [0, 1, 2, 3, 4], `from node ${via}`);
      }
    } finally {
      group.closeAll();
    }
  });

  test('with Redis down while the client is away and back before it returns: a fresh session in its user room; node A served its connected clients meanwhile', async () => {
    const group = new ClientGroup(nodeA.url);
    try {
      const user = uniqueUser('outage');
      const neighbourUser = uniqueUser('neighbour');
      const neighbour = await group.connect({ mode: TRANSPORT_MODES[1], auth: { token: validToken(neighbourUser) } });
      const neighbourNotices = new EventLog(neighbour, 'notice');
      const { socket, notices, sid } = await connectAndCut(group, user);
      await redis.stop();
      for (const api of [apiA, apiB]) {
        await eventually(async () => (await api.request('GET', '/healthz')).body.redis === 'disconnected',
          `${api.baseUrl} sees Redis gone`);
      }
      const live = [];
      for (let n = 0; n < 3; n += 1) {
        assert.equal((await apiA.emitToUser(user, 'notice', { n, during: 'outage' })).status, 202);
        assert.equal((await apiA.emitToUser(neighbourUser, 'notice', { n, live: true })).status, 202);
        live.push({ n, live: true });
      }
      await waitForEmitted(neighbourNotices, 3);
      assert.deepEqual(emitted(neighbourNotices), live, "node A's emits reach its connected clients without Redis");

      redis = await startRedis({ name: 'recovery-cluster-redis-again', port: redis.port });
      for (const api of [apiA, apiB]) {
        await eventually(async () => (await api.request('GET', '/healthz')).body.redis === 'connected',
          `${api.baseUrl} is back on Redis`, scaled(15000));
      }
      await eventually(async () => {
        await apiB.emitToUser(neighbourUser, 'notice', 'hello');
        return neighbourNotices.received.length > live.length;
      }, "once Redis is back, node B's emits reach the client on node A again", scaled(10000));

      socket.connect();
      await waitForConnect(socket);
      assert.equal(socket.recovered, false, 'no recovery: the session could not be kept without Redis');
      assert.notEqual(socket.id, sid);
      const rooms = await apiA.socketRooms(socket.id);
      assert.equal(rooms.status, 200);
      assert.deepEqual(rooms.body.rooms, [`user:${user}`]);
      const receivedBefore = notices.received.length;
      await eventually(async () => {
        await apiB.emitToUser(user, 'notice', 'hello');
        return notices.received.length > receivedBefore;
      }, 'an emit through node B reaches the fresh session in its user room', scaled(5000));
      await new Promise((resolve) => setTimeout(resolve, scaled(300)));
      assert.deepEqual(emitted(notices), [], 'nothing emitted during the outage is replayed');
    } finally {
      group.closeAll();
    }
  });
});
