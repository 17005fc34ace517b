// Connection-state recovery across nodes ("roaming"), with the official socket.io-client over
// every transport mode: two cluster nodes behind a switchable TCP proxy (the load balancer), the
// scene of lib/roaming-scene.mjs (a roamer on node A through the proxy, a bystander of another
// user on node B, both in one room joined through the HTTP API).
//
// The roamer loses its transport, node A lets it go, the proxy is switched to node B; while it is
// away, 10 emits to its user and 10 to its room alternate between node A's and node B's HTTP
// APIs, with a broadcast and a batch through @socket.io/redis-emitter. It comes back through the
// proxy, so to node B: socket.recovered, the same sid, every emit exactly once in the order made,
// its rooms (a live emit to the room reaches it), then live traffic; the bystander gets the room's
// share only, once. Also: the same coming back to node A; the switch itself as the only cut
// (WebSocket); the recovered socket addressed by its sid through either node's API; and, on a
// cluster just started, an emitter's emit reaching a live client as soon as the nodes carry emits
// between them (the other tests wait for the emitter to be carried before they start).
// The refusals (a used pid, another user's pid, the window passed): gateway-recovery-roaming-refused.test.mjs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually, nextEvent } from './lib/clients.mjs';
import { uniqueUser, validToken } from './lib/gateway-api.mjs';
import { RoamingCluster, WEBSOCKET, accepted, emitted, payloads, settle, waitForEmitted } from './lib/roaming-scene.mjs';

let cluster;
const test = (name, body) => it(name, { timeout: scaled(60000) },
  withServerLog(() => cluster?.nodeB, withServerLog(() => cluster?.nodeA, body)));

before(async () => {
  cluster = await RoamingCluster.start({ name: 'roaming', windowMs: 20000 });
  await cluster.waitUntilEmittersReach();
});
after(async () => {
  await cluster?.stop();
});

for (const mode of TRANSPORT_MODES) {
  describe(`recovery through the balancer over ${mode.name}`, () => {
    test('coming back to node B: same sid, its rooms, every emit made through A, B and the emitter once and in order, then live', async () => {
      const scene = await cluster.scene(mode);
      try {
        await scene.cut();
        scene.moveToB();
        const sent = await scene.emitWhileAway();
        await scene.comeBack();
        assert.equal(scene.proxy.connectionsTo(cluster.nodeA.port), scene.forwardedToA, 'nothing reached node A after the switch');
        assert.ok(scene.proxy.connectionsTo(cluster.nodeB.port) > 0, 'the client came back through node B');
        assert.equal(scene.socket.recovered, true, 'recovered on node B');
        assert.equal(scene.socket.id, scene.sid, 'the same sid on node B');
        await scene.assertReplayThenLive(sent);
      } finally {
        await scene.close();
      }
    });

    test('coming back to node A (no switch): the same, on the node that held the socket', async () => {
      const scene = await cluster.scene(mode);
      try {
        await scene.cut();
        scene.proxy.dropAll(); // keep-alive connections go too, as after a lost network
        const sent = await scene.emitWhileAway();
        await scene.comeBack();
        assert.equal(scene.proxy.connectionsTo(cluster.nodeB.port), 0);
        assert.equal(scene.socket.recovered, true, 'recovered on node A');
        assert.equal(scene.socket.id, scene.sid);
        await scene.assertReplayThenLive(sent);
      } finally {
        await scene.close();
      }
    });
  });
}

for (const mode of TRANSPORT_MODES.filter((m) => m.finalTransport === 'websocket')) {
  describe(`the balancer's switch as the cut over ${mode.name}`, () => {
    test('destroying the connection is the only cut: node A lets the socket go, the client recovers on node B', async () => {
      const scene = await cluster.scene(mode);
      try {
        const disconnected = nextEvent(scene.socket, 'disconnect');
        assert.ok(scene.proxy.switchTo(cluster.nodeB.port) >= 1, 'the open WebSocket was destroyed');
        assert.equal((await disconnected)[0], 'transport close');
        await cluster.waitUntilGone(scene.user, scene.sid);
        const sent = await scene.emitWhileAway({ count: 3, extras: false });
        await scene.comeBack();
        assert.equal(scene.socket.recovered, true, 'recovered on node B');
        assert.equal(scene.socket.id, scene.sid);
        await scene.assertReplayThenLive(sent);
      } finally {
        await scene.close();
      }
    });
  });
}

describe('the recovered socket in the cluster', () => {
  test('after recovering on node B it is reachable by its sid through either node: rooms, join, leave', async () => {
    const { apiA, apiB } = cluster;
    const scene = await cluster.scene(WEBSOCKET);
    try {
      await scene.cut();
      scene.moveToB();
      await scene.comeBack();
      assert.equal(scene.socket.recovered, true, 'recovered on node B');
      const answers = [];
      for (const [node, api] of [['a', apiA], ['b', apiB]]) {
        const rooms = await api.socketRooms(scene.sid);
        answers.push({ node, status: rooms.status, rooms: rooms.body.rooms?.toSorted() ?? rooms.body });
      }
      const expected = [`user:${scene.user}`, scene.room].sort();
      assert.deepEqual(answers, [{ node: 'a', status: 200, rooms: expected }, { node: 'b', status: 200, rooms: expected }],
        `GET /api/v1/sockets/${scene.sid}/rooms through each node`);
      const extra = `extra-${randomUUID().slice(0, 8)}`;
      assert.equal((await apiA.joinRoom(scene.sid, extra)).status, 200, 'join through node A');
      accepted(await apiA.emitToRoom(extra, 'notice', 'extra'), 'emit to the joined room');
      await waitForEmitted(scene.notices, 1, 'the notice to the room joined through node A');
      assert.equal((await apiA.leaveRoom(scene.sid, scene.room)).status, 200, 'leave through node A');
      accepted(await apiB.emitToRoom(scene.room, 'notice', 'left'), 'emit to the room left');
      accepted(await apiB.emitToUser(scene.user, 'notice', 'user'), 'emit to the user');
      await waitForEmitted(scene.notices, 2, 'the notice to the user');
      await settle();
      assert.deepEqual(emitted(scene.notices), ['extra', 'user']);
    } finally {
      await scene.close();
    }
  });
});

describe('external emitters from the start', () => {
  test("an emitter's emit made once the nodes carry emits between them reaches a live client", async () => {
    const fresh = await RoamingCluster.start({ name: 'roaming-fresh', windowMs: 20000 });
    const group = new ClientGroup(fresh.nodeB.url);
    try {
      const socket = await group.connect({ mode: WEBSOCKET, auth: { token: validToken(uniqueUser('early')) } });
      const notices = new EventLog(socket, 'notice');
      await eventually(async () => {
        accepted(await fresh.apiA.broadcast('notice', 'through node A'), 'broadcast through node A');
        await settle();
        return notices.received.length > 0;
      }, 'a broadcast through node A reaches the client on node B');
      fresh.emitter.emit('notice', 'through the emitter');
      await fresh.redisClient.ping();
      await eventually(() => payloads(notices).includes('through the emitter'),
        "the emitter's broadcast, made once, reaches the client", scaled(3000));
    } finally {
      group.closeAll();
      await fresh.stop();
    }
  });
});
