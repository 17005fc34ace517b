// Standalone gateway started with `--namespaces /admin`: the extra namespace, over every mode.
//
// A client authenticates into /admin like into /, joins its user room there, and receives emits
// addressed to /admin (in the body or as ?namespace=) but not emits to /; a namespace that was not
// configured is still "Invalid namespace". One Manager multiplexing / and /admin proves that both
// namespaces share one Engine.IO connection without mixing their traffic.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, withServerLog } from './lib/server-process.mjs';
import {
  ClientGroup, EventLog, TRANSPORT_MODES, waitForConnect, waitForConnectError, waitForUpgrade,
} from './lib/clients.mjs';
import { GatewayApi, barrier, uniqueUser, validToken } from './lib/gateway-api.mjs';

let server;
let api;
const test = (name, body) => it(name, withServerLog(() => server, body));

before(async () => {
  server = await startGateway({ name: 'gateway-namespaces', extraArgs: ['--namespaces', '/admin'] });
  api = new GatewayApi(server.url);
});
after(async () => {
  await server?.stop();
});

for (const mode of TRANSPORT_MODES) {
  describe(`--namespaces /admin over ${mode.name}`, () => {
    test('authenticates into /admin and receives emits addressed to /admin only', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('operator');
        const adminSocket = await group.connect({ mode, namespace: '/admin', auth: { token: validToken(user) } });
        const rootSocket = await group.connect({ mode, auth: { token: validToken(user) } });
        const adminLog = new EventLog(adminSocket, 'alert');
        const rootLog = new EventLog(rootSocket, 'alert');

        const inBody = await api.emitToUser(user, 'alert', { via: 'body' }, { namespace: '/admin' });
        assert.equal(inBody.status, 202, JSON.stringify(inBody.body));
        const inQuery = await api.request('POST',
          `/api/v1/users/${encodeURIComponent(user)}/events?namespace=${encodeURIComponent('/admin')}`,
          { event: 'alert', data: { via: 'query' } });
        assert.equal(inQuery.status, 202, JSON.stringify(inQuery.body));
        const toRoot = await api.emitToUser(user, 'alert', { via: 'root' });
        assert.equal(toRoot.status, 202);

        assert.deepEqual(await adminLog.waitForCount(2), [[{ via: 'body' }], [{ via: 'query' }]]);
        assert.deepEqual(await rootLog.waitForCount(1), [[{ via: 'root' }]]);
        await barrier(api, [adminSocket], '/admin');
        await barrier(api, [rootSocket], '/');
        assert.equal(adminLog.received.length, 2, 'an emit to / must not reach the /admin socket');
        assert.equal(rootLog.received.length, 1, 'an emit to /admin must not reach the / socket');
      } finally {
        group.closeAll();
      }
    });

    test('refuses /admin without a token with "Unauthorized"', async () => {
      const group = new ClientGroup(server.url);
      try {
        const error = await waitForConnectError(group.open({ mode, namespace: '/admin' }));
        assert.equal(error.message, 'Unauthorized');
      } finally {
        group.closeAll();
      }
    });

    test('still refuses a namespace that was not configured with "Invalid namespace"', async () => {
      const group = new ClientGroup(server.url);
      try {
        const socket = group.open({ mode, namespace: '/chat', auth: { token: validToken('op') } });
        const error = await waitForConnectError(socket);
        assert.equal(error.message, 'Invalid namespace');
      } finally {
        group.closeAll();
      }
    });

    test('multiplexes / and /admin on one connection without mixing their broadcasts', async () => {
      const group = new ClientGroup(server.url);
      try {
        const user = uniqueUser('multiplexed');
        const manager = group.manager({ mode });
        const rootSocket = manager.socket('/', { auth: { token: validToken(user) } });
        const adminSocket = manager.socket('/admin', { auth: { token: validToken(user) } });
        await Promise.all([waitForConnect(rootSocket), waitForConnect(adminSocket)]);
        if (mode.upgrades) await waitForUpgrade(rootSocket);
        assert.equal(rootSocket.io, adminSocket.io, 'both namespaces ride one Manager');
        assert.equal(manager.engine.transport.name, mode.finalTransport);

        const rootLog = new EventLog(rootSocket, 'news');
        const adminLog = new EventLog(adminSocket, 'news');
        assert.equal((await api.broadcast('news', 'for /admin', { namespace: '/admin' })).status, 202);
        assert.equal((await api.broadcast('news', 'for /')).status, 202);
        assert.deepEqual(await adminLog.waitForCount(1), [['for /admin']]);
        assert.deepEqual(await rootLog.waitForCount(1), [['for /']]);
        await barrier(api, [rootSocket], '/');
        await barrier(api, [adminSocket], '/admin');
        assert.equal(adminLog.received.length, 1);
        assert.equal(rootLog.received.length, 1);
      } finally {
        group.closeAll();
      }
    });
  });
}

describe('emits to an unconfigured namespace', () => {
  test('answer 404', async () => {
    const response = await api.broadcast('news', 'x', { namespace: '/nowhere' });
    assert.equal(response.status, 404);
    assert.equal(typeof response.body.error, 'string');
  });
});
