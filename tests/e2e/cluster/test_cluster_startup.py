"""Starting nodes in cluster mode: settings from flags or environment, defaults, bad settings, and a
node that starts before its Redis does.

- SOCKET_GATEWAY_REDIS_URL / _REDIS_KEY_PREFIX / _NODE_ID / _JWT_ROOMS_CLAIM work like the flags.
- Without --node-id each node draws its own id (8 letters or digits) and its sids carry it.
- A bad node id or Redis URL stops the node at startup with a non-zero exit.
- A node named "emitter" (the uid of every npm/Python emitter message, which a node skips as its
  own echo) must either be refused or still deliver the emitters' messages.
- A node whose Redis is not up yet serves its own clients (degraded) and joins once Redis appears.
- Without --redis-url the node is standalone: healthz {"status":"ok"} and no cluster metrics.
"""
from __future__ import annotations

import re

import pytest

from cluster_audience import new_mark
from cluster_nodes import (Cluster, Node, free_port, launch, scaled, start_node, start_redis,
                           stop_cluster, stop_redis, wait_redis_connected)
from cluster_npm_emitter import NpmEmitter
from standalone_api import GatewayApi

DEGRADED = (200, {"status": "degraded", "redis": "disconnected"})


@pytest.fixture
def started():
    """Collects the nodes and Redis servers a test starts; stops them and checks the nodes."""
    nodes, redises = [], []
    yield nodes, redises
    complaints = stop_cluster(Cluster(None, "", nodes))
    for redis in redises:
        stop_redis(redis)
    if complaints:
        pytest.fail("nodes did not end cleanly:\n" + "\n".join(complaints), pytrace=False)


def test_cluster_settings_come_from_the_environment(started, audience):
    nodes, redises = started
    redis = start_redis("environment")
    redises.append(redis)
    env = {"SOCKET_GATEWAY_REDIS_URL": redis.url, "SOCKET_GATEWAY_REDIS_KEY_PREFIX": "envprefix",
           "SOCKET_GATEWAY_NODE_ID": "envNode7", "SOCKET_GATEWAY_JWT_ROOMS_CLAIM": "rooms"}
    process = launch([], "environment", env=env)
    nodes.append(Node("envNode7", process))
    process.wait_ready("healthz", scaled(15))
    wait_redis_connected(nodes[0], scaled(15))
    client = audience.connect(nodes[0], "websocket", "env-user", rooms=["env-room"])
    assert client.sid().startswith("envNode7-"), client.sid()
    cluster = Cluster(redis, "envprefix", nodes)
    cluster.wait_subscribers("env-room", 1)
    cluster.wait_subscribers("user:env-user", 1)
    mark = new_mark()
    NpmEmitter(redis.url, "envprefix").emit("env", mark, rooms=["env-room"])
    audience.expect_once("env", mark, [client], barrier_via=nodes[0])


def test_nodes_without_an_id_draw_distinct_ones_that_prefix_their_sids(started, audience):
    nodes, redises = started
    redis = start_redis("default-id")
    redises.append(redis)
    for _ in range(2):
        nodes.append(start_node(None, redis, "socket.io", "default-id"))
    sids = [audience.connect(node, "polling", "anon").sid() for node in nodes]
    ids = [sid.split("-", 1)[0] for sid in sids]
    assert all(re.fullmatch(r"[A-Za-z0-9]{8}", node_id) for node_id in ids), sids
    assert ids[0] != ids[1], sids
    for node in nodes:  # routing by sid works with the drawn ids
        listed = GatewayApi(node.url).sockets_of("anon")
        assert listed.status == 200 and sorted(listed.body["sids"]) == sorted(sids), listed.text


@pytest.mark.parametrize("flags", [
    ["--node-id", "bad-id"], ["--node-id", "abcdefghijklmnopq"], ["--node-id", "a_b"],
    ["--node-id", "nødé"], ["--redis-url", "http://127.0.0.1:6390"],
    ["--redis-url", "redis://127.0.0.1:notaport"]], ids=lambda f: f[1])
def test_bad_cluster_settings_stop_the_node_at_startup(started, flags):
    nodes, _ = started
    all_flags = ["--redis-url", "redis://127.0.0.1:1", "--node-id", "fine", *flags]
    process = launch(all_flags, "bad-settings")
    node = Node("bad", process)
    node.expected_dead = True
    nodes.append(node)
    code = process.wait_exit(scaled(10))
    assert code not in (None, 0), f"{flags}: exit {code}\n{process.log_text()[-2000:]}"


def test_a_node_named_emitter_is_refused_or_still_hears_the_emitters(started, audience):
    nodes, redises = started
    redis = start_redis("emitter-id")
    redises.append(redis)
    process = launch(["--redis-url", redis.url, "--node-id", "emitter"], "emitter-id")
    node = Node("emitter", process)
    nodes.append(node)
    try:
        process.wait_ready("healthz", scaled(15))
    except RuntimeError:  # it exited: refusing the id is one of the two right answers
        node.expected_dead = True
        assert process.wait_exit(scaled(5)) not in (None, 0), process.log_text()[-2000:]
        return
    wait_redis_connected(node, scaled(15))
    client = audience.connect(node, "websocket", "listener")
    mark = new_mark()
    NpmEmitter(redis.url, "socket.io").emit("from-emitter", mark)
    audience.expect_once("from-emitter", mark, [client], barrier_via=node)


def test_a_node_started_before_redis_serves_locally_then_joins_the_cluster(started, audience):
    nodes, redises = started
    port = free_port()
    early = Node("early", launch(["--redis-url", f"redis://127.0.0.1:{port}", "--node-id",
                                  "early"], "before-redis"))
    nodes.append(early)
    early.process.wait_ready("healthz", scaled(15))
    assert early.healthz() == DEGRADED
    assert early.metric("socket_gateway_redis_connected") == 0
    local = audience.connect(early, "polling", "pat")
    mark = new_mark()
    assert GatewayApi(early.url).emit_to_user("pat", "local", mark).status == 202
    audience.expect_once("local", mark, [local], barrier_via=early)

    redis = start_redis("before-redis", port=port)
    redises.append(redis)
    wait_redis_connected(early, scaled(15))
    late = start_node("late", redis, "socket.io", "before-redis")
    nodes.append(late)
    remote = audience.connect(late, "websocket", "pat")
    Cluster(redis, "socket.io", nodes).wait_subscribers("user:pat", 2)
    mark = new_mark()
    assert GatewayApi(late.url).emit_to_user("pat", "joined", mark).status == 202
    audience.expect_once("joined", mark, [local, remote], barrier_via=late)


def test_without_a_redis_url_the_node_is_standalone(started, audience):
    nodes, _ = started
    process = launch([], "standalone")
    node = Node("", process)
    nodes.append(node)
    process.wait_ready("healthz", scaled(15))
    assert node.healthz() == (200, {"status": "ok"})
    text = node.metrics().text
    assert "socket_gateway_redis_connected" not in text
    assert "socket_gateway_cluster_" not in text
    client = audience.connect(node, "websocket", "solo")
    mark = new_mark()
    assert GatewayApi(node.url).emit_to_user("solo", "solo", mark).status == 202
    audience.expect_once("solo", mark, [client], barrier_via=node)
