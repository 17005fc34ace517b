// Real socket.io-client connections for the end-to-end tests, with bounded waits everywhere.
//
// TRANSPORT_MODES is the parametrisation every transport-sensitive test runs over: polling only,
// WebSocket only, and the default polling start followed by an upgrade to WebSocket. A
// ClientGroup owns every client a test opens (no reconnection, a fresh Manager each unless a test
// asks for a shared one) and closes them all in the test's finally block. EventLog records one
// event's arguments on one socket and lets a test wait for a count of them.
// Single-threaded (the Node event loop).
import { io, Manager } from 'socket.io-client';
import { scaled } from './server-process.mjs';

/** The three ways a client reaches the server; `upgrades` means: start polling, end on WebSocket. */
export const TRANSPORT_MODES = [
  { name: 'polling', options: { transports: ['polling'] }, finalTransport: 'polling', upgrades: false },
  { name: 'websocket', options: { transports: ['websocket'] }, finalTransport: 'websocket', upgrades: false },
  { name: 'polling upgraded to websocket', options: {}, finalTransport: 'websocket', upgrades: true },
];

/** Rejects with a message naming what was awaited when `promise` has not settled within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The arguments of the next `eventName` on `emitter`, within `ms`. */
export function nextEvent(emitter, eventName, ms = scaled(5000)) {
  let listener;
  const arrived = new Promise((resolve) => {
    listener = (...args) => resolve(args);
    emitter.once(eventName, listener);
  });
  return withTimeout(arrived, ms, `event '${eventName}'`).finally(() => emitter.off(eventName, listener));
}

/** Polls `condition` (sync or async) until it returns truthy, failing after `ms`. */
export async function eventually(condition, what, ms = scaled(5000)) {
  const deadline = Date.now() + ms;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${ms} ms: ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

/** Resolves with the socket on 'connect'; rejects on 'connect_error' or after `ms`. */
export function waitForConnect(socket, ms = scaled(5000)) {
  if (socket.connected) return Promise.resolve(socket);
  let onConnect;
  let onError;
  const outcome = new Promise((resolve, reject) => {
    onConnect = () => resolve(socket);
    onError = (error) => reject(new Error(`expected 'connect', got connect_error: ${error.message}`));
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
  return withTimeout(outcome, ms, `'connect' on ${socket.nsp}`).finally(() => {
    socket.off('connect', onConnect);
    socket.off('connect_error', onError);
  });
}

/** Resolves with the Error of 'connect_error'; rejects if the socket connects instead. */
export function waitForConnectError(socket, ms = scaled(5000)) {
  let onConnect;
  let onError;
  const outcome = new Promise((resolve, reject) => {
    onConnect = () => reject(new Error(`expected connect_error, but ${socket.nsp} connected (id ${socket.id})`));
    onError = (error) => resolve(error);
    socket.once('connect', onConnect);
    socket.once('connect_error', onError);
  });
  return withTimeout(outcome, ms, `'connect_error' on ${socket.nsp}`).finally(() => {
    socket.off('connect', onConnect);
    socket.off('connect_error', onError);
  });
}

/** Resolves once the Engine.IO connection under `socket` runs on WebSocket. */
export async function waitForUpgrade(socket, ms = scaled(5000)) {
  const engine = socket.io.engine;
  if (engine.transport.name === 'websocket') return;
  let onUpgrade;
  let onUpgradeError;
  const upgraded = new Promise((resolve, reject) => {
    onUpgrade = () => resolve();
    onUpgradeError = (error) => reject(new Error(`upgrade failed: ${error.message}`));
    engine.once('upgrade', onUpgrade);
    engine.once('upgradeError', onUpgradeError);
  });
  await withTimeout(upgraded, ms, 'the upgrade to websocket').finally(() => {
    engine.off('upgrade', onUpgrade);
    engine.off('upgradeError', onUpgradeError);
  });
}

/** Every argument list one socket received for one event, in arrival order. */
export class EventLog {
  constructor(socket, eventName) {
    this.eventName = eventName;
    this.received = [];
    this.waiters = [];
    socket.on(eventName, (...args) => {
      this.received.push(args);
      this.waiters = this.waiters.filter((waiter) => !waiter());
    });
  }

  /** Resolves with the received argument lists once there are at least `count` of them. */
  waitForCount(count, ms = scaled(5000)) {
    if (this.received.length >= count) return Promise.resolve(this.received.slice());
    let waiter;
    const reached = new Promise((resolve) => {
      waiter = () => {
        if (this.received.length < count) return false;
        resolve(this.received.slice());
        return true;
      };
      this.waiters.push(waiter);
    });
    return withTimeout(reached, ms, `${count} '${this.eventName}' events (have ${this.received.length})`)
      .finally(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
      });
  }
}

/** The clients of one test: opened with bounded waits, all closed by closeAll(). */
export class ClientGroup {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.sockets = [];
    this.managers = [];
  }

  /** Opens a client (its own Manager) without waiting; attach listeners, then await. */
  open({ namespace = '/', mode = TRANSPORT_MODES[0], auth, options = {} } = {}) {
    const socket = io(`${this.baseUrl}${namespace}`, {
      forceNew: true,
      reconnection: false,
      timeout: scaled(5000),
      ...mode.options,
      ...(auth === undefined ? {} : { auth }),
      ...options,
    });
    this.sockets.push(socket);
    return socket;
  }

  /** Opens a client and resolves once it is connected (and upgraded, for the upgrading mode). */
  async connect(settings = {}) {
    const socket = this.open(settings);
    await waitForConnect(socket);
    if (settings.mode?.upgrades) await waitForUpgrade(socket);
    return socket;
  }

  /** A Manager (one Engine.IO connection) whose namespace sockets this group will close. */
  manager({ mode = TRANSPORT_MODES[0], options = {} } = {}) {
    const manager = new Manager(this.baseUrl, {
      reconnection: false,
      timeout: scaled(5000),
      ...mode.options,
      ...options,
    });
    this.managers.push(manager);
    return manager;
  }

  /** Disconnects every socket and manager this group opened. Safe to call twice. */
  closeAll() {
    for (const socket of this.sockets) socket.disconnect();
    for (const manager of this.managers) {
      for (const socket of Object.values(manager.nsps)) socket.disconnect();
      manager.disconnect();
    }
    this.sockets = [];
    this.managers = [];
  }
}
