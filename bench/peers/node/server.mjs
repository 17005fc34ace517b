// The bench contract (bench/peers/README.md) on socket.io 4.8 / Node.js: a peer that Socket
// Gateway is benchmarked against. Clients connect over WebSocket directly (long-polling stays
// enabled only so the readiness probe `GET /socket.io/?EIO=4&transport=polling` answers 200);
// no compression, ping 25 s / 20 s.
// A middleware verifies the HS256 JWT of `auth.token` (secret BENCH_JWT_SECRET) and joins the
// socket to `user:<sub>` and to every room of the `rooms` claim; socket.io runs middlewares
// before it writes the CONNECT packet (Namespace._add -> run -> _doConnect -> _onconnect), so
// the rooms are joined before the client sees its CONNECT. An admin (claim role = "admin")
// sends `bench:emit` with an ack to make the server emit; see handleBenchEmit.
// Listens on 127.0.0.1:$PORT; prints nothing unless it fails.
//
// Threading: Node's single event loop.
import { createServer } from "node:http";
import jwt from "jsonwebtoken";
import { Server } from "socket.io";

const secret = process.env.BENCH_JWT_SECRET;
const port = Number(process.env.PORT);
const host = process.env.HOST || "127.0.0.1";
if (!secret || !Number.isInteger(port) || port <= 0) {
  console.error("bench peer (node): set BENCH_JWT_SECRET and PORT");
  process.exit(2);
}

// A bench request may not ask for more than this many emits in one call.
const MAX_ISSUED = 1_000_000;
// Names socket.io reserves (io.emit throws on them); a request for them is malformed.
const RESERVED_EVENTS = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

// The verified claims, or null for a missing / bad / expired token or one without a sub.
function verifiedClaims(token) {
  if (typeof token !== "string" || token === "") return null;
  try {
    const claims = jwt.verify(token, secret, { algorithms: ["HS256"] });
    return typeof claims === "object" && typeof claims.sub === "string" && claims.sub !== "" ? claims : null;
  } catch {
    return null;
  }
}

// The rooms a socket joins before its CONNECT: its user's room and the `rooms` claim's strings.
function roomsOf(claims) {
  const rooms = [`user:${claims.sub}`];
  if (Array.isArray(claims.rooms)) {
    for (const room of claims.rooms) if (typeof room === "string" && room !== "") rooms.push(room);
  }
  return rooms;
}

const isStringArray = (value) => Array.isArray(value) && value.every((item) => typeof item === "string");

// The parsed request — {targets: [room | null (everyone)], ev, payload, repeat} — or null.
function parseRequest(request) {
  if (typeof request !== "object" || request === null || Array.isArray(request)) return null;
  const { to, ev } = request;
  let targets;
  if (to === "all") {
    targets = [null];
  } else if (typeof to === "object" && to !== null && !Array.isArray(to) && Object.keys(to).length === 1) {
    if (isStringArray(to.users)) targets = to.users.map((user) => `user:${user}`);
    else if (isStringArray(to.rooms)) targets = to.rooms;
    else return null;
  } else {
    return null;
  }
  if (typeof ev !== "string" || ev === "" || RESERVED_EVENTS.has(ev)) return null;
  const repeat = request.repeat === undefined ? 1 : request.repeat;
  if (!Number.isInteger(repeat) || repeat < 0 || repeat * targets.length > MAX_ISSUED) return null;
  const payload = request.payload === undefined ? null : request.payload;
  return { targets, ev, payload, repeat };
}

// `repeat` rounds; each round emits once to every target, in order. Returns the ack.
function handleBenchEmit(io, socket, request) {
  if (socket.data.claims.role !== "admin") return { error: "forbidden" };
  const parsed = parseRequest(request);
  if (parsed === null) return { error: "bad request" };
  let issued = 0;
  for (let round = 0; round < parsed.repeat; round++) {
    for (const room of parsed.targets) {
      if (room === null) io.emit(parsed.ev, parsed.payload);
      else io.to(room).emit(parsed.ev, parsed.payload);
      issued++;
    }
  }
  return { issued };
}

const httpServer = createServer();
const io = new Server(httpServer, {
  transports: ["polling", "websocket"],
  perMessageDeflate: false,
  httpCompression: false,
  pingInterval: 25000,
  pingTimeout: 20000,
  serveClient: false,
});

io.use((socket, next) => {
  const claims = verifiedClaims(socket.handshake.auth?.token);
  if (claims === null) return next(new Error("Unauthorized"));
  socket.data.claims = claims;
  socket.join(roomsOf(claims));
  next();
});

io.on("connection", (socket) => {
  socket.on("bench:emit", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    const reply = handleBenchEmit(io, socket, args[0]);
    if (ack) ack(reply);
  });
});

httpServer.on("error", (error) => {
  console.error(`bench peer (node): ${error.message}`);
  process.exit(1);
});
httpServer.listen(port, host);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
