// Standalone gateway with connection-state recovery (--recovery-max-disconnection), driven by
// the official socket.io-client, over every transport mode.
//
// A client loses its transport without a Socket.IO DISCONNECT (socket.io.engine.close(), as
// socket.io's own recovery tests do); while it is away the server emits 10 events to its user
// and 10 to a room it was in; it comes back (socket.connect(), which presents the pid and the
// last offset it received). Recovered: same sid, socket.recovered, the 20 events exactly once
// and in order before anything live, its rooms back. Also: the pid alone (no event received
// before the cut), a return after the window (a fresh session, in its user room only, nothing
// replayed), an expired token at the return (Unauthorized, nothing replayed), a forged pid, a
// garbage offset, and another user presenting someone's pid (fresh session, none of the
// first user's packets; the first user still recovers afterwards).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startGateway, withServerLog, scaled } from './lib/server-process.mjs';
import { ClientGroup, EventLog, TRANSPORT_MODES, eventually, waitForConnect, waitForConnectError,
  waitForUpgrade } from './lib/clients.mjs';
import { GatewayApi, expiredToken, uniqueUser, validToken } from './lib/gateway-api.mjs';

const WINDOW_MS = 4000;
let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({
    name: 'gateway-recovery',
    extraArgs: ['--recovery-max-disconnection', String(scaled(WINDOW_MS))],
  });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

/** The payloads of the `notice` events received so far (each event's first argument). */
const payloads = (log) => log.received.map((args) => args[0]);

/** Cuts the transport (no DISCONNECT packet) and waits until the server let the socket go. */
async function cutTransport(socket, user) {
  const sid = socket.id;
  socket.io.engine.close();
  await eventually(async () => {
    const sockets = await api.userSockets(user);
    return sockets.status === 200 && !sockets.body.sids.includes(sid);
  }, `the server noticed that ${sid} went away`);
}

/** Emits `count` notices to the user and `count` to the room, alternating; returns them in order. */
async function emitWhileAway(user, room, count) {
  const sent = [];
  for (let i = 0; i < count; i += 1) {
    const toUser = { to: 'user', n: i };
    const toRoom = { to: 'room', n: i };
    assert.equal((await api.emitToUser(user, 'notice', toUser)).status, 202);
    assert.equal((await api.emitToRoom(room, 'notice', toRoom)).status, 202);
    sent.push(toUser, toRoom);
  }
  return sent;
}

async function comeBack(socket, mode) {
  socket.connect();
  await waitForConnect(socket);
  if (mode.upgrades) await waitForUpgrade(socket);
}

for (const mode of TRANSPORT_MODES) {
  describe(`recovery over ${mode.name}`, () => {
    test('a client that comes back within the window gets its sid, its rooms and all 20 missed events once, in order', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('phone');
        const room = `news-${randomUUID().slice(0, 8)}`;
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const notices = new EventLog(socket, 'notice');
        const sid = socket.id;
        assert.equal((await api.joinRoom(sid, room)).status, 200);
        assert.equal((await api.emitToUser(user, 'notice', { to: 'user', n: 'before' })).status, 202);
        await notices.waitForCount(1);
        assert.equal(typeof notices.received[0].at(-1), 'string', 'each event carries its offset last');

        await cutTransport(socket, user);
        const sent = await emitWhileAway(user, room, 10);
        await comeBack(socket, mode);

        assert.equal(socket.recovered, true);
        assert.equal(socket.id, sid);
        await notices.waitForCount(21);
        assert.deepEqual(payloads(notices).slice(1), sent, 'every missed event, exactly once, in order');
        const rooms = await api.socketRooms(sid);
        assert.equal(rooms.status, 200);
        assert.ok(rooms.body.rooms.includes(`user:${user}`) && rooms.body.rooms.includes(room), JSON.stringify(rooms.body));

        assert.equal((await api.emitToRoom(room, 'notice', { live: true })).status, 202);
        await notices.waitForCount(22);
        assert.deepEqual(payloads(notices)[21], { live: true });
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(notices.received.length, 22, 'nothing twice');
      } finally {
        group.closeAll();
      }
    });

    test('a client that received no event before the cut recovers with its pid alone', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('quiet');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const notices = new EventLog(socket, 'notice');
        const sid = socket.id;
        await cutTransport(socket, user);
        assert.equal((await api.emitToUser(user, 'notice', 'while away')).status, 202);
        await comeBack(socket, mode);
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, sid);
        await notices.waitForCount(1);
        assert.deepEqual(payloads(notices), ['while away']);
      } finally {
        group.closeAll();
      }
    });
  });
}

