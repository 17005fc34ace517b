// Standalone gateway: disconnection from either side (R7), over every transport mode.
//
// A client that calls socket.disconnect() disappears from its rooms: GET /sockets/{sid}/rooms
// turns 404 and the sid leaves GET /users/{id}/sockets. DELETE /sockets/{sid} makes the client see
// 'disconnect' with reason "io server disconnect". The server processes a client's DISCONNECT
// asynchronously, so the API is polled until it reflects it, with a bounded wait.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually } from './lib/clients.mjs';
import { GatewayApi, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({ name: 'gateway-disconnect' });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

for (const mode of TRANSPORT_MODES) {
  describe(`disconnection over ${mode.name}`, () => {
    test('a client that disconnects is removed from its rooms and from its user', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('leaver');
        const staying = await group.connect({ mode, auth: { token: validToken(user) } });
        const leaving = await group.connect({ mode, auth: { token: validToken(user) } });
        const sid = leaving.id;
        assert.equal((await api.joinRoom(sid, 'lobby')).status, 200);
        const before = await api.socketRooms(sid);
        assert.equal(before.status, 200);
        assert.ok(before.body.rooms.includes(`user:${user}`));
        assert.ok(before.body.rooms.includes('lobby'));

        leaving.disconnect();

        await eventually(async () => (await api.socketRooms(sid)).status === 404,
          `GET /api/v1/sockets/${sid}/rooms answers 404 after the client disconnected`);
        const gone = await api.socketRooms(sid);
        assert.equal(typeof gone.body.error, 'string');
        await eventually(async () => {
          const sockets = await api.userSockets(user);
          return sockets.status === 200 && !sockets.body.sids.includes(sid);
        }, `sid ${sid} no longer listed for ${user}`);
        assert.deepEqual((await api.userSockets(user)).body, { user_id: user, sids: [staying.id] });
        assert.equal((await api.socketRooms(staying.id)).status, 200, 'the other connection is untouched');
      } finally {
        group.closeAll();
      }
    });

    test("DELETE /api/v1/sockets/{sid} gives the client 'disconnect' with reason 'io server disconnect'", async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('kicked');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const sid = socket.id;
        const disconnects = new EventLog(socket, 'disconnect');

        const response = await api.disconnectSocket(sid);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.deepEqual(response.body, { sid, disconnected: true });

        const [[reason]] = await disconnects.waitForCount(1);
        assert.equal(reason, 'io server disconnect');
        assert.equal(socket.connected, false);
        await eventually(async () => (await api.socketRooms(sid)).status === 404,
          `GET /api/v1/sockets/${sid}/rooms answers 404 after the server disconnected it`);
        const sockets = await api.userSockets(user);
        assert.equal(sockets.status, 200);
        assert.deepEqual(sockets.body, { user_id: user, sids: [] });
      } finally {
        group.closeAll();
      }
    });
  });
}

describe('server disconnect errors', () => {
  test('DELETE of an unknown sid answers 404', async () => {
    const response = await api.disconnectSocket('no-such-sid');
    assert.equal(response.status, 404);
    assert.equal(typeof response.body.error, 'string');
  });
});
