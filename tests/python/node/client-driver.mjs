// socket.io-client connections driven by pytest through stdin/stdout, one JSON object per line.
//
// tests/python/node_clients.py starts this process and writes requests
//   {"id": 7, "op": "connect", "handle": "c1", "url": "...", "namespace": "/",
//    "transports": ["polling"] | null, "upgrade": true|false, "auth": {...}|null,
//    "headers": {...}|null, "timeoutMs": 10000}
//   {"id": 8, "op": "emit", "handle": "c1", "event": "echo", "args": [...], "ack": true, "timeoutMs": 10000}
//   {"id": 9, "op": "transport" | "disconnect", "handle": "c1"}
//   {"id": 10, "op": "freeze"}   (answers, then stops this process with SIGSTOP: its sockets stay
//                                 open but nothing is read or answered any more — a hung client)
// and reads replies {"id": 7, "ok": true, ...} / {"id": 7, "ok": false, "error": "...", "data": ...}
// plus unsolicited {"type": "event", "handle", "event", "args"} and
// {"type": "disconnect", "handle", "reason"}. Bytes travel as {"$bytes": "<base64>"} both ways.
// No reconnection, a fresh Manager per socket, every wait bounded by the request's timeoutMs.
// Single-threaded (the Node event loop); the process ends when stdin closes.
import { io } from 'socket.io-client';
import readline from 'node:readline';

const sockets = new Map();

function toWire(value) {
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('base64') };
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)]));
  }
  return value;
}

function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(value.$bytes, 'base64');
    return Object.fromEntries(keys.map((key) => [key, fromWire(value[key])]));
  }
  return value;
}

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function within(ms, what, work) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    work(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}

function socketOf(handle) {
  const socket = sockets.get(handle);
  if (!socket) throw new Error(`no socket with handle ${handle}`);
  return socket;
}

async function connect(request) {
  const options = { forceNew: true, reconnection: false, timeout: request.timeoutMs };
  if (request.transports) options.transports = request.transports;
  if (request.auth) options.auth = request.auth;
  if (request.headers) options.extraHeaders = request.headers;
  const socket = io(`${request.url}${request.namespace === '/' ? '' : request.namespace}`, options);
  sockets.set(request.handle, socket);
  socket.onAny((event, ...args) => send({ type: 'event', handle: request.handle, event, args: toWire(args) }));
  socket.on('disconnect', (reason) => send({ type: 'disconnect', handle: request.handle, reason }));
  try {
    await within(request.timeoutMs, `'connect' of ${request.handle}`, (resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', (error) => {
        const failure = new Error(error.message);
        failure.data = error.data ?? null;
        failure.refused = true;
        reject(failure);
      });
    });
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  const engine = socket.io.engine;
  if (request.upgrade && engine.transport.name !== 'websocket') {
    await within(request.timeoutMs, `the upgrade of ${request.handle}`, (resolve, reject) => {
      engine.once('upgrade', resolve);
      engine.once('upgradeError', (error) => reject(new Error(`upgrade failed: ${error.message}`)));
    });
  }
  return { sid: socket.id, transport: engine.transport.name };
}

// Reconnects a socket whose transport was cut; it presents its pid and last offset (if any).
async function comeBack(request) {
  const socket = socketOf(request.handle);
  socket.connect();
  await within(request.timeoutMs, `'connect' of ${request.handle} coming back`, (resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (error) => reject(new Error(error.message)));
  });
  return { sid: socket.id, recovered: socket.recovered === true };
}

function emitWithoutAck(request) {
  socketOf(request.handle).emit(request.event, ...fromWire(request.args));
  return {};
}

// Waits for the ack and keeps every argument of it (emitWithAck would keep only the first).
function emitWithAck(request) {
  const socket = socketOf(request.handle);
  const args = fromWire(request.args);
  return within(request.timeoutMs, `the ack of '${request.event}'`, (resolve) => {
    socket.emit(request.event, ...args, (...ackArgs) => resolve({ ackArgs: toWire(ackArgs) }));
  });
}

async function handle(request) {
  switch (request.op) {
    case 'connect':
      return connect(request);
    case 'emit':
      return request.ack ? emitWithAck(request) : emitWithoutAck(request);
    case 'transport': {
      const socket = socketOf(request.handle);
      return { transport: socket.io.engine?.transport?.name ?? null, connected: socket.connected };
    }
    case 'disconnect':
      socketOf(request.handle).disconnect();
      return {};
    case 'cut':  // the transport goes, with no DISCONNECT packet: the client may recover
      socketOf(request.handle).io.engine.close();
      return {};
    case 'come_back':
      return comeBack(request);
    case 'freeze':
      setTimeout(() => process.kill(process.pid, 'SIGSTOP'), 50);
      return {};
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  handle(request).then(
    (result) => send({ id: request.id, ok: true, ...result }),
    (error) => send({
      id: request.id, ok: false, error: error.message, refused: error.refused ?? false, data: error.data ?? null,
    }),
  );
});
lines.on('close', () => {
  for (const socket of sockets.values()) socket.disconnect();
  setTimeout(() => process.exit(0), 100);
});
