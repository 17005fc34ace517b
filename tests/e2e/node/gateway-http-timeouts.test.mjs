// --http-request-timeout: a connection that does not send a whole request in time (a
// slow-loris head, an idle keep-alive connection) is closed, so it cannot hold a descriptor
// forever — while a long-polling client, whose GET the engine holds for up to pingInterval,
// and a WebSocket client stay connected and keep receiving. Run with a 1 s timeout.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually } from './lib/clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
after(async () => {
  await server?.stop();
});
const test = (name, body) => it(name, { timeout: scaled(30000) }, withServerLog(() => server, body));

/** A raw TCP connection to the gateway; resolves with it and a promise of its end. */
async function rawConnection(port) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received = [];
  socket.on('data', (chunk) => received.push(chunk));
  const closed = new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(received).toString())));
  socket.on('error', () => {});
  return { socket, closed };
}

describe('--http-request-timeout', () => {
  test('a slow head and an idle keep-alive connection are closed; polling and WebSocket clients stay', async () => {
    server = await startGateway({ name: 'http-timeouts', extraArgs: ['--http-request-timeout', '1000'] });
    const api = new GatewayApi(server.url);
    const group = new ClientGroup(server.url);
    const raw = [];
    try {
      const clients = [];
      for (const mode of TRANSPORT_MODES) {
        const user = uniqueUser(mode.name);
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        clients.push({ user, socket, notices: new EventLog(socket, 'notice') });
      }

      const slow = await rawConnection(server.port);
      raw.push(slow.socket);
      slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');  // and never the rest
      const idle = await rawConnection(server.port);
      raw.push(idle.socket);
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');  // answered, then idle
      const started = Date.now();
      assert.equal(await slow.closed, '', 'the slow head gets no answer, just the close');
      assert.match(await idle.closed, /^HTTP\/1\.1 200/, 'the idle connection had its answer before the close');
      assert.ok(Date.now() - started < scaled(5000), 'both closed within a few seconds');

      await sleep(2500);  // more than twice the timeout: a held long-poll GET outlives it
      for (const { user, socket, notices } of clients) {
        assert.equal(socket.connected, true, `${user} stays connected`);
        assert.equal((await api.emitToUser(user, 'notice', 'after the timeout')).status, 202);
        await eventually(() => notices.received.some((args) => args[0] === 'after the timeout'), `${user} still receives`);
      }
    } finally {
      for (const socket of raw) socket.destroy();
      group.closeAll();
    }
  });
});
