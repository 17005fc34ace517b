// Conformance server (built on the library's C++ API): events, binary and acks, over every mode.
//
// On connect the server emits `auth` with the CONNECT payload; `message` comes back as
// `message-back` with the same arguments, binary ones as Buffers with identical bytes (top level
// and nested in objects/arrays); `message-with-ack` is acknowledged with the same arguments; and
// `request-ack` proves server→client acks: the server emits `ack-request` with an ack id and
// reports the values our callback returned as `ack-received`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConformanceServer, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, waitForConnect, waitForUpgrade } from './lib/clients.mjs';

let server;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startConformanceServer({ name: 'conformance-events' });
});
after(async () => {
  await server?.stop();
});

/** Asserts `actual` is a Buffer holding exactly the bytes of `expected`. */
function assertSameBytes(actual, expected, where) {
  assert.ok(Buffer.isBuffer(actual), `${where}: expected a Buffer, got ${Object.prototype.toString.call(actual)}`);
  assert.deepEqual([...actual], [...expected], `${where}: bytes differ`);
}

/** Binary payloads spanning every byte value, an empty one, and a larger one. */
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const emptyBytes = new Uint8Array(0);
const typedBytes = Uint8Array.from([7, 0, 255, 128, 42]);
const largeBytes = Buffer.alloc(64 * 1024, 0xab);

async function connectedClient(group, mode, auth) {
  const socket = group.open({ mode, auth });
  const authLog = new EventLog(socket, 'auth');
  await waitForConnect(socket);
  if (mode.upgrades) await waitForUpgrade(socket);
  assert.equal(socket.io.engine.transport.name, mode.finalTransport);
  return { socket, authLog };
}

for (const mode of TRANSPORT_MODES) {
  describe(`conformance events over ${mode.name}`, () => {
    test('emits `auth` with the CONNECT payload on connect, `{}` when there is none', async () => {
      const group = new ClientGroup(server.url);
      try {
        const withAuth = await connectedClient(group, mode, { token: 'abc', nested: { n: 1 } });
        assert.deepEqual(await withAuth.authLog.waitForCount(1), [[{ token: 'abc', nested: { n: 1 } }]]);
        const withoutAuth = await connectedClient(group, mode, undefined);
        assert.deepEqual(await withoutAuth.authLog.waitForCount(1), [[{}]]);
      } finally {
        group.closeAll();
      }
    });

    test('echoes `message` as `message-back` with the same plain arguments', async () => {
      const group = new ClientGroup(server.url);
      try {
        const { socket } = await connectedClient(group, mode);
        const echoes = new EventLog(socket, 'message-back');
        const args = [1, 'two', { three: [3, null, true], 'fo"ur': 'é漢🙂' }, [4.5, -6], false];
        socket.emit('message', ...args);
        socket.emit('message');
        assert.deepEqual(await echoes.waitForCount(2), [args, []]);
      } finally {
        group.closeAll();
      }
    });

    test('echoes binary arguments as Buffers with identical bytes, top level and nested', async () => {
      const group = new ClientGroup(server.url);
      try {
        const { socket } = await connectedClient(group, mode);
        const echoes = new EventLog(socket, 'message-back');
        socket.emit('message', allBytes, typedBytes, emptyBytes, largeBytes);
        socket.emit('message', { label: 'nested', blob: typedBytes, list: [allBytes, 'text', { deeper: emptyBytes }] });

        const [topLevel, nested] = await echoes.waitForCount(2, scaled(8000));
        assert.equal(topLevel.length, 4);
        assertSameBytes(topLevel[0], allBytes, 'arg 0');
        assertSameBytes(topLevel[1], typedBytes, 'arg 1 (sent as Uint8Array)');
        assertSameBytes(topLevel[2], emptyBytes, 'arg 2 (empty)');
        assertSameBytes(topLevel[3], largeBytes, 'arg 3 (64 KB)');

        assert.equal(nested.length, 1);
        const [object] = nested;
        assert.deepEqual(Object.keys(object).sort(), ['blob', 'label', 'list']);
        assert.equal(object.label, 'nested');
        assertSameBytes(object.blob, typedBytes, 'object.blob');
        assert.equal(object.list.length, 3);
        assertSameBytes(object.list[0], allBytes, 'object.list[0]');
        assert.equal(object.list[1], 'text');
        assertSameBytes(object.list[2].deeper, emptyBytes, 'object.list[2].deeper');
      } finally {
        group.closeAll();
      }
    });

    test('acknowledges `message-with-ack` with the same argument (emitWithAck)', async () => {
      const group = new ClientGroup(server.url);
      try {
        const { socket } = await connectedClient(group, mode);
        const plain = { id: 17, tags: ['a', 'b'], ok: true };
        assert.deepEqual(await socket.timeout(scaled(5000)).emitWithAck('message-with-ack', plain), plain);
        assert.equal(await socket.timeout(scaled(5000)).emitWithAck('message-with-ack', 'just text'), 'just text');
        assertSameBytes(await socket.timeout(scaled(5000)).emitWithAck('message-with-ack', allBytes), allBytes, 'binary ack');
        const nested = await socket.timeout(scaled(5000)).emitWithAck('message-with-ack', { file: typedBytes, name: 'f' });
        assert.equal(nested.name, 'f');
        assertSameBytes(nested.file, typedBytes, 'nested binary ack');
      } finally {
        group.closeAll();
      }
    });

    test('acknowledges `message-with-ack` with all of several arguments, binary included', async () => {
      const group = new ClientGroup(server.url);
      try {
        const { socket } = await connectedClient(group, mode);
        const response = await new Promise((resolve, reject) => {
          socket.timeout(scaled(5000)).emit('message-with-ack', 'first', 2, allBytes, { b: typedBytes },
            (error, ...values) => (error ? reject(error) : resolve(values)));
        });
        assert.equal(response.length, 4);
        assert.equal(response[0], 'first');
        assert.equal(response[1], 2);
        assertSameBytes(response[2], allBytes, 'ack arg 2');
        assertSameBytes(response[3].b, typedBytes, 'ack arg 3 .b');
      } finally {
        group.closeAll();
      }
    });

    test("server→client ack: the values our 'ack-request' callback returns come back as 'ack-received'", async () => {
      const group = new ClientGroup(server.url);
      try {
        const { socket } = await connectedClient(group, mode);
        const requests = [];
        let rejectMissingAck;
        const missingAck = new Promise((_, reject) => {
          rejectMissingAck = reject;
        });
        socket.on('ack-request', (...args) => {
          if (typeof args.at(-1) !== 'function') {
            rejectMissingAck(new Error(`'ack-request' arrived without an ack id: ${JSON.stringify(args)}`));
            return;
          }
          const callback = args.pop();
          requests.push(args);
          callback('answered', args.length, Buffer.from([9, 8, 7]), { echo: args[0] });
        });
        const received = new EventLog(socket, 'ack-received');

        socket.emit('request-ack', 'question', 42);

        const [values] = await Promise.race([received.waitForCount(1), missingAck]);
        assert.deepEqual(requests, [['question', 42]]);
        assert.equal(values.length, 4);
        assert.equal(values[0], 'answered');
        assert.equal(values[1], 2);
        assertSameBytes(values[2], [9, 8, 7], 'binary ack value');
        assert.deepEqual(values[3], { echo: 'question' });
      } finally {
        group.closeAll();
      }
    });
  });
}
