"""Gateway nodes in cluster mode: starting them against a private Redis, reading their health and
metrics, and checking at the end that none crashed.

A Cluster is N socket-gateway processes (node ids like "nodeA", each on its own free port) that
share one RedisServer through --redis-url and --redis-key-prefix. Nodes are ServerProcess objects
of the shared tests/e2e/conftest.py (loaded from that file, since `conftest` is not importable by
name), so their logs land in test-output/ like every other server's. Stopping a cluster SIGTERMs
every node that should still run and returns complaints: a node that died on its own, did not exit
0, or left a crash report (sanitizer, abort, segfault) in its log.

Threading: the pytest thread only.
"""
from __future__ import annotations

import importlib.util
import pathlib
import re
import signal
import time
from typing import Optional

import requests

from cluster_redis import RedisServer

_SHARED_CONFTEST = pathlib.Path(__file__).resolve().parents[1] / "conftest.py"
_spec = importlib.util.spec_from_file_location("e2e_shared_fixtures", _SHARED_CONFTEST)
shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shared)

JWT_SECRET = shared.JWT_SECRET
scaled = shared.scaled
free_port = shared.free_port
mint_token = shared.mint_token
OUTPUT_DIR = shared.OUTPUT_DIR

CRASH_SIGNS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
               "Segmentation fault", "terminate called", "core dumped")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
ROOMS_CLAIM = "rooms"
ADMIN_NAMESPACE = "/admin"  # every node serves it besides "/"

# Every process a cluster fixture started and has not stopped yet; the conftest attaches their
# logs to the report of a failing test.
LIVE_PROCESSES: list = []


class Metrics:
    """One /metrics scrape: value("name{labels}") or 0 when absent."""

    def __init__(self, text: str):
        self.text = text
        self.samples: dict = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                match = SAMPLE.match(line)
                if match:
                    name, labels, value = match.groups()
                    self.samples[name + (labels or "")] = float(value)

    def value(self, key: str) -> float:
        return self.samples.get(key, 0.0)

    def has(self, key: str) -> bool:
        return key in self.samples


def received(channel: str) -> str:
    return f'socket_gateway_cluster_messages_received_total{{channel="{channel}"}}'


class Node:
    """One gateway node: its process, id and URL."""

    def __init__(self, node_id: str, process):
        self.node_id = node_id
        self.process = process
        self.url = process.url
        self.port = process.port
        self.expected_dead = False  # set by a test that kills this node on purpose

    def __repr__(self) -> str:
        return f"Node({self.node_id} on {self.port})"

    def owns(self, sid: str) -> bool:
        return sid.startswith(self.node_id + "-")

    def healthz(self) -> tuple:
        response = requests.get(self.url + "/healthz", timeout=scaled(5))
        return response.status_code, response.json()

    def metrics(self) -> Metrics:
        response = requests.get(self.url + "/metrics", timeout=scaled(5))
        assert response.status_code == 200, f"{self}: /metrics {response.status_code}"
        return Metrics(response.text)

    def metric(self, key: str) -> float:
        return self.metrics().value(key)

    def alive(self) -> bool:
        return self.process.process.poll() is None

    def signal(self, signum: int) -> None:
        self.process.process.send_signal(signum)


class Cluster:
    """Nodes sharing `redis` under `prefix`; nodes[0] is A, nodes[1] B, nodes[2] C."""

    def __init__(self, redis: RedisServer, prefix: str, nodes: list):
        self.redis = redis
        self.prefix = prefix
        self.nodes = nodes

    @property
    def a(self) -> Node:
        return self.nodes[0]

    @property
    def b(self) -> Node:
        return self.nodes[1]

    @property
    def c(self) -> Node:
        return self.nodes[2]

    def owner_of(self, sid: str) -> Node:
        owners = [node for node in self.nodes if node.owns(sid)]
        assert len(owners) == 1, f"sid {sid!r} names no single node of {self.nodes}"
        return owners[0]

    def room_channel(self, room: str, namespace: str = "/") -> str:
        return f"{self.prefix}#{namespace}#{room}#"

    def broadcast_channel(self, namespace: str = "/") -> str:
        return f"{self.prefix}#{namespace}#"

    def request_channel(self, namespace: str = "/") -> str:
        return f"{self.prefix}-request#{namespace}#"

    def node_channel(self, node: Node) -> str:
        return f"{self.prefix}-node#{node.node_id}#"

    def wait_subscribers(self, room: str, count: int, namespace: str = "/",
                         timeout: float = 5.0) -> None:
        """Waits until exactly `count` connections (one per node) listen on `room`'s channel."""
        channel = self.room_channel(room, namespace)
        deadline = time.monotonic() + scaled(timeout)
        while True:
            now = self.redis.subscribers(channel)
            if now == count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{channel}: {now} subscribers after {scaled(timeout):.1f} s, "
                                     f"expected {count}")
            time.sleep(0.02)


