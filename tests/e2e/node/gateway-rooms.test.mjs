// Standalone gateway: room membership through the HTTP API (R3, R5), over every transport mode.
//
// After PUT /sockets/{sid}/rooms/{room} a room emit reaches the members and nobody else; after
// DELETE of the membership it stops reaching the one who left. Room names with ':' are sent
// percent-encoded to prove path segments are decoded. Negatives are proven with a barrier.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES } from './lib/clients.mjs';
import { GatewayApi, barrier, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({ name: 'gateway-rooms' });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

for (const mode of TRANSPORT_MODES) {
  describe(`rooms over ${mode.name}`, () => {
    test('a room emit reaches joined members only, and stops reaching a member after it leaves', async () => {
      const group = new ClientGroup(server.url);
      try {
        const room = `project:${uniqueUser('room')}`;
        const sockets = [];
        for (const name of ['member-one', 'member-two', 'outsider']) {
          sockets.push(await group.connect({ mode, auth: { token: validToken(uniqueUser(name)) } }));
        }
        const [memberOne, memberTwo, nonMember] = sockets;
        const logs = sockets.map((socket) => new EventLog(socket, 'room-news'));

        for (const member of [memberOne, memberTwo]) {
          const joined = await api.joinRoom(member.id, room);
          assert.equal(joined.status, 200, JSON.stringify(joined.body));
          assert.deepEqual(joined.body, { sid: member.id, room, joined: true });
        }
        const rooms = await api.socketRooms(memberOne.id);
        assert.equal(rooms.status, 200);
        assert.ok(rooms.body.rooms.includes(room), `rooms: ${JSON.stringify(rooms.body.rooms)}`);
        const outsiderRooms = await api.socketRooms(nonMember.id);
        assert.ok(!outsiderRooms.body.rooms.includes(room));

        const first = await api.emitToRoom(room, 'room-news', { edition: 1 });
        assert.equal(first.status, 202);
        assert.deepEqual((await logs[0].waitForCount(1))[0], [{ edition: 1 }]);
        assert.deepEqual((await logs[1].waitForCount(1))[0], [{ edition: 1 }]);
        await barrier(api, sockets);
        assert.deepEqual(logs[2].received, [], 'a socket outside the room must not receive room emits');

        const left = await api.leaveRoom(memberTwo.id, room);
        assert.equal(left.status, 200, JSON.stringify(left.body));
        assert.deepEqual(left.body, { sid: memberTwo.id, room, joined: false });
        const roomsAfterLeave = await api.socketRooms(memberTwo.id);
        assert.ok(!roomsAfterLeave.body.rooms.includes(room));

        const second = await api.emitToRoom(room, 'room-news', { edition: 2 });
        assert.equal(second.status, 202);
        assert.deepEqual(await logs[0].waitForCount(2), [[{ edition: 1 }], [{ edition: 2 }]]);
        await barrier(api, sockets);
        assert.deepEqual(logs[1].received, [[{ edition: 1 }]], 'a socket that left must not receive later emits');
        assert.deepEqual(logs[2].received, []);
        assert.equal(logs[0].received.length, 2);
      } finally {
        group.closeAll();
      }
    });
  });
}

describe('room API errors', () => {
  test('joining, leaving or listing an unknown sid answers 404 with an error body', async () => {
    for (const response of [
      await api.joinRoom('no-such-sid', 'lobby'),
      await api.leaveRoom('no-such-sid', 'lobby'),
      await api.socketRooms('no-such-sid'),
    ]) {
      assert.equal(response.status, 404);
      assert.equal(typeof response.body.error, 'string');
    }
  });
});
