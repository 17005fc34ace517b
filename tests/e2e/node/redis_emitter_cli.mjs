// A command-line front of the official @socket.io/redis-emitter, for the cluster tests in
// tests/e2e/cluster (pytest calls it as a subprocess). Not a test file: `node --test` does not
// pick it up (its name matches none of the test patterns).
//
//   node redis_emitter_cli.mjs --redis-url redis://127.0.0.1:6390 [--prefix socket.io] [OPS]
//
// OPS (read from standard input when absent, for large ones) is one JSON operation or a JSON
// array of them, performed in order on one Redis connection:
//   {"op":"emit", "namespace":"/", "rooms":["r1","r2"], "except":["r3"], "event":"ev",
//    "args":[1, "two", {"$binary":"00ff10"}]}          // {"$binary": hex} becomes a Buffer
//   {"op":"socketsJoin",  "rooms":[...], "except":[...], "join":["x","y"]}
//   {"op":"socketsLeave", "rooms":[...], "except":[...], "leave":["x"]}
//   {"op":"disconnectSockets", "rooms":[...], "except":[...], "close":true}
// "rooms" empty or absent means every socket of the namespace. The process exits 0 once Redis has
// processed every PUBLISH (the QUIT reply comes after them), 1 with a message on error.
// Single-threaded (the Node event loop).
import { Emitter } from '@socket.io/redis-emitter';
import { createClient } from 'redis';

async function readStandardInput() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function parseArguments(argv) {
  const options = { prefix: 'socket.io', redisUrl: null, ops: null };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--redis-url') options.redisUrl = argv[++i];
    else if (argv[i] === '--prefix') options.prefix = argv[++i];
    else if (options.ops === null) options.ops = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!options.redisUrl) {
    throw new Error('usage: redis_emitter_cli.mjs --redis-url URL [--prefix P] [OPS_JSON]');
  }
  if (options.ops === null) options.ops = await readStandardInput();
  const parsed = JSON.parse(options.ops);
  options.ops = Array.isArray(parsed) ? parsed : [parsed];
  return options;
}

/** JSON arguments as the emitter should send them: {"$binary": hex} objects become Buffers. */
function decodeArgument(value) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.$binary === 'string' && Object.keys(value).length === 1) {
      return Buffer.from(value.$binary, 'hex');
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeArgument(v)]));
  }
  if (Array.isArray(value)) return value.map(decodeArgument);
  return value;
}

/** The emitter's broadcast operator for the namespace, target rooms and excepted rooms of `op`. */
function target(emitter, op) {
  let operator = emitter.of(op.namespace ?? '/');
  for (const room of op.rooms ?? []) operator = operator.to(room);
  if ((op.except ?? []).length > 0) operator = operator.except(op.except);
  return operator;
}

function perform(emitter, op) {
  switch (op.op) {
    case 'emit':
      target(emitter, op).emit(op.event, ...(op.args ?? []).map(decodeArgument));
      break;
    case 'socketsJoin':
      target(emitter, op).socketsJoin(op.join);
      break;
    case 'socketsLeave':
      target(emitter, op).socketsLeave(op.leave);
      break;
    case 'disconnectSockets':
      target(emitter, op).disconnectSockets(Boolean(op.close));
      break;
    default:
      throw new Error(`unknown op ${JSON.stringify(op.op)}`);
  }
}

async function main() {
  const options = await parseArguments(process.argv.slice(2));
  const client = createClient({ url: options.redisUrl });
  client.on('error', (error) => {
    console.error(`redis: ${error.message}`);
  });
  await client.connect();
  const emitter = new Emitter(client, { key: options.prefix });
  for (const op of options.ops) perform(emitter, op);
  await client.quit(); // replies come in order: every PUBLISH has been processed before this one
}

main().catch((error) => {
  console.error(`redis_emitter_cli: ${error.stack ?? error}`);
  process.exit(1);
});