describe('recovery refused', () => {
  const mode = TRANSPORT_MODES[1];

  test('after the window the client gets a fresh session: its user room, not its old rooms, nothing replayed', async () => {
    const group = new ClientGroup(server.url);
    try {
      const user = uniqueUser('late');
      const room = `old-${randomUUID().slice(0, 8)}`;
      const socket = await group.connect({ mode, auth: { token: validToken(user) } });
      const notices = new EventLog(socket, 'notice');
      const sid = socket.id;
      assert.equal((await api.joinRoom(sid, room)).status, 200);
      await cutTransport(socket, user);
      await emitWhileAway(user, room, 2);
      await new Promise((resolve) => setTimeout(resolve, scaled(WINDOW_MS) + 500));
      await comeBack(socket, mode);
      assert.equal(socket.recovered, false);
      assert.notEqual(socket.id, sid);
      const rooms = await api.socketRooms(socket.id);
      assert.deepEqual(rooms.body.rooms, [`user:${user}`]);
      assert.equal((await api.emitToUser(user, 'notice', 'fresh')).status, 202);
      await notices.waitForCount(1);
      assert.deepEqual(payloads(notices), ['fresh']);
    } finally {
      group.closeAll();
    }
  });

  test('an expired token at the return is Unauthorized and gets nothing replayed', async () => {
    const group = new ClientGroup(server.url);
    try {
      const user = uniqueUser('expired');
      const socket = await group.connect({ mode, auth: { token: validToken(user) } });
      const notices = new EventLog(socket, 'notice');
      await cutTransport(socket, user);
      assert.equal((await api.emitToUser(user, 'notice', 'secret')).status, 202);
      socket.auth = { token: expiredToken(user) };
      socket.connect();
      const error = await waitForConnectError(socket);
      assert.equal(error.message, 'Unauthorized');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(notices.received.length, 0);
    } finally {
      group.closeAll();
    }
  });

  test('a forged pid or a garbage offset gives a fresh session and nothing replayed', async () => {
    const group = new ClientGroup(server.url);
    try {
      for (const forge of [(s) => { s._pid = 'forged-pid-0123456789'; }, (s) => { s._lastOffset = 'not-an-offset'; }]) {
        const user = uniqueUser('forger');
        const socket = await group.connect({ mode, auth: { token: validToken(user) } });
        const notices = new EventLog(socket, 'notice');
        const sid = socket.id;
        await cutTransport(socket, user);
        assert.equal((await api.emitToUser(user, 'notice', 'missed')).status, 202);
        forge(socket);
        await comeBack(socket, mode);
        assert.equal(socket.recovered, false);
        assert.notEqual(socket.id, sid);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(notices.received.length, 0);
      }
    } finally {
      group.closeAll();
    }
  });

  test("another user presenting someone's pid gets a fresh session and none of their packets", async () => {
    const group = new ClientGroup(server.url);
    try {
      const owner = uniqueUser('owner');
      const thief = uniqueUser('thief');
      const victim = await group.connect({ mode, auth: { token: validToken(owner) } });
      const victimNotices = new EventLog(victim, 'notice');
      const sid = victim.id;
      await cutTransport(victim, owner);
      assert.equal((await api.emitToUser(owner, 'notice', 'private')).status, 202);

      const intruder = group.open({ mode, auth: { token: validToken(thief) } });
      const intruderNotices = new EventLog(intruder, 'notice');
      await waitForConnect(intruder);
      await cutTransport(intruder, thief);
      intruder._pid = victim._pid;
      intruder._lastOffset = victim._lastOffset;
      await comeBack(intruder, mode);
      assert.equal(intruder.recovered, false);
      assert.notEqual(intruder.id, sid);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(intruderNotices.received.length, 0);

      await comeBack(victim, mode);
      assert.equal(victim.recovered, true, 'the owner still recovers');
      await victimNotices.waitForCount(1);
      assert.deepEqual(payloads(victimNotices), ['private']);
    } finally {
      group.closeAll();
    }
  });
});
