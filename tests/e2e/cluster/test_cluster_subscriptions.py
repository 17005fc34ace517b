"""A node only receives what it needs: it listens on a room's channel only while it has a member.

Read through each node's /metrics (socket_gateway_cluster_room_subscriptions and
socket_gateway_cluster_messages_received_total{channel="room"}) and through Redis itself
(PUBSUB NUMSUB of the room's channel). An emit to a room reaches only the nodes with a member;
after the last member on a node leaves, that node unsubscribes and later emits no longer reach it.
Each counting test has a cluster of its own, so the gauges start at 0 and every expected value is
exact (user rooms count as room channels too); counters are compared around a barrier.
"""
from __future__ import annotations

from cluster_audience import new_mark
from cluster_nodes import Node, received
from standalone_api import GatewayApi
from standalone_clients import wait_until

SUBSCRIPTIONS = "socket_gateway_cluster_room_subscriptions"
ROOM_MESSAGES = received("room")


def values(nodes: list, key: str) -> dict:
    return {node.node_id: node.metric(key) for node in nodes}


def wait_metric(node: Node, key: str, expected: float) -> None:
    wait_until(lambda: node.metric(key) == expected,
               f"{node} {key} == {expected} (now {node.metric(key)})")


def test_cluster_metrics_are_exposed_with_their_types(cluster):
    scrape = cluster.a.metrics()
    for name, kind in (("socket_gateway_redis_connected", "gauge"),
                       ("socket_gateway_redis_reconnects_total", "counter"),
                       (SUBSCRIPTIONS, "gauge"),
                       ("socket_gateway_cluster_messages_received_total", "counter"),
                       ("socket_gateway_cluster_messages_published_total", "counter"),
                       ("socket_gateway_cluster_publishes_dropped_total", "counter")):
        assert f"# TYPE {name} {kind}" in scrape.text, f"no '# TYPE {name} {kind}' in /metrics"
    assert scrape.value("socket_gateway_redis_connected") == 1
    for channel in ("broadcast", "room", "request", "node"):
        assert scrape.has(received(channel)), f"{received(channel)} missing from /metrics"


def test_only_the_node_with_a_member_receives_the_room_until_the_member_leaves(
        fresh_cluster, audience):
    cluster = fresh_cluster
    member = audience.connect(cluster.c, "websocket", "kim")
    watchers = [audience.connect(node, "polling", f"watcher{node.node_id}")
                for node in cluster.nodes]
    for node, rooms in zip(cluster.nodes, (1, 1, 2)):  # each node: its users' rooms
        wait_metric(node, SUBSCRIPTIONS, rooms)
    api_a = GatewayApi(cluster.a.url)

    assert api_a.join(member.sid(), "quiet").status == 200
    wait_metric(cluster.c, SUBSCRIPTIONS, 3)
    cluster.wait_subscribers("quiet", 1)
    assert values(cluster.nodes, SUBSCRIPTIONS) == {"nodeA": 1, "nodeB": 1, "nodeC": 3}

    before = values(cluster.nodes, ROOM_MESSAGES)
    mark = new_mark()
    assert api_a.emit_to_room("quiet", "hush", mark).status == 202
    audience.expect_once("hush", mark, [member], barrier_via=cluster.a)
    after = values(cluster.nodes, ROOM_MESSAGES)
    assert after == {**before, "nodeC": before["nodeC"] + 1}, (before, after)

    assert api_a.leave(member.sid(), "quiet").status == 200
    wait_metric(cluster.c, SUBSCRIPTIONS, 2)
    cluster.wait_subscribers("quiet", 0)

    before = values(cluster.nodes, ROOM_MESSAGES)
    mark = new_mark()
    assert api_a.emit_to_room("quiet", "hush", mark).status == 202
    audience.expect_once("hush", mark, [], barrier_via=cluster.a, clients=[member, *watchers])
    assert values(cluster.nodes, ROOM_MESSAGES) == before


def test_a_node_subscribes_once_per_room_however_many_local_members(fresh_cluster, audience):
    cluster = fresh_cluster
    first = audience.connect(cluster.b, "websocket", "m1", rooms=["crowd"])
    second = audience.connect(cluster.b, "polling", "m2", rooms=["crowd"])
    wait_metric(cluster.b, SUBSCRIPTIONS, 3)  # user:m1, user:m2, crowd
    assert cluster.redis.subscribers(cluster.room_channel("crowd")) == 1

    mark = new_mark()
    assert GatewayApi(cluster.a.url).emit_to_room("crowd", "crowd", mark).status == 202
    audience.expect_once("crowd", mark, [first, second], barrier_via=cluster.a)
    assert values(cluster.nodes, ROOM_MESSAGES) == {"nodeA": 0, "nodeB": 1, "nodeC": 0}

    first.close()  # one member is left: still subscribed to the room
    wait_metric(cluster.b, SUBSCRIPTIONS, 2)
    assert cluster.redis.subscribers(cluster.room_channel("crowd")) == 1
    second.close()
    wait_metric(cluster.b, SUBSCRIPTIONS, 0)
    cluster.wait_subscribers("crowd", 0)


def test_a_users_room_is_subscribed_only_where_the_user_is_connected(fresh_cluster, audience):
    cluster = fresh_cluster
    on_b = audience.connect(cluster.b, "upgrade", "lou")
    cluster.wait_subscribers("user:lou", 1)
    wait_metric(cluster.b, SUBSCRIPTIONS, 1)
    assert values(cluster.nodes, SUBSCRIPTIONS) == {"nodeA": 0, "nodeB": 1, "nodeC": 0}

    mark = new_mark()
    assert GatewayApi(cluster.c.url).emit_to_user("lou", "direct", mark).status == 202
    audience.expect_once("direct", mark, [on_b], barrier_via=cluster.c)
    assert values(cluster.nodes, ROOM_MESSAGES) == {"nodeA": 0, "nodeB": 1, "nodeC": 0}
    published = cluster.c.metric("socket_gateway_cluster_messages_published_total")
    assert published >= 1, "nodeC published nothing for its emit"

    on_b.close()
    cluster.wait_subscribers("user:lou", 0)
    wait_metric(cluster.b, SUBSCRIPTIONS, 0)
