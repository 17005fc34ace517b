// Publishes with the npm @socket.io/redis-emitter, the reference that
// tests/python/test_redis_emitter.py compares socket_gateway.RedisEmitter with.
//
// Usage: node redis-emitter-publish.mjs <redis-url> <key-prefix>   (operations as JSON on stdin)
// Operations, done in order, each one publish:
//   {"op": "emit", "namespace": "/", "rooms": [...], "except": [...], "event": "e", "args": [...]}
//   {"op": "join" | "leave", "namespace": "/", "sid": "...", "room": "..."}
//   {"op": "disconnect", "namespace": "/", "sid": "..."}
// Bytes inside args travel as {"$bytes": "<base64>"} and become Buffers (msgpack bin).
// Exits 0 once every publish was written and Redis answered the QUIT behind them.
// Single-threaded (the Node event loop); one run per call.
import { createClient } from 'redis';
import { Emitter } from '@socket.io/redis-emitter';

function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$bytes') return Buffer.from(value.$bytes, 'base64');
    return Object.fromEntries(keys.map((key) => [key, fromWire(value[key])]));
  }
  return value;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function perform(emitter, operation) {
  const namespace = emitter.of(operation.namespace);
  switch (operation.op) {
    case 'emit': {
      let target = namespace;
      if (operation.rooms.length > 0) target = target.to(operation.rooms);
      if (operation.except.length > 0) target = target.except(operation.except);
      target.emit(operation.event, ...fromWire(operation.args));
      return;
    }
    case 'join':
      namespace.in(operation.sid).socketsJoin(operation.room);
      return;
    case 'leave':
      namespace.in(operation.sid).socketsLeave(operation.room);
      return;
    case 'disconnect':
      namespace.in(operation.sid).disconnectSockets(true);
      return;
    default:
      throw new Error(`unknown operation ${operation.op}`);
  }
}

const [url, key] = process.argv.slice(2);
const operations = JSON.parse(await readStdin());
const client = createClient({ url });
client.on('error', (error) => { console.error(error); process.exitCode = 1; });
await client.connect();
const emitter = new Emitter(client, { key });
for (const operation of operations) perform(emitter, operation);
await client.quit();  // queued behind the publishes: they are all sent once it resolves
