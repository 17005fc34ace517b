// Standalone gateway: SIGTERM drain (docs/configuration.md) with clients on every transport mode.
//
// Each connected client receives a Socket.IO DISCONNECT before its transport closes, so each sees
// 'disconnect' with the exact reason "io server disconnect" (a bare "transport close" would mean
// the server dropped the connection without telling the client); the process exits with code 0.
// Each test starts its own gateway, since it ends it.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES } from './lib/clients.mjs';
import { uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
const test = (name, body) => it(name, withServerLog(() => server, body));

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('SIGTERM', () => {
  test("gives every connected client 'io server disconnect' and exits 0", async () => {
    server = await startGateway({ name: 'gateway-sigterm' });
    const group = new ClientGroup(server.url);
    try {
      const clients = [];
      for (const mode of TRANSPORT_MODES) {
        for (let copy = 0; copy < 2; copy += 1) {
          const socket = await group.connect({ mode, auth: { token: validToken(uniqueUser('drained')) } });
          clients.push({ mode: mode.name, socket, disconnects: new EventLog(socket, 'disconnect') });
        }
      }

      server.child.kill('SIGTERM');

      for (const { mode, disconnects } of clients) {
        const [[reason]] = await disconnects.waitForCount(1, scaled(8000));
        assert.equal(reason, 'io server disconnect', `client over ${mode}`);
      }
      const status = await server.waitForExit(scaled(10000));
      assert.ok(status, 'the gateway did not exit within the drain time');
      assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
    } finally {
      group.closeAll();
    }
  });

  test('with no clients connected exits 0', async () => {
    server = await startGateway({ name: 'gateway-sigterm-idle' });
    server.child.kill('SIGTERM');
    const status = await server.waitForExit(scaled(10000));
    assert.ok(status, 'the gateway did not exit within the drain time');
    assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  });
});
