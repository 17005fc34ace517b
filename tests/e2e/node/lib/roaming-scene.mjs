// The stage of the cross-node recovery tests (gateway-recovery-roaming*.test.mjs): two cluster
// nodes (ids a and b) sharing a private Redis, an @socket.io/redis-emitter on that Redis, and per
// test a Scene: a SwitchableProxy in front of the nodes as the load balancer, the roamer (a client
// of one user reaching node A through the proxy) and the bystander (a client of another user on
// node B), both joined to one room through the HTTP API, every subscription proven by a probe.
//
// A Scene plays the moves of a roaming phone: cut() (the transport is lost without a Socket.IO
// DISCONNECT, and the cluster lets the socket go), moveToB() (the balancer switches), the emits
// made while away, comeBack() through the proxy, and the checks on what each client received.
// Probes ({probe: id} payloads) prove subscriptions; emitted() leaves them out, since one still in
// flight at the cut may legitimately be replayed. Every wait is bounded (scaled()).
// Single-threaded (the Node event loop).
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Emitter } from '@socket.io/redis-emitter';
import { createClient } from 'redis';
import { startGateway, startRedis, scaled } from './server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually, waitForConnect, waitForUpgrade } from './clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './gateway-api.mjs';
import { SwitchableProxy } from './switchable-proxy.mjs';

export const WEBSOCKET = TRANSPORT_MODES.find((mode) => mode.name === 'websocket');
export const POLLING = TRANSPORT_MODES.find((mode) => mode.name === 'polling');

/** Each event's first argument, in arrival order. */
export const payloads = (log) => log.received.map((args) => args[0]);
const isProbe = (payload) => typeof payload === 'object' && payload !== null && 'probe' in payload;
/** The payloads received, without the probes. */
export const emitted = (log) => payloads(log).filter((payload) => !isProbe(payload));
/** Waits until `log` has at least `count` payloads other than probes. */
export const waitForEmitted = (log, count, what) => eventually(() => emitted(log).length >= count,
  `${count} ${what} (have ${emitted(log).length}: ${JSON.stringify(emitted(log))})`, scaled(5000));
/** Time for a duplicate or a stray packet to show up before a test asserts on what arrived. */
export const settle = () => sleep(scaled(300));

/** Payloads as sorted JSON texts: compares what arrived, and how often, whatever the order. */
const inAnyOrder = (list) => list.map((payload) => JSON.stringify(payload)).sort();

/** Asserts an emit was accepted (202). */
export function accepted(response, what) {
  assert.equal(response.status, 202, `${what}: ${JSON.stringify(response.body)}`);
}

/**
 * Emits probes until one reaches `log` (a node subscribes to a room's channel an instant after
 * the join, and an emit published through another node in that instant does not arrive).
 */
async function probeUntilDelivered(emit, log, what) {
  const deadline = Date.now() + scaled(5000);
  while (Date.now() < deadline) {
    const id = randomUUID();
    accepted(await emit({ probe: id }), what);
    try {
      await eventually(() => payloads(log).some((payload) => payload?.probe === id), what, scaled(250));
      return;
    } catch {
      // not subscribed yet: another probe
    }
  }
  throw new Error(`${what}: no probe arrived within ${scaled(5000)} ms`);
}

/** Polling clients keep their HTTP connections alive, as browsers do: the switch must cut those too. */
const clientOptions = (mode, agent) => (mode.name === 'websocket' ? {} : { agent });

