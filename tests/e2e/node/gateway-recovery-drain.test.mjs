// A rolling deploy with connection-state recovery: node A of a two-node cluster is drained
// (SIGTERM) while a client reaches it through the balancer (a switchable TCP proxy that already
// sends new connections to node B, as a balancer does once node A's health check says
// "draining"). Node A sends no Socket.IO DISCONNECT: the client sees "transport close",
// reconnects by itself, lands on node B and recovers — the same sid, its room, and every emit
// made through node B while it was away or reconnecting, once and in order; node A exits 0.
// One cluster per transport mode, since each test ends a node. Over WebSocket and the upgraded
// mode: a long-polling client drained this way once waited 25 s without noticing (sanitizer
// build only) — an open finding, see docs/recovery.md.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { withServerLog, scaled } from './lib/server-process.mjs';
import { TRANSPORT_MODES, eventually } from './lib/clients.mjs';
import { RoamingCluster, accepted, emitted, settle, waitForEmitted } from './lib/roaming-scene.mjs';

let cluster;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});
const test = (name, body) => it(name, { timeout: scaled(60000) },
  withServerLog(() => cluster?.nodeB, withServerLog(() => cluster?.nodeA, body)));

describe('draining a node with recovery on', () => {
  for (const mode of TRANSPORT_MODES.filter((candidate) => candidate.name !== 'polling')) {
    test(`the client reconnects to the other node and recovers (${mode.name})`, async () => {
      cluster = await RoamingCluster.start({ name: `drain-${mode.name}`, windowMs: 20000 });
      const scene = await cluster.scene(mode);
      try {
        // As an application's client: it reconnects by itself (the test clients do not by default).
        scene.socket.io.reconnection(true).reconnectionDelay(100).reconnectionDelayMax(500);
        const reasons = [];
        scene.socket.on('disconnect', (reason) => reasons.push(reason));
        scene.proxy.backendPort = cluster.nodeB.port; // the balancer takes node A out of rotation
        const before = { to: 'user', via: 'b', n: 'before' };
        accepted(await cluster.apiB.emitToUser(scene.user, 'notice', before), 'emit before the drain');
        await waitForEmitted(scene.notices, 1, 'the emit before the drain');

        const stopping = cluster.nodeA.stop();
        await eventually(() => reasons.length > 0, 'the client notices node A going away', scaled(5000));
        const sent = [before];
        for (let n = 0; n < 5; n += 1) {
          const toUser = { to: 'user', via: 'b', n };
          accepted(await cluster.apiB.emitToUser(scene.user, 'notice', toUser), 'emit to the user');
          const toRoom = { to: 'room', via: 'b', n };
          accepted(await cluster.apiB.emitToRoom(scene.room, 'notice', toRoom), 'emit to the room');
          sent.push(toUser, toRoom);
        }
        assert.deepEqual(await stopping, { code: 0, signal: null }, 'node A exits cleanly');
        await eventually(() => scene.socket.connected, 'the client is connected again', scaled(10000));

        assert.deepEqual(reasons, ['transport close'], 'no DISCONNECT from the drained node');
        assert.equal(scene.socket.recovered, true, 'the session is recovered on node B');
        assert.equal(scene.socket.id, scene.sid);
        const live = { to: 'room', via: 'b', n: 'live' };
        accepted(await cluster.apiB.emitToRoom(scene.room, 'notice', live), 'live emit to the room');
        await waitForEmitted(scene.notices, sent.length + 1, 'notices on the client');
        await settle();
        assert.deepEqual(emitted(scene.notices), [...sent, live], 'every emit once, in the order made, then live');
      } finally {
        await scene.close();
      }
    });
  }
});
