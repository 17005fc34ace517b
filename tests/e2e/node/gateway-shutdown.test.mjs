// Standalone gateway: SIGTERM drain (docs/configuration.md) with clients on every transport mode.
//
// Each connected client receives a Socket.IO DISCONNECT before its transport closes, so each sees
// 'disconnect' with the exact reason "io server disconnect"; the process exits with code 0.
// "transport close" means the client saw its transport end first — either no DISCONNECT was sent,
// or it came in the same read as the transport close (socket.io-client handles decoded packets a
// tick later, so the close wins): the close must follow once the DISCONNECT has been delivered,
// as the reference server does (on polling, the CLOSE goes in the next poll's response).
// A raw long-polling session shows what the drained poll carries on the wire. Each test starts
// its own gateway, since it ends it.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES } from './lib/clients.mjs';
import { uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
const test = (name, body) => it(name, withServerLog(() => server, body));

/** One Engine.IO long-polling request (GET, or POST when `body` is given), bounded in time. */
async function rawPoll(url, body = undefined) {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    body,
    headers: body === undefined ? {} : { 'content-type': 'text/plain;charset=UTF-8' },
    signal: AbortSignal.timeout(scaled(8000)),
  });
  return { status: response.status, body: await response.text() };
}

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

      const outcomes = await Promise.allSettled(
        clients.map(({ disconnects }) => disconnects.waitForCount(1, scaled(8000))));
      const reasons = outcomes.map((outcome, i) => `${clients[i].mode}: ${
        outcome.status === 'fulfilled' ? outcome.value[0][0] : `no disconnect (${outcome.reason.message})`}`);
      const status = await server.waitForExit(scaled(10000));
      assert.deepEqual({
        reasons,
        exit: status ? { code: status.code, signal: status.signal } : 'still running after the drain time',
      }, {
        reasons: clients.map(({ mode }) => `${mode}: io server disconnect`),
        exit: { code: 0, signal: null },
      });
    } finally {
      group.closeAll();
    }
  });

  test('answers a pending polling GET with the Socket.IO DISCONNECT packet (raw Engine.IO)', async () => {
    server = await startGateway({ name: 'gateway-sigterm-raw-polling' });
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const handshake = await rawPoll(base);
    assert.equal(handshake.status, 200);
    assert.ok(handshake.body.startsWith('0{'), handshake.body);
    const session = `${base}&sid=${JSON.parse(handshake.body.slice(1)).sid}`;
    const connect = await rawPoll(session, `40${JSON.stringify({ token: validToken(uniqueUser('raw')) })}`);
    assert.equal(connect.status, 200);
    const connected = await rawPoll(session);
    assert.ok(connected.body.startsWith('40{"sid":'), connected.body);

    const pending = rawPoll(session).catch((error) => ({
      status: `no response: ${error.message} (${error.cause?.code ?? error.cause?.message ?? 'no cause'})`,
    }));
    // The GET goes out first on the pooled keep-alive connection the requests above used; a
    // health check round trip on a second connection after it means the server has read it.
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    server.child.kill('SIGTERM');
    const drained = await pending;
    assert.equal(drained.status, 200);
    const packets = drained.body.split('\x1e');
    assert.equal(packets[0], '41', `the first packet of the drained poll is the namespace DISCONNECT: ${JSON.stringify(drained.body)}`);
    const status = await server.waitForExit(scaled(10000));
    assert.deepEqual(status && { code: status.code, signal: status.signal }, { code: 0, signal: null });
  });

  test('with no clients connected exits 0', async () => {
    server = await startGateway({ name: 'gateway-sigterm-idle' });
    server.child.kill('SIGTERM');
    const status = await server.waitForExit(scaled(10000));
    assert.ok(status, 'the gateway did not exit within the drain time');
    assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  });
});
