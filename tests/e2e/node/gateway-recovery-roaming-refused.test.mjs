// Connection-state recovery across nodes, the refusals, with the official socket.io-client over
// WebSocket and polling: two cluster nodes behind a switchable TCP proxy, the scene of
// lib/roaming-scene.mjs (a roamer on node A through the proxy, a bystander on node B, one room).
//
// A pid serves once: after the roamer recovered on node B, a client presenting the same pid (and
// the offset it had at the cut) gets a fresh session on B and on A, with nothing replayed, and
// the recovered socket keeps its traffic. Another user presenting the roamer's pid gets a fresh
// session on B, none of the roamer's rooms or packets, and the roamer still recovers on B
// afterwards. Past the window, the roamer coming back to B gets a fresh session: a new sid, its
// user room only, nothing replayed. The recoveries themselves: gateway-recovery-roaming.test.mjs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup } from './lib/clients.mjs';
import { uniqueUser } from './lib/gateway-api.mjs';
import { POLLING, RoamingCluster, WEBSOCKET, accepted, emitted, payloads, settle,
  waitForEmitted } from './lib/roaming-scene.mjs';

const WINDOW_MS = 4000;
let cluster;
const test = (name, body) => it(name, { timeout: scaled(60000) },
  withServerLog(() => cluster?.nodeB, withServerLog(() => cluster?.nodeA, body)));

before(async () => {
  cluster = await RoamingCluster.start({ name: 'roaming-refused', windowMs: WINDOW_MS });
});
after(async () => {
  await cluster?.stop();
});

for (const mode of [WEBSOCKET, POLLING]) {
  describe(`recovery refused across nodes over ${mode.name}`, () => {
    test('a pid serves once: after the recovery on node B the same pid gets a fresh session on B and on A', async () => {
      const { apiA, apiB } = cluster;
      const scene = await cluster.scene(mode);
      const direct = new ClientGroup(cluster.nodeA.url);
      try {
        await scene.cut();
        scene.moveToB();
        accepted(await apiA.emitToUser(scene.user, 'notice', 'missed'), 'emit while away');
        await scene.comeBack();
        assert.equal(scene.socket.recovered, true, 'recovered on node B');
        assert.equal(scene.socket.id, scene.sid);
        await waitForEmitted(scene.notices, 1, 'the missed notice');
        accepted(await apiB.emitToUser(scene.user, 'notice', 'after'), 'live emit');
        await waitForEmitted(scene.notices, 2, 'the live notice');

        const pid = scene.socket._pid;
        for (const [node, group] of [['b', scene.throughProxy], ['a', direct]]) {
          const forged = await scene.connectWithPid(group, { user: scene.user, pid, offset: scene.offsetAtCut });
          assert.equal(forged.socket.recovered, false, `the used pid on node ${node}`);
          assert.notEqual(forged.socket.id, scene.sid);
          assert.match(forged.socket.id, new RegExp(`^${node}-`), `a fresh session on node ${node}`);
          await settle();
          assert.deepEqual(payloads(forged.notices), [], `nothing replayed on node ${node}`);
        }

        assert.equal(scene.socket.connected, true, 'the recovered socket stays connected');
        accepted(await apiA.emitToRoom(scene.room, 'notice', 'room after'), 'live emit to the room');
        await waitForEmitted(scene.notices, 3, 'the live room notice');
        await settle();
        assert.deepEqual(emitted(scene.notices), ['missed', 'after', 'room after']);
      } finally {
        direct.closeAll();
        await scene.close();
      }
    });

    test("another user's pid gets a fresh session and none of their packets; the owner then recovers on node B", async () => {
      const { apiA, apiB } = cluster;
      const scene = await cluster.scene(mode);
      try {
        await scene.cut();
        scene.moveToB();
        const sent = [{ to: 'user', via: 'a' }, { to: 'room', via: 'b' }];
        accepted(await apiA.emitToUser(scene.user, 'notice', sent[0]), 'emit to the owner');
        accepted(await apiB.emitToRoom(scene.room, 'notice', sent[1]), 'emit to the room');

        const thief = uniqueUser('thief');
        const intruder = await scene.connectWithPid(scene.throughProxy,
          { user: thief, pid: scene.socket._pid, offset: scene.offsetAtCut });
        assert.equal(intruder.socket.recovered, false);
        assert.notEqual(intruder.socket.id, scene.sid);
        assert.match(intruder.socket.id, /^b-/, 'a fresh session on node B');
        const rooms = await apiB.socketRooms(intruder.socket.id);
        assert.equal(rooms.status, 200);
        assert.deepEqual(rooms.body.rooms, [`user:${thief}`], "none of the owner's rooms");
        await settle();
        assert.deepEqual(payloads(intruder.notices), [], "none of the owner's packets");

        await scene.comeBack();
        assert.equal(scene.socket.recovered, true, 'the owner still recovers on node B');
        assert.equal(scene.socket.id, scene.sid);
        await waitForEmitted(scene.notices, 2, "the owner's missed notices");
        await settle();
        assert.deepEqual(emitted(scene.notices), sent);
        assert.deepEqual(payloads(intruder.notices), []);
      } finally {
        await scene.close();
      }
    });

    test('past the window the client gets a fresh session on node B: its user room, not its old room, nothing replayed', async () => {
      const { apiA, apiB } = cluster;
      const scene = await cluster.scene(mode);
      try {
        await scene.cut();
        scene.moveToB();
        accepted(await apiA.emitToUser(scene.user, 'notice', { to: 'user', late: true }), 'emit to the user');
        accepted(await apiB.emitToRoom(scene.room, 'notice', { to: 'room', late: true }), 'emit to the room');
        await sleep(scaled(WINDOW_MS) + scaled(500));
        await scene.comeBack();
        assert.equal(scene.socket.recovered, false);
        assert.notEqual(scene.socket.id, scene.sid);
        assert.match(scene.socket.id, /^b-/, 'a fresh session on node B');
        const rooms = await apiB.socketRooms(scene.socket.id);
        assert.equal(rooms.status, 200);
        assert.deepEqual(rooms.body.rooms, [`user:${scene.user}`]);
        accepted(await apiB.emitToRoom(scene.room, 'notice', 'room, not for the newcomer'), 'emit to the old room');
        accepted(await apiB.emitToUser(scene.user, 'notice', 'fresh'), 'emit to the user');
        await waitForEmitted(scene.notices, 1, 'the fresh notice');
        await settle();
        assert.deepEqual(emitted(scene.notices), ['fresh'], 'nothing replayed, and the old room is left');
      } finally {
        await scene.close();
      }
    });
  });
}
