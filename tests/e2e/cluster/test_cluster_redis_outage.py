"""Redis goes away and comes back: nodes keep serving their own clients, then rejoin the cluster.

While the private Redis is stopped (SIGTERM or SIGKILL), each node still delivers emits issued on
it to its local clients, /healthz says degraded/disconnected (still 200), redis_connected is 0,
cross-node publishes are counted as dropped, and a request for another node's sid answers 404.
Redis restarted on the same port: every node reconnects within a bounded wait (backoff is capped
at 5 s), resubscribes, counts the reconnect, and cross-node delivery works again. Emits made while
Redis was away are not replayed.
"""
from __future__ import annotations

import signal

import pytest

from cluster_audience import args_with, new_mark
from cluster_nodes import scaled, wait_redis_connected
from standalone_api import GatewayApi
from standalone_clients import wait_until

DEGRADED = (200, {"status": "degraded", "redis": "disconnected"})
RECONNECTS = "socket_gateway_redis_reconnects_total"
DROPPED = "socket_gateway_cluster_publishes_dropped_total"
CONNECTED = "socket_gateway_redis_connected"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_nodes_serve_local_clients_without_redis_and_resume_when_it_returns(
        fresh_cluster, audience, stop_signal):
    cluster = fresh_cluster
    api_a, api_c = GatewayApi(cluster.a.url), GatewayApi(cluster.c.url)
    on_a = audience.connect(cluster.a, "websocket", "uma")
    on_c = audience.connect(cluster.c, "polling", "uma")
    other_c = audience.connect(cluster.c, "websocket", "vic")
    on_b = audience.connect(cluster.b, "upgrade", "wyn")
    cluster.wait_subscribers("user:uma", 2)
    mark = new_mark()
    assert api_a.emit_to_user("uma", "before", mark).status == 202
    audience.expect_once("before", mark, [on_a, on_c], barrier_via=cluster.a)
    reconnects = {node.node_id: node.metric(RECONNECTS) for node in cluster.nodes}
    dropped = cluster.a.metric(DROPPED)

    cluster.redis.stop(stop_signal)
    for node in cluster.nodes:
        wait_until(lambda: node.healthz() == DEGRADED, f"{node} /healthz degraded")
        assert node.metric(CONNECTED) == 0, node

    during = new_mark()
    assert api_a.emit_to_user("uma", "during", during).status == 202
    on_a.log.wait_for_args("during", (during,))
    wait_until(lambda: cluster.a.metric(DROPPED) > dropped, "nodeA counts a dropped publish")
    local = new_mark()
    assert api_c.broadcast("local", local).status == 202
    audience.expect_once("local", local, [on_c, other_c], barrier_via=cluster.c,
                         clients=[on_c, other_c])
    assert api_a.rooms_of(on_c.sid()).status == 404, "a remote sid must be unknown without Redis"
    assert api_a.join(on_c.sid(), "r").status == 404
    listed = api_a.sockets_of("uma")
    assert listed.status == 200 and on_a.sid() in listed.body["sids"], listed.text

    cluster.redis.start()
    for node in cluster.nodes:
        wait_redis_connected(node, scaled(15))
        wait_until(lambda: node.metric(RECONNECTS) >= reconnects[node.node_id] + 1,
                   f"{node} counts its reconnect")
        assert node.metric(CONNECTED) == 1, node
    cluster.wait_subscribers("user:uma", 2, timeout=10)

    after = new_mark()
    assert api_a.emit_to_user("uma", "after", after).status == 202
    audience.expect_once("after", after, [on_a, on_c], barrier_via=cluster.a)
    everyone = new_mark()
    assert GatewayApi(cluster.b.url).broadcast("everyone", everyone).status == 202
    audience.expect_once("everyone", everyone, [on_a, on_b, on_c, other_c], barrier_via=cluster.b)
    assert args_with(on_c, "during", during) == [], "an emit made while Redis was away was replayed"
    assert args_with(on_a, "during", during) == [(during,)]
    rooms = GatewayApi(cluster.b.url).rooms_of(on_c.sid())
    assert rooms.status == 200, rooms.text  # routing by sid works again
    assert all(node.alive() for node in cluster.nodes)
