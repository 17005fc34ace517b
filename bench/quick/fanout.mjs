// Quick fan-out measurement (a seed for the full benchmark harness): starts socket-gateway
// pinned to one core, connects N WebSocket clients with socket.io-client, broadcasts M events
// through the HTTP API, waits until every client has all of them (exact count), and reports the
// server's CPU time (from /proc/<pid>/stat) per delivery, plus its RSS per connection.
//
// usage: node fanout.mjs [--clients 1000] [--messages 50] [--payload 100] [--binary ../../build/socket-gateway]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { io } from "socket.io-client";
import jwt from "jsonwebtoken";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [value.replace(/^--/, ""), all[i + 1]]]), []));
const clients = Number(args.clients ?? 1000);
const messages = Number(args.messages ?? 50);
const payloadBytes = Number(args.payload ?? 100);
const binary = path.resolve(args.binary ?? "../../build/socket-gateway");
const secret = "bench-secret-0123456789";
const ticks = 100;  // USER_HZ

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticks;  // utime + stime
}

function rssKiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(line.split(/\s+/)[1]);
}

const port = await freePort();
const server = spawn("taskset", ["-c", "0", binary, "--port", String(port), "--host", "127.0.0.1", "--threads", "1",
  "--jwt-secret", secret, "--log-level", "warn"], { stdio: ["ignore", "inherit", "inherit"] });
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 50));
}

const rssBefore = rssKiB(server.pid);
let received = 0;
let allDone;
const done = new Promise((resolve) => { allDone = resolve; });
const sockets = [];
for (let i = 0; i < clients; i++) {
  const token = jwt.sign({ sub: `user${i}` }, secret, { algorithm: "HS256", expiresIn: 3600 });
  const socket = io(url, { transports: ["websocket"], auth: { token }, reconnection: false });
  socket.on("tick", () => { if (++received === clients * messages) allDone(); });
  sockets.push(new Promise((resolve, reject) => { socket.once("connect", () => resolve(socket)); socket.once("connect_error", reject); }));
}
const connected = await Promise.all(sockets);
const rssAfter = rssKiB(server.pid);

const payload = "x".repeat(payloadBytes);
const cpuStart = cpuSeconds(server.pid);
const wallStart = process.hrtime.bigint();
for (let m = 0; m < messages; m++) {
  await fetch(`${url}/api/v1/events`, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: "tick", data: payload }) });
}
await done;
const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
const cpu = cpuSeconds(server.pid) - cpuStart;
const deliveries = clients * messages;
console.log(JSON.stringify({
  clients, messages, payload_bytes: payloadBytes, deliveries, received,
  server_cpu_us_per_delivery: +(cpu * 1e6 / deliveries).toFixed(3),
  deliveries_per_second_wall: Math.round(deliveries / wallSeconds),
  server_rss_kib_per_connection: +((rssAfter - rssBefore) / clients).toFixed(2),
}));
for (const socket of connected) socket.close();
server.kill("SIGTERM");
