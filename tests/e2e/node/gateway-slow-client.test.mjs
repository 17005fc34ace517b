// A client that stops reading: emits pile up until its queue passes --max-queue-bytes, the
// gateway cuts it as slow — and lets go of its connection too, even though the client neither
// reads (so the close frame never gets out) nor closes: its descriptor is released within
// seconds, not held for as long as the client cares to hold it. A reading client beside it
// keeps receiving. The non-reader is a raw WebSocket client (the official client always reads).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually } from './lib/clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
after(async () => {
  await server?.stop();
});
const test = (name, body) => it(name, { timeout: scaled(60000) }, withServerLog(() => server, body));

/** One masked client WebSocket text frame (payload < 64 KiB). */
function textFrame(text) {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([header, mask, masked]);
}

/** A raw Engine.IO WebSocket connected to the namespace "/" as `user`, then no longer read. */
async function nonReadingClient(port, user) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received = [];
  socket.on('data', (chunk) => received.push(chunk));
  socket.write([
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket',
    'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', '', '',
  ].join('\r\n'));
  await eventually(() => Buffer.concat(received).includes('"sid"'), 'the Engine.IO open packet');
  socket.write(textFrame(`40${JSON.stringify({ token: validToken(user) })}`));
  await eventually(() => Buffer.concat(received).toString('latin1').includes('40{"sid"'), 'the CONNECT reply');
  socket.pause();  // from here on the client reads nothing, and never closes
  return socket;
}

/** Whether the gateway still holds the TCP connection from `clientPort` open (iproute2's ss). */
function gatewayHolds(port, clientPort) {
  const rows = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} and dport = :${clientPort} )`],
    { encoding: 'utf8' });
  return rows.trim().length > 0;
}

describe('a client that stops reading', () => {
  test('is cut as slow and its connection released within seconds; a reader beside it is served', async () => {
    server = await startGateway({ name: 'slow-client', extraArgs: ['--max-queue-bytes', '262144'] });
    const api = new GatewayApi(server.url);
    const group = new ClientGroup(server.url);
    const held = [];
    try {
      const readerUser = uniqueUser('reader');
      const reader = await group.connect({ mode: TRANSPORT_MODES.find((m) => m.name === 'websocket'),
        auth: { token: validToken(readerUser) } });
      const slowUser = uniqueUser('stalled');
      const stalled = await nonReadingClient(server.port, slowUser);
      held.push(stalled);
      const readerNotices = new EventLog(reader, 'notice');
      const chunk = 'x'.repeat(60000);
      await eventually(async () => {
        for (let n = 0; n < 20; n += 1) await api.emitToUser(slowUser, 'notice', chunk);
        return (await api.userSockets(slowUser)).body.sids.length === 0;
      }, 'the gateway cuts the non-reader as slow', scaled(30000));
      assert.ok(gatewayHolds(server.port, stalled.localPort), 'the cut connection is still open right after the cut');
      await eventually(() => !gatewayHolds(server.port, stalled.localPort),
        'the non-reader\'s connection is released although it neither reads nor closes', scaled(15000));
      assert.equal((await api.emitToUser(readerUser, 'notice', 'for the reader')).status, 202);
      await eventually(() => readerNotices.received.some((args) => args[0] === 'for the reader'), 'the reader is served');
    } finally {
      for (const socket of held) socket.destroy();
      group.closeAll();
    }
  });
});
