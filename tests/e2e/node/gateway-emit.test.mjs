// Standalone gateway: emits through the HTTP API to a user, to everyone, and to nobody (R2, R4).
//
// A user's emit reaches every connection of that user — three clients on three different
// transport modes — and no other user's; a broadcast reaches everyone; emits to an absent user or
// an empty room still answer 202. Negative claims are proven with a barrier broadcast, not a sleep.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES } from './lib/clients.mjs';
import { GatewayApi, NO_DATA, barrier, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));
const QUEUED = { status: 'queued' };

before(async () => {
  server = await startGateway({ name: 'gateway-emit' });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

describe('emit to a user', () => {
  test("reaches all three of the user's connections (mixed transports) and no other user", async () => {
    const group = new ClientGroup(server.url);
    try {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const aliceSockets = [];
      for (const mode of TRANSPORT_MODES) {
        aliceSockets.push(await group.connect({ mode, auth: { token: validToken(alice) } }));
      }
      const bobSocket = await group.connect({ mode: TRANSPORT_MODES[1], auth: { token: validToken(bob) } });
      const aliceLogs = aliceSockets.map((socket) => new EventLog(socket, 'notice'));
      const bobLog = new EventLog(bobSocket, 'notice');

      const listed = await api.userSockets(alice);
      assert.equal(listed.status, 200);
      assert.deepEqual([...listed.body.sids].sort(), aliceSockets.map((s) => s.id).sort());

      const response = await api.emitToUser(alice, 'notice', { text: 'hello alice', n: 1 });
      assert.equal(response.status, 202);
      assert.deepEqual(response.body, QUEUED);
      for (const log of aliceLogs) {
        const [args] = await log.waitForCount(1);
        assert.deepEqual(args, [{ text: 'hello alice', n: 1 }]);
      }
      await barrier(api, [...aliceSockets, bobSocket]);
      assert.deepEqual(bobLog.received, [], 'bob must not receive what was sent to alice');
      for (const log of aliceLogs) assert.equal(log.received.length, 1, 'exactly one delivery per connection');
    } finally {
      group.closeAll();
    }
  });

  for (const mode of TRANSPORT_MODES) {
    test(`over ${mode.name}: an emit without data carries no argument`, async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('nodata');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const log = new EventLog(socket, 'ping-me');
        const response = await api.emitToUser(user, 'ping-me', NO_DATA);
        assert.equal(response.status, 202);
        const [args] = await log.waitForCount(1);
        assert.deepEqual(args, []);
      } finally {
        group.closeAll();
      }
    });
  }

  test('to a user with no connection answers 202 queued', async () => {
    const response = await api.emitToUser(uniqueUser('absent'), 'notice', { x: 1 });
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, QUEUED);
  });
});

describe('emit to an empty room', () => {
  test('answers 202 queued', async () => {
    const response = await api.emitToRoom(`room-nobody-${uniqueUser()}`, 'notice', [1, 2, 3]);
    assert.equal(response.status, 202);
    assert.deepEqual(response.body, QUEUED);
  });
});

describe('broadcast', () => {
  for (const mode of TRANSPORT_MODES) {
    test(`over ${mode.name}: reaches every connected client`, async () => {
      const group = new ClientGroup(server.url);
      try {
        const sockets = [];
        for (const name of ['carol', 'dave', 'erin']) {
          sockets.push(await group.connect({ mode, auth: { token: validToken(uniqueUser(name)) } }));
        }
        const logs = sockets.map((socket) => new EventLog(socket, 'announcement'));
        const payload = { headline: 'maintenance at 02:00', list: [1, 'two', null, true] };
        const response = await api.broadcast('announcement', payload);
        assert.equal(response.status, 202);
        assert.deepEqual(response.body, QUEUED);
        for (const log of logs) {
          const [args] = await log.waitForCount(1);
          assert.deepEqual(args, [payload]);
        }
      } finally {
        group.closeAll();
      }
    });
  }
});
