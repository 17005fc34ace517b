// Conformance server: namespace multiplexing and rooms through the library's C++ API, every mode.
//
// `/` and `/custom` connect on one Manager (one Engine.IO connection) and each gets its own
// `auth` and its own echoes; `join` acks true and `to-room` reaches the room's members only. The
// negative ("the outsider got nothing") is proven by a round trip on the outsider after the
// members received: a `message` echo the server sends after it already queued the room message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConformanceServer, withServerLog, scaled } from './lib/server-process.mjs';
import {
  ClientGroup, EventLog, TRANSPORT_MODES, nextEvent, waitForConnect, waitForUpgrade,
} from './lib/clients.mjs';

let server;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startConformanceServer({ name: 'conformance-namespaces-rooms' });
});
after(async () => {
  await server?.stop();
});

/** Sends `message` and waits for its `message-back`: everything queued before it has arrived. */
async function echoRoundTrip(socket, marker) {
  const echoed = nextEvent(socket, 'message-back');
  socket.emit('message', marker);
  assert.deepEqual(await echoed, [marker]);
}

for (const mode of TRANSPORT_MODES) {
  describe(`conformance namespaces and rooms over ${mode.name}`, () => {
    test('/ and /custom share one connection and keep their own events', async () => {
      const group = new ClientGroup(server.url);
      try {
        const manager = group.manager({ mode });
        const root = manager.socket('/', { auth: { which: 'root' } });
        const custom = manager.socket('/custom', { auth: { which: 'custom' } });
        const rootAuth = new EventLog(root, 'auth');
        const customAuth = new EventLog(custom, 'auth');
        await Promise.all([waitForConnect(root), waitForConnect(custom)]);
        if (mode.upgrades) await waitForUpgrade(root);
        assert.equal(root.io, custom.io, 'both namespaces ride one Manager');
        assert.equal(manager.engine.transport.name, mode.finalTransport);
        assert.notEqual(root.id, custom.id, 'each namespace has its own socket id');

        assert.deepEqual(await rootAuth.waitForCount(1), [[{ which: 'root' }]]);
        assert.deepEqual(await customAuth.waitForCount(1), [[{ which: 'custom' }]]);

        const rootEchoes = new EventLog(root, 'message-back');
        const customEchoes = new EventLog(custom, 'message-back');
        custom.emit('message', 'to custom');
        root.emit('message', 'to root');
        assert.deepEqual(await customEchoes.waitForCount(1), [['to custom']]);
        assert.deepEqual(await rootEchoes.waitForCount(1), [['to root']]);
        assert.deepEqual(await custom.timeout(scaled(5000)).emitWithAck('message-with-ack', 'acked on custom'),
          'acked on custom');
        await echoRoundTrip(root, 'root barrier');
        await echoRoundTrip(custom, 'custom barrier');
        assert.deepEqual(rootEchoes.received, [['to root'], ['root barrier']], 'no /custom echo leaked into /');
        assert.deepEqual(customEchoes.received, [['to custom'], ['custom barrier']]);
      } finally {
        group.closeAll();
      }
    });

    for (const namespace of ['/', '/custom']) {
      test(`in ${namespace}: \`to-room\` reaches the members who joined, not the outsider`, async () => {
        const group = new ClientGroup(server.url);
        try {
          const room = `room-${Math.random().toString(36).slice(2, 10)}`;
          const sockets = [];
          for (let i = 0; i < 3; i += 1) sockets.push(await group.connect({ mode, namespace }));
          const [memberOne, memberTwo, outsider] = sockets;
          const logs = sockets.map((socket) => new EventLog(socket, 'room-message'));

          for (const member of [memberOne, memberTwo]) {
            assert.equal(await member.timeout(scaled(5000)).emitWithAck('join', room), true);
          }
          const payload = { text: 'for the room', n: [1, 2] };
          outsider.emit('to-room', room, payload);

          assert.deepEqual(await logs[0].waitForCount(1), [[payload]]);
          assert.deepEqual(await logs[1].waitForCount(1), [[payload]]);
          await echoRoundTrip(outsider, 'outsider barrier');
          await echoRoundTrip(memberOne, 'member barrier');
          assert.deepEqual(logs[2].received, [], 'the outsider is not in the room');
          assert.equal(logs[0].received.length, 1, 'exactly one delivery per member');
          assert.equal(logs[1].received.length, 1, 'exactly one delivery per member');
        } finally {
          group.closeAll();
        }
      });
    }
  });
}
