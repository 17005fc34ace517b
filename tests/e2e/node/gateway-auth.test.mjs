// Standalone gateway: JWT authentication at Socket.IO CONNECT (R1), over every transport mode.
//
// A valid token in `auth: {token}` (or an `Authorization: Bearer` handshake header) connects and
// lands the socket in room `user:{sub}`; a missing, expired, wrongly signed, unsigned or garbage
// token gets connect_error with message exactly "Unauthorized", and an unknown namespace gets
// "Invalid namespace". One gateway serves the whole file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog } from './lib/server-process.mjs';
import { ClientGroup, TRANSPORT_MODES, waitForConnectError } from './lib/clients.mjs';
import {
  GatewayApi, uniqueUser, validToken, expiredToken, wrongSignatureToken, unsignedToken,
} from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({ name: 'gateway-auth' });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

const refusedTokens = [
  ['no auth object at all', () => undefined],
  ['an auth object without a token', () => ({})],
  ['an expired token', () => ({ token: expiredToken('mallory') })],
  ['a token signed with another secret', () => ({ token: wrongSignatureToken('mallory') })],
  ['an unsigned alg:none token', () => ({ token: unsignedToken('mallory') })],
  ['a garbage token', () => ({ token: 'not.a-jwt.at all' })],
  ['a token that is not a string', () => ({ token: 12345 })],
];

for (const mode of TRANSPORT_MODES) {
  describe(`authentication over ${mode.name}`, () => {
    test('connects with a valid JWT in auth.token and joins room user:{sub}', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('alice');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        assert.equal(socket.connected, true);
        assert.equal(socket.io.engine.transport.name, mode.finalTransport);
        const rooms = await api.socketRooms(socket.id);
        assert.equal(rooms.status, 200, JSON.stringify(rooms.body));
        assert.equal(rooms.body.sid, socket.id);
        assert.ok(rooms.body.rooms.includes(`user:${user}`), `rooms: ${JSON.stringify(rooms.body.rooms)}`);
        const sockets = await api.userSockets(user);
        assert.equal(sockets.status, 200);
        assert.deepEqual(sockets.body, { user_id: user, sids: [socket.id] });
      } finally {
        group.closeAll();
      }
    });

    test('connects with a valid JWT in an Authorization: Bearer handshake header', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('bearer');
        const socket = await group.connect({
          mode, options: { extraHeaders: { Authorization: `Bearer ${validToken(user)}` } },
        });
        const sockets = await api.userSockets(user);
        assert.deepEqual(sockets.body, { user_id: user, sids: [socket.id] });
      } finally {
        group.closeAll();
      }
    });

    for (const [description, makeAuth] of refusedTokens) {
      test(`refuses ${description} with connect_error "Unauthorized"`, async () => {
        const group = new ClientGroup(server.url);
        try {
          const socket = group.open({ mode, auth: makeAuth() });
          const error = await waitForConnectError(socket);
          assert.equal(error.message, 'Unauthorized');
          assert.equal(socket.connected, false);
        } finally {
          group.closeAll();
        }
      });
    }

    test('refuses an unknown namespace with connect_error "Invalid namespace"', async () => {
      const group = new ClientGroup(server.url);
      try {
        const socket = group.open({ mode, namespace: '/admin', auth: { token: validToken('alice') } });
        const error = await waitForConnectError(socket);
        assert.equal(error.message, 'Invalid namespace');
      } finally {
        group.closeAll();
      }
    });
  });
}
