// The standalone gateway's HTTP API (docs/http-api.md) as seen by a backend service, plus JWTs.
//
// GatewayApi wraps fetch with a per-request timeout and returns {status, body} where body is the
// parsed JSON (or the raw text when the response is not JSON), so tests assert on both. The token
// helpers mint the valid and the deliberately broken JWTs the authentication tests present.
// `barrier` proves a negative without sleeping: it broadcasts a unique marker and waits until every
// given client has it — emits from one caller are delivered to a connection in order, so anything
// a client was going to get from an earlier emit has arrived by then.
// Single-threaded (the Node event loop).
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { JWT_SECRET, scaled } from './server-process.mjs';
import { withTimeout } from './clients.mjs';

const segment = (value) => encodeURIComponent(value);

export class GatewayApi {
  constructor(baseUrl, apiKey = undefined) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  /** Any request; `body` objects are sent as JSON, strings as they are. */
  async request(method, path, body = undefined) {
    const headers = {};
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let payload;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method, headers, body: payload, signal: AbortSignal.timeout(scaled(5000)),
    });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the test sees the raw text
    }
    return { status: response.status, body: parsed };
  }

  emitToUser(userId, event, data, options = {}) {
    return this.request('POST', `/api/v1/users/${segment(userId)}/events`, emitBody(event, data, options));
  }

  emitToRoom(room, event, data, options = {}) {
    return this.request('POST', `/api/v1/rooms/${segment(room)}/events`, emitBody(event, data, options));
  }

  broadcast(event, data, options = {}) {
    return this.request('POST', '/api/v1/events', emitBody(event, data, options));
  }

  joinRoom(sid, room) {
    return this.request('PUT', `/api/v1/sockets/${segment(sid)}/rooms/${segment(room)}`);
  }

  leaveRoom(sid, room) {
    return this.request('DELETE', `/api/v1/sockets/${segment(sid)}/rooms/${segment(room)}`);
  }

  socketRooms(sid) {
    return this.request('GET', `/api/v1/sockets/${segment(sid)}/rooms`);
  }

  disconnectSocket(sid) {
    return this.request('DELETE', `/api/v1/sockets/${segment(sid)}`);
  }

  userSockets(userId) {
    return this.request('GET', `/api/v1/users/${segment(userId)}/sockets`);
  }
}

/** The emit body; `data === NO_DATA` leaves the field out (the event then has no argument). */
export const NO_DATA = Symbol('no data');

function emitBody(event, data, { namespace } = {}) {
  const body = { event };
  if (data !== NO_DATA) body.data = data;
  if (namespace !== undefined) body.namespace = namespace;
  return body;
}

/**
 * Broadcasts a unique marker event in `namespace` and waits until each socket received it.
 * Afterwards, each socket has also received everything emitted to it before the call.
 */
export async function barrier(api, sockets, namespace = undefined) {
  const marker = randomUUID();
  const arrivals = sockets.map((socket) => new Promise((resolve) => {
    const listener = (value) => {
      if (value !== marker) return;
      socket.off('barrier', listener);
      resolve();
    };
    socket.on('barrier', listener);
  }));
  const options = namespace === undefined ? {} : { namespace };
  const response = await api.broadcast('barrier', marker, options);
  if (response.status !== 202) {
    throw new Error(`barrier broadcast answered ${response.status} ${JSON.stringify(response.body)}`);
  }
  await withTimeout(Promise.all(arrivals), scaled(5000), `the barrier marker on ${sockets.length} clients`);
}

/** A user id no other test uses, so one test's connections never count in another's. */
export const uniqueUser = (prefix = 'user') => `${prefix}-${randomUUID().slice(0, 8)}`;

/** An HS256 token for `sub` signed with the gateway's secret, valid for an hour. */
export function validToken(sub, { secret = JWT_SECRET, expiresIn = 3600, claims = {} } = {}) {
  return jwt.sign({ sub, ...claims }, secret, { algorithm: 'HS256', expiresIn });
}

/** A token that expired an hour ago — far beyond the default 30 s leeway. */
export function expiredToken(sub) {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ sub, iat: now - 7200, exp: now - 3600 }, JWT_SECRET, { algorithm: 'HS256' });
}

/** A well-formed token signed with some other secret. */
export function wrongSignatureToken(sub) {
  return validToken(sub, { secret: `${JWT_SECRET}-but-not-really` });
}

/** An unsigned token (`alg: none`), which a pinned-algorithm verifier must refuse. */
export function unsignedToken(sub) {
  const encode = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub, exp: now + 3600 })}.`;
}
