// The abuse limits, each hit with the official socket.io-client (plus the raw handshake, to show
// the HTTP error a caller gets), with the other clients unaffected: --max-connections (503),
// --max-connections-per-ip and --handshake-rate-per-ip (429), --max-sockets-per-user
// (connect_error "Too many connections for this user"), and the conformance server's
// --max-client-events-per-second (a socket sending faster is disconnected). Each refusal is
// counted in /metrics. Every client connects from 127.0.0.1, so one address stands for one
// abusive client here.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, startConformanceServer, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually, nextEvent, waitForConnectError } from './lib/clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './lib/gateway-api.mjs';

const WEBSOCKET = TRANSPORT_MODES.find((mode) => mode.name === 'websocket');
const POLLING = TRANSPORT_MODES.find((mode) => mode.name === 'polling');
const servers = [];
after(async () => {
  for (const server of servers) await server.stop();
});
let current;
const test = (name, body) => it(name, { timeout: scaled(30000) }, withServerLog(() => current, body));

async function start(extraArgs) {
  current = await startGateway({ name: 'limits', extraArgs });
  servers.push(current);
  return { server: current, api: new GatewayApi(current.url) };
}

/** A polling handshake as a client makes it: status and body. */
async function handshake(url) {
  const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { signal: AbortSignal.timeout(scaled(5000)) });
  return { status: response.status, body: await response.text() };
}

