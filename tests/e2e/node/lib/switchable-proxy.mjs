// A TCP proxy standing in for the load balancer in front of a cluster: clients connect to it, it
// forwards each connection to the current backend port, and `switchTo(port)` moves the backend
// and destroys every connection open at that moment (both halves), as a balancer does when it
// moves a phone that lost its network to another node. What comes next — the client's reconnect,
// its next polling request on a fresh (or formerly keep-alive) connection, a WebSocket upgrade —
// reaches the new backend.
//
// It forwards bytes only (no HTTP parsing), so HTTP keep-alive, long-polling and WebSocket all
// pass through unchanged. It counts the connections it forwarded to each backend, so a test can
// prove which node a client reached. Loopback only. Single-threaded (the Node event loop).
import net from 'node:net';

export class SwitchableProxy {
  /** Listens on a free loopback port, forwarding to `backendPort` until switched. */
  static async start(backendPort) {
    const proxy = new SwitchableProxy(backendPort);
    await new Promise((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    proxy.port = proxy.server.address().port;
    proxy.url = `http://127.0.0.1:${proxy.port}`;
    return proxy;
  }

  constructor(backendPort) {
    this.backendPort = backendPort;
    this.pairs = new Set();
    this.forwarded = new Map();
    this.server = net.createServer((client) => this.forward(client));
  }

  forward(client) {
    const backendPort = this.backendPort;
    this.forwarded.set(backendPort, (this.forwarded.get(backendPort) ?? 0) + 1);
    const backend = net.connect({ host: '127.0.0.1', port: backendPort });
    const pair = { client, backend, backendPort };
    this.pairs.add(pair);
    const teardown = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      backend.destroy();
    };
    for (const end of [client, backend]) {
      end.setNoDelay(true);
      end.on('error', teardown);
      end.once('close', teardown);
    }
    client.pipe(backend);
    backend.pipe(client);
  }

  /** How many client connections were forwarded to `port` so far. */
  connectionsTo(port) {
    return this.forwarded.get(port) ?? 0;
  }

  /** Connections open now, to any backend. */
  get openConnections() {
    return this.pairs.size;
  }

  /** New connections go to `port`; every open one is destroyed. Returns how many were. */
  switchTo(port) {
    this.backendPort = port;
    return this.dropAll();
  }

  /** Destroys every open connection (the backend stays). Returns how many there were. */
  dropAll() {
    const open = [...this.pairs];
    this.pairs.clear();
    for (const { client, backend } of open) {
      client.destroy();
      backend.destroy();
    }
    return open.length;
  }

  /** Stops listening and destroys every open connection. */
  async close() {
    this.dropAll();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
}