/** Nodes a and b, their Redis and an emitter on it. */
export class RoamingCluster {
  /** Starts Redis, then both nodes with recovery on for `windowMs` (scaled); on a failure, stops what it started. */
  static async start({ name, windowMs }) {
    const cluster = new RoamingCluster();
    try {
      cluster.redis = await startRedis({ name: `${name}-redis` });
      const common = ['--redis-url', cluster.redis.redisUrl, '--recovery-max-disconnection', String(scaled(windowMs))];
      cluster.nodeA = await startGateway({ name: `${name}-node-a`, extraArgs: [...common, '--node-id', 'a'] });
      cluster.nodeB = await startGateway({ name: `${name}-node-b`, extraArgs: [...common, '--node-id', 'b'] });
      cluster.apiA = new GatewayApi(cluster.nodeA.url);
      cluster.apiB = new GatewayApi(cluster.nodeB.url);
      cluster.redisClient = createClient({ url: cluster.redis.redisUrl });
      cluster.redisClient.on('error', (error) => process.stderr.write(`emitter's redis client: ${error.message}\n`));
      await cluster.redisClient.connect();
      cluster.emitter = new Emitter(cluster.redisClient);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /**
   * Resolves once a client on each node receives a broadcast made through the emitter (the one
   * event name `emitter-ready`; bounded). The tests of the roaming scene start from a cluster that
   * carries external emits; whether one carries them from its first moment is a test of its own.
   */
  async waitUntilEmittersReach() {
    const groups = [this.nodeA, this.nodeB].map((node) => new ClientGroup(node.url));
    try {
      const logs = [];
      for (const group of groups) {
        const socket = await group.connect({ mode: WEBSOCKET, auth: { token: validToken(uniqueUser('ready')) } });
        logs.push(new EventLog(socket, 'emitter-ready'));
      }
      await eventually(async () => {
        this.emitter.emit('emitter-ready', randomUUID());
        await this.redisClient.ping();
        await sleep(scaled(100));
        return logs.every((log) => log.received.length > 0);
      }, "an emitter's broadcast reaches a client on each node", scaled(10000));
    } finally {
      for (const group of groups) group.closeAll();
    }
  }

  /** Stops whatever start() got to start. */
  async stop() {
    if (this.redisClient?.isOpen) await this.redisClient.quit().catch(() => {});
    await this.nodeA?.stop();
    await this.nodeB?.stop();
    await this.redis?.stop();
  }

  /** Waits until no node lists `sid` among `user`'s sockets any more. */
  async waitUntilGone(user, sid) {
    await eventually(async () => {
      const sockets = await this.apiA.userSockets(user);
      return sockets.status === 200 && !sockets.body.sids.includes(sid);
    }, `the cluster let ${sid} go`);
  }

  /** A new Scene over `mode`, its clients connected and subscribed. */
  async scene(mode) {
    const scene = new Scene(this, mode, await SwitchableProxy.start(this.nodeA.port));
    try {
      await scene.setUp();
      return scene;
    } catch (error) {
      await scene.close();
      throw error;
    }
  }
}

export class Scene {
  constructor(cluster, mode, proxy) {
    Object.assign(this, { cluster, mode, proxy });
    this.agent = new http.Agent({ keepAlive: true });
    this.throughProxy = new ClientGroup(proxy.url);
    this.onB = new ClientGroup(cluster.nodeB.url);
    this.user = uniqueUser('roamer');
    this.other = uniqueUser('bystander');
    this.room = `team-${randomUUID().slice(0, 8)}`;
  }

  async setUp() {
    const { apiA, apiB } = this.cluster;
    this.socket = await this.throughProxy.connect({ mode: this.mode, auth: { token: validToken(this.user) },
      options: clientOptions(this.mode, this.agent) });
    this.notices = new EventLog(this.socket, 'notice');
    this.sid = this.socket.id;
    assert.match(this.sid, /^a-/, 'the proxy sends the client to node A first');
    this.bystander = await this.onB.connect({ mode: WEBSOCKET, auth: { token: validToken(this.other) } });
    this.bystanderNotices = new EventLog(this.bystander, 'notice');
    assert.equal((await apiA.joinRoom(this.sid, this.room)).status, 200);
    assert.equal((await apiB.joinRoom(this.bystander.id, this.room)).status, 200);
    await probeUntilDelivered((p) => apiB.emitToUser(this.user, 'notice', p), this.notices,
      'an emit to the user through node B reaches the roamer on node A');
    await probeUntilDelivered((p) => apiB.emitToRoom(this.room, 'notice', p), this.notices,
      'an emit to the room through node B reaches the roamer on node A');
    await probeUntilDelivered((p) => apiA.emitToRoom(this.room, 'notice', p), this.bystanderNotices,
      'an emit to the room through node A reaches the bystander on node B');
  }

  /** Closes every client, the proxy and the keep-alive agent. */
  async close() {
    this.throughProxy.closeAll();
    this.onB.closeAll();
    await this.proxy.close();
    this.agent.destroy();
  }

  /** The roamer loses its transport (no DISCONNECT packet) and the cluster lets its socket go. */
  async cut() {
    this.offsetAtCut = this.socket._lastOffset;
    this.socket.io.engine.close();
    await this.cluster.waitUntilGone(this.user, this.sid);
  }

  /** The balancer moves the client: new connections go to node B, open ones are destroyed. */
  moveToB() {
    this.proxy.switchTo(this.cluster.nodeB.port);
    this.forwardedToA = this.proxy.connectionsTo(this.cluster.nodeA.port);
    // The keep-alive agent forgets the connections the switch cut, so no request of the
    // comeback is written to one of them before its close is noticed (it would never be answered).
    this.agent.destroy();
  }

  /** The roamer reconnects through the proxy, presenting its pid and last offset. */
  async comeBack() {
    this.socket.connect();
    await waitForConnect(this.socket);
    if (this.mode.upgrades) await waitForUpgrade(this.socket);
  }

  /**
   * The emitter's batch — the user's room, the room, both (once for a member of both), everyone —
   * then waits until the bystander (a live client) has the last one, so that the emits after it
   * come after the batch in the cluster's order. Returns the payloads in emit order.
   */
  async emitThroughEmitter() {
    const { emitter, redisClient } = this.cluster;
    const batch = [
      [[`user:${this.user}`], { to: 'user', via: 'emitter' }],
      [[this.room], { to: 'room', via: 'emitter' }],
      [[`user:${this.user}`, this.room], { to: 'user+room', via: 'emitter' }],
      [[], { to: 'all', via: 'emitter' }],
    ];
    for (const [rooms, payload] of batch) (rooms.length ? emitter.to(rooms) : emitter).emit('notice', payload);
    await redisClient.ping(); // Redis answers in order: every PUBLISH above has been processed
    await eventually(() => payloads(this.bystanderNotices).some((p) => p?.via === 'emitter' && p.to === 'all'),
      "the emitter's broadcast reached the bystander");
    return batch.map(([, payload]) => payload);
  }

  /**
   * While the roamer is away: `count` emits to its user and `count` to its room, alternating
   * between node A's and node B's APIs; with `extras`, also a broadcast through B and the
   * emitter's batch. Returns the payloads in emit order.
   */
  async emitWhileAway({ count = 10, extras = true } = {}) {
    const { apiA, apiB } = this.cluster;
    const sent = [];
    for (let n = 0; n < count; n += 1) {
      const [userApi, userVia] = n % 2 === 0 ? [apiA, 'a'] : [apiB, 'b'];
      const [roomApi, roomVia] = n % 2 === 0 ? [apiB, 'b'] : [apiA, 'a'];
      const toUser = { to: 'user', via: userVia, n };
      accepted(await userApi.emitToUser(this.user, 'notice', toUser), 'emit to the user');
      sent.push(toUser);
      const toRoom = { to: 'room', via: roomVia, n };
      accepted(await roomApi.emitToRoom(this.room, 'notice', toRoom), 'emit to the room');
      sent.push(toRoom);
      if (extras && n === Math.floor(count / 2)) sent.push(...await this.emitThroughEmitter());
      if (extras && n === count - 2) {
        const toAll = { to: 'all', via: 'b', n };
        accepted(await apiB.broadcast('notice', toAll), 'broadcast');
        sent.push(toAll);
      }
    }
    return sent;
  }

  /**
   * After the roamer is back: live emits made at once, before the replay may have arrived, come
   * after everything missed; the room's emit proves the room is back. The roamer and the
   * bystander (another user: the room's emits and the broadcasts only) each get their share, once.
   *
   * The order: an HTTP emit is answered 202 once accepted, before Redis has put it in the
   * cluster's order, so two emits made one after the other through different nodes may swap.
   * What must hold is one order for everyone — what the roamer and the bystander (connected all
   * along) both received, they received in the same order — and the order in which each node
   * (and the emitter) made its own emits.
   */
  async assertReplayThenLive(sent) {
    const { apiA, apiB } = this.cluster;
    const live = [{ live: 'user', via: 'b' }, { live: 'room', via: 'a' }];
    accepted(await apiB.emitToUser(this.user, 'notice', live[0]), 'live emit to the user');
    accepted(await apiA.emitToRoom(this.room, 'notice', live[1]), 'live emit to the room');
    await waitForEmitted(this.notices, sent.length + live.length, 'notices on the roamer');
    const bystanderExpected = [...sent.filter((payload) => payload.to !== 'user'), live[1]];
    await waitForEmitted(this.bystanderNotices, bystanderExpected.length, 'notices on the bystander');
    await settle();
    const roamer = emitted(this.notices);
    const bystander = emitted(this.bystanderNotices);
    assert.deepEqual(inAnyOrder(roamer), inAnyOrder([...sent, ...live]),
      'every missed emit and the live ones, each exactly once (order aside)');
    assert.deepEqual(inAnyOrder(bystander), inAnyOrder(bystanderExpected),
      "the bystander gets the room's emits and the broadcasts, each once, and none of the user's (order aside)");
    assert.deepEqual(inAnyOrder(roamer.slice(sent.length)), inAnyOrder(live),
      'the live emits come after everything missed');
    for (const via of ['a', 'b', 'emitter']) {
      const made = [...sent, ...live].filter((payload) => payload.via === via);
      assert.deepEqual(roamer.filter((payload) => payload.via === via), made,
        `the roamer gets what went through ${via} in the order it was made`);
    }
    const shared = new Set(bystander.map((payload) => JSON.stringify(payload)));
    assert.deepEqual(roamer.filter((payload) => shared.has(JSON.stringify(payload))), bystander,
      'the replay follows the order in which a client connected all along received the same emits');
  }

  /**
   * A new client in `group` presenting `pid` and `offset` in its CONNECT (socket.io-client merges
   * auth over them) with a token for `user`. Resolves once connected, with its notice log.
   */
  async connectWithPid(group, { user, pid, offset }) {
    const socket = group.open({ mode: this.mode, auth: { token: validToken(user), pid, offset },
      options: clientOptions(this.mode, this.agent) });
    socket._pid = pid; // so that socket.recovered says whether the server answered with this pid
    const notices = new EventLog(socket, 'notice');
    await waitForConnect(socket);
    if (this.mode.upgrades) await waitForUpgrade(socket);
    return { socket, notices };
  }
}
