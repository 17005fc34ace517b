// Standalone gateway: delivery order and large payloads, over every transport mode.
//
// Fifty emits issued one after another through the HTTP API arrive in the order they were issued,
// each exactly once; a ~300 KB JSON payload (under the 1 MB default --max-payload) arrives intact.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES } from './lib/clients.mjs';
import { GatewayApi, barrier, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({ name: 'gateway-delivery' });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

const EMIT_COUNT = 50;

for (const mode of TRANSPORT_MODES) {
  describe(`delivery over ${mode.name}`, () => {
    test(`${EMIT_COUNT} emits arrive once each, in the order they were issued`, async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('ordered');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const log = new EventLog(socket, 'tick');
        for (let seq = 0; seq < EMIT_COUNT; seq += 1) {
          const response = await api.emitToUser(user, 'tick', { seq });
          assert.equal(response.status, 202);
        }
        const received = await log.waitForCount(EMIT_COUNT, scaled(10000));
        assert.deepEqual(received.map(([data]) => data.seq), [...Array(EMIT_COUNT).keys()]);
        await barrier(api, [socket]);
        assert.equal(log.received.length, EMIT_COUNT, 'no duplicates');
      } finally {
        group.closeAll();
      }
    });

    test('a ~300 KB payload arrives intact', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('bulky');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const log = new EventLog(socket, 'bulk');
        const payload = {
          blob: randomBytes(150 * 1024).toString('base64'), // 200 KB of text
          rows: Array.from({ length: 2500 }, (_, i) => ({ i, name: `row-${i}`, unicode: 'é✓漢🙂' })),
        };
        const size = Buffer.byteLength(JSON.stringify(payload));
        assert.ok(size > 280 * 1024 && size < 400 * 1024, `payload is ${size} bytes`);
        const response = await api.emitToUser(user, 'bulk', payload);
        assert.equal(response.status, 202, JSON.stringify(response.body));
        const [[received]] = await log.waitForCount(1, scaled(10000));
        assert.deepEqual(received, payload);
      } finally {
        group.closeAll();
      }
    });
  });
}