/** The value of one /metrics sample. */
async function metric(url, name, labels = '') {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

/** Connected clients still receive emits to their users. */
async function stillServed(api, clients) {
  for (const { user, notices } of clients) {
    const before = notices.received.length;
    assert.equal((await api.emitToUser(user, 'notice', { still: 'served' })).status, 202);
    await eventually(() => notices.received.length > before, `${user} still receives emits`);
  }
}

async function connectUser(group, mode, user = uniqueUser('limited')) {
  const socket = await group.connect({ mode, auth: { token: validToken(user) } });
  return { socket, user, notices: new EventLog(socket, 'notice') };
}

describe('abuse limits', () => {
  test('--max-connections: the next session gets 503, the others are served', async () => {
    const { server, api } = await start(['--max-connections', '2']);
    const group = new ClientGroup(server.url);
    try {
      const clients = [await connectUser(group, WEBSOCKET), await connectUser(group, POLLING)];
      const refused = await handshake(server.url);
      assert.equal(refused.status, 503);
      assert.match(refused.body, /Too many connections/);
      const third = group.open({ mode: WEBSOCKET, auth: { token: validToken(uniqueUser('third')) } });
      await waitForConnectError(third);
      await stillServed(api, clients);
      assert.ok(await metric(server.url, 'socket_gateway_refused_connections_total', '{limit="max_connections"}') >= 2);
      clients[0].socket.disconnect();
      await eventually(async () => (await handshake(server.url)).status === 200, 'a place is free again');
    } finally {
      group.closeAll();
    }
  });

  test('--max-connections-per-ip: the address gets 429 past its share', async () => {
    const { server, api } = await start(['--max-connections-per-ip', '2']);
    const group = new ClientGroup(server.url);
    try {
      const clients = [await connectUser(group, WEBSOCKET), await connectUser(group, WEBSOCKET)];
      const refused = await handshake(server.url);
      assert.equal(refused.status, 429);
      assert.match(refused.body, /Too many connections from this address/);
      await waitForConnectError(group.open({ mode: WEBSOCKET, auth: { token: validToken(uniqueUser('x')) } }));
      await stillServed(api, clients);
      assert.ok(await metric(server.url, 'socket_gateway_refused_connections_total', '{limit="max_connections_per_ip"}') >= 2);
    } finally {
      group.closeAll();
    }
  });

  test('--handshake-rate-per-ip: a burst past twice the rate gets 429, later handshakes pass', async () => {
    const { server, api } = await start(['--handshake-rate-per-ip', '2']);
    const group = new ClientGroup(server.url);
    try {
      const clients = [await connectUser(group, WEBSOCKET)];
      const statuses = [];
      for (let n = 0; n < 6; n += 1) statuses.push((await handshake(server.url)).status);
      assert.ok(statuses.includes(429), `a burst of handshakes is slowed down: ${statuses}`);
      assert.equal(statuses[0], 200);
      await stillServed(api, clients);
      await sleep(1000);
      assert.equal((await handshake(server.url)).status, 200, 'the bucket refills');
      assert.ok(await metric(server.url, 'socket_gateway_refused_connections_total', '{limit="handshake_rate_per_ip"}') >= 1);
    } finally {
      group.closeAll();
    }
  });

  test('--max-sockets-per-user: the next socket of that user gets connect_error, other users connect', async () => {
    const { server, api } = await start(['--max-sockets-per-user', '2']);
    const group = new ClientGroup(server.url);
    try {
      const user = uniqueUser('busy');
      const first = await connectUser(group, WEBSOCKET, user);
      await connectUser(group, POLLING, user);
      const error = await waitForConnectError(group.open({ mode: WEBSOCKET, auth: { token: validToken(user) } }));
      assert.equal(error.message, 'Too many connections for this user');
      const other = await connectUser(group, WEBSOCKET);
      await stillServed(api, [first, other]);
      assert.equal(await metric(server.url, 'socket_gateway_refused_connections_total', '{limit="max_sockets_per_user"}'), 1);
      first.socket.disconnect();
      await eventually(async () => {
        const again = group.open({ mode: WEBSOCKET, auth: { token: validToken(user) } });
        return nextEvent(again, 'connect', scaled(2000)).then(() => true, () => false);
      }, 'the user may connect again once one of its sockets left');
    } finally {
      group.closeAll();
    }
  });

  test('--max-rooms-per-socket: a join past it gets 409, the socket keeps its rooms, another socket joins', async () => {
    const { server, api } = await start(['--max-rooms-per-socket', '3']);
    const group = new ClientGroup(server.url);
    try {
      const full = await connectUser(group, WEBSOCKET);  // in its user room: 1 of 3
      const other = await connectUser(group, WEBSOCKET);
      assert.equal((await api.joinRoom(full.socket.id, 'a')).status, 200);
      assert.equal((await api.joinRoom(full.socket.id, 'b')).status, 200);
      const refused = await api.joinRoom(full.socket.id, 'c');
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.match(JSON.stringify(refused.body), /max-rooms-per-socket/);
      assert.equal((await api.joinRoom(full.socket.id, 'a')).status, 200, 'a room it is in already is no new join');
      assert.equal((await api.joinRoom(other.socket.id, 'c')).status, 200);
      const rooms = await api.socketRooms(full.socket.id);
      assert.deepEqual([...rooms.body.rooms].sort(), ['a', 'b', `user:${full.user}`].sort());
      assert.equal(await metric(server.url, 'socket_gateway_room_limit_refusals_total'), 1);
      await stillServed(api, [full, other]);
    } finally {
      group.closeAll();
    }
  });

  test('--max-client-events-per-second: a socket sending faster is disconnected, another keeps its echo', async () => {
    current = await startConformanceServer({ name: 'limits-conformance', extraArgs: ['--max-client-events-per-second', '20'] });
    servers.push(current);
    const group = new ClientGroup(current.url);
    try {
      const flooder = await group.connect({ mode: WEBSOCKET });
      const calm = await group.connect({ mode: WEBSOCKET });
      const flooderGone = nextEvent(flooder, 'disconnect', scaled(5000));
      for (let n = 0; n < 200; n += 1) flooder.emit('message', n);
      const [reason] = await flooderGone;
      assert.equal(reason, 'io server disconnect');
      const echo = nextEvent(calm, 'message-back');
      calm.emit('message', 'still here');
      assert.deepEqual(await echo, ['still here']);
    } finally {
      group.closeAll();
    }
  });
});
