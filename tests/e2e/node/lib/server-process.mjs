// Starts and stops the server binaries under test as child processes.
//
// Each server gets a free loopback port, its stdout+stderr go to a file under
// <repo>/test-output/node/, and readiness is awaited with a bounded wait (GET /healthz == 200 for
// the standalone gateway, TCP accept for the conformance server). stop() sends SIGTERM, then
// SIGKILL after a timeout. Every child is also SIGKILLed when the test process exits, so a failed
// test never leaves a server behind. `withServerLog` prints a server's log when a test fails.
// Single-threaded (the Node event loop); no shared state beyond the set of live children.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** Sanitizer builds are 3-5x slower: every timeout in the suite goes through `scaled`. */
export const TIME_FACTOR = process.env.SG_SANITIZED === '1' ? 5 : 1;
export const scaled = (ms) => ms * TIME_FACTOR;

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../../..');
/** SG_BUILD_DIR is relative to the working directory (tests/e2e/node under the Makefile). */
export const BUILD_DIR = path.resolve(process.env.SG_BUILD_DIR ?? path.join(REPO_ROOT, 'build'));
export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output', 'node');

const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** A port that was free a moment ago (bound to 0 and released). */
export async function findFreePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let logSequence = 0;

/** A running server binary: its port, base URL, log file, and how to stop it. */
export class ServerProcess {
  constructor({ binary, args, name, port }) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    fs.mkdirSync(OUTPUT_DIR, { recursive: true });
    logSequence += 1;
    this.logPath = path.join(OUTPUT_DIR, `${name}-${process.pid}-${logSequence}.log`);
    const logFd = fs.openSync(this.logPath, 'w');
    fs.writeSync(logFd, `$ ${binary} ${args.join(' ')}\n`);
    this.child = spawn(binary, args, { stdio: ['ignore', logFd, logFd] });
    fs.closeSync(logFd);
    liveChildren.add(this.child);
    this.exitStatus = null;
    this.exited = new Promise((resolve) => {
      const finish = (code, signal) => {
        liveChildren.delete(this.child);
        this.exitStatus ??= { code, signal };
        resolve(this.exitStatus);
      };
      this.child.once('exit', finish);
      this.child.once('error', (error) => {
        this.exitStatus ??= { code: null, signal: null, error };
        finish(null, null);
      });
    });
  }

  /** The server's log so far (stdout and stderr interleaved). */
  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Resolves with the exit status, or null if the process is still running after `ms`. */
  async waitForExit(ms) {
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited in time. Resolves with {code, signal}. */
  async stop(graceMs = scaled(8000)) {
    if (this.exitStatus) return this.exitStatus;
    this.child.kill('SIGTERM');
    const status = await this.waitForExit(graceMs);
    if (status) return status;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Polls `isReady` until it returns true; fails early if the process exits. */
  async waitUntilReady(isReady, what, ms = scaled(15000)) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.exitStatus) {
        throw new Error(`server exited before ${what}: ${JSON.stringify(this.exitStatus)}\n${this.log()}`);
      }
      if (await isReady().catch(() => false)) return;
      await sleep(50);
    }
    throw new Error(`server not ready (${what}) after ${ms} ms\n${this.log()}`);
  }
}

async function healthzIsOk(url) {
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.status === 200;
}

function acceptsTcp(port) {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function binaryPath(name) {
  const binary = path.join(BUILD_DIR, name);
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} does not exist: build it first (SG_BUILD_DIR=${BUILD_DIR})`);
  }
  return binary;
}

/** The HMAC secret every standalone gateway in this suite is started with. */
export const JWT_SECRET = 'node-e2e-secret-0f4c7a9d2b';

/** Starts `socket-gateway` on a free port and waits until /healthz answers 200. */
export async function startGateway({ name = 'gateway', extraArgs = [] } = {}) {
  const port = await findFreePort();
  const args = ['--host', '127.0.0.1', '--port', String(port), '--jwt-secret', JWT_SECRET,
    '--log-level', 'debug', ...extraArgs];
  const server = new ServerProcess({ binary: binaryPath('socket-gateway'), args, name, port });
  await server.waitUntilReady(() => healthzIsOk(server.url), 'GET /healthz == 200');
  return server;
}

/**
 * Starts a private `redis-server` (Debian's) on a free port, keeping nothing on disk; `port`
 * restarts one where a stopped one listened (it comes back empty).
 */
export async function startRedis({ name = 'redis', port = undefined } = {}) {
  port ??= await findFreePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const server = new ServerProcess({ binary: 'redis-server', args, name, port });
  await server.waitUntilReady(() => acceptsTcp(port), 'TCP accept');
  server.redisUrl = `redis://127.0.0.1:${port}`;
  return server;
}

/** Starts `conformance-server` on a free port and waits until it accepts TCP connections. */
export async function startConformanceServer({ name = 'conformance', extraArgs = [] } = {}) {
  const port = await findFreePort();
  const args = ['--port', String(port), ...extraArgs];
  const server = new ServerProcess({ binary: binaryPath('conformance-server'), args, name, port });
  await server.waitUntilReady(() => acceptsTcp(port), 'TCP accept');
  return server;
}

/**
 * Wraps a test body so that, when it fails, the server's log is printed next to the failure.
 * Usage: it('does x', withServerLog(() => server, async () => { ... })).
 */
export function withServerLog(getServer, body) {
  return async (...testArgs) => {
    try {
      await body(...testArgs);
    } catch (error) {
      const server = getServer();
      if (server) {
        const log = server.log();
        const tail = log.length > 20000 ? `[... ${log.length - 20000} chars cut ...]\n${log.slice(-20000)}` : log;
        process.stderr.write(`\n----- server log ${server.logPath} -----\n${tail}\n----- end of server log -----\n`);
      }
      throw error;
    }
  };
}