def launch(flags: list, log_name: str, env: Optional[dict] = None):
    """Starts socket-gateway on a free port with the test JWT secret and `flags`, without waiting;
    `env` adds variables to a clean environment. Returns the shared ServerProcess."""
    port = free_port()
    argv = [str(shared.binary_path("socket-gateway")), "--host", "127.0.0.1", "--port", str(port),
            "--jwt-secret", JWT_SECRET, *flags]
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    log_path = OUTPUT_DIR / f"socket-gateway-cluster-{log_name}-{port}.log"
    process = shared.ServerProcess(argv, port, log_path, shared.clean_environment(env))
    LIVE_PROCESSES.append(process)
    return process


def start_node(node_id: Optional[str], redis: RedisServer, prefix: str, log_tag: str,
               extra_flags: tuple = (), wait_connected: bool = True) -> Node:
    """Starts socket-gateway in cluster mode and waits until it serves (and, unless told
    otherwise, reports Redis connected). node_id None leaves the id to the node."""
    flags = ["--redis-url", redis.url, "--redis-key-prefix", prefix,
             "--jwt-rooms-claim", ROOMS_CLAIM, "--namespaces", ADMIN_NAMESPACE, *extra_flags]
    if node_id is not None:
        flags += ["--node-id", node_id]
    process = launch(flags, f"{log_tag}-{node_id or 'anon'}")
    try:
        process.wait_ready("healthz", scaled(15))
        node = Node(node_id or "", process)
        if wait_connected:
            wait_redis_connected(node, scaled(15))
    except BaseException:
        process.process.kill()
        process.process.wait()
        LIVE_PROCESSES.remove(process)
        raise
    return node


def wait_redis_connected(node: Node, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = node.healthz()
            if last == (200, {"status": "ok", "redis": "connected"}):
                return
        except (requests.RequestException, ValueError) as error:
            last = repr(error)
        time.sleep(0.05)
    raise AssertionError(f"{node}: /healthz not ok+connected within {timeout:.1f} s (last: {last})"
                         f"\n{node.process.log_text()[-3000:]}")


def add_nodes(cluster: Cluster, log_tag: str, count: int = 3, extra_flags: tuple = ()) -> None:
    """Starts nodes nodeA, nodeB, ... into `cluster` (each kept as soon as it runs)."""
    for _ in range(count):
        node_id = f"node{chr(ord('A') + len(cluster.nodes))}"
        cluster.nodes.append(start_node(node_id, cluster.redis, cluster.prefix, log_tag,
                                        extra_flags))


def start_redis(log_tag: str, port: Optional[int] = None) -> RedisServer:
    port = port or free_port()
    redis = RedisServer(port, OUTPUT_DIR / f"redis-{log_tag}-{port}.log", scaled(15))
    LIVE_PROCESSES.append(redis)
    return redis


def crash_signs(log: str) -> list:
    return [sign for sign in CRASH_SIGNS if sign in log]


def stop_cluster(cluster: Cluster) -> list:
    """SIGTERMs every node; returns complaints (died early, bad exit, crash report in the log)."""
    complaints = []
    for node in cluster.nodes:
        if node.expected_dead:
            continue
        if not node.alive():
            complaints.append(f"{node} died during the tests (exit {node.process.process.returncode})")
        else:
            node.signal(signal.SIGCONT)  # harmless unless a test left it stopped
            node.process.signal(signal.SIGTERM)
    for node in cluster.nodes:
        if node.expected_dead:
            node.process.process.kill()
            node.process.process.wait()
        else:
            code = node.process.wait_exit(scaled(10))
            if code is None:
                node.process.process.kill()
                node.process.process.wait()
                complaints.append(f"{node} still running {scaled(10):.0f} s after SIGTERM")
            elif code != 0:
                complaints.append(f"{node} exited with {code} after SIGTERM")
        log = node.process.log_text()
        node.process._log_file.close()
        signs = crash_signs(log)
        if signs and not node.expected_dead:
            complaints.append(f"{node} log shows {signs}:\n{log[-4000:]}")
        if node.process in LIVE_PROCESSES:
            LIVE_PROCESSES.remove(node.process)
    return complaints


def stop_redis(redis: RedisServer) -> None:
    redis.stop()
    if redis in LIVE_PROCESSES:
        LIVE_PROCESSES.remove(redis)


def token(user: str, rooms: Optional[list] = None) -> str:
    """A JWT for `user`; `rooms` goes into the rooms claim the nodes are started with."""
    claims = {ROOMS_CLAIM: rooms} if rooms is not None else {}
    return mint_token(user, **claims)
