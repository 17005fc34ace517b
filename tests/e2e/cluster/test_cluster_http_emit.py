"""Emits through the HTTP API of one node reach the targeted clients on every node exactly once.

Three nodes share a private Redis; clients are spread over them with mixed transports, and one
user holds connections on all three (two on one node). Each emit carries a unique mark; every
intended client must hold exactly one copy after a barrier and every other client none. Before an
emit to a room, the test waits until Redis shows the expected nodes subscribed to that room's
channel (subscribing is asynchronous; test_cluster_subscriptions covers the counts themselves).
"""
from __future__ import annotations

import uuid

import pytest

from cluster_audience import new_mark
from cluster_nodes import ADMIN_NAMESPACE
from standalone_api import GatewayApi

QUEUED = {"status": "queued"}


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def emitted(response) -> None:
    assert (response.status, response.body) == (202, QUEUED), response.text


def test_user_emit_from_each_node_reaches_every_connection_of_the_user_once(cluster, audience):
    user = unique("alice")
    connections = [audience.connect(cluster.a, "websocket", user),
                   audience.connect(cluster.a, "polling", user),
                   audience.connect(cluster.b, "polling", user),
                   audience.connect(cluster.c, "upgrade", user)]
    for node, mode in zip(cluster.nodes, ("polling", "upgrade", "websocket")):
        audience.connect(node, mode, unique("bob"))
    audience.connect(cluster.b, "websocket", user + "x")  # a user id with the same beginning
    cluster.wait_subscribers("user:" + user, 3)

    for origin in cluster.nodes:
        mark = new_mark()
        emitted(GatewayApi(origin.url).emit_to_user(user, "notify", mark))
        audience.expect_once("notify", mark, connections, barrier_via=origin)


def test_user_emit_keeps_the_json_data_intact_across_nodes(cluster, audience):
    user = unique("carol")
    remote = audience.connect(cluster.c, "polling", user)
    cluster.wait_subscribers("user:" + user, 1)
    mark = new_mark()
    data = {"mark": mark, "text": "héllo ✓", "n": [1, 2.5, -3], "ok": True, "none": None,
            "nested": {"k": "v"}}
    emitted(GatewayApi(cluster.a.url).emit_to_user(user, "notify", data))
    audience.expect_once("notify", mark, [remote], barrier_via=cluster.a)
    assert remote.log.args_of("notify") == [(data,)]


def test_room_emit_reaches_members_on_every_node_once(cluster, audience):
    room = unique("news")
    by_claim = audience.connect(cluster.a, "websocket", unique("m1"), rooms=[room])
    by_api = audience.connect(cluster.b, "polling", unique("m2"))
    in_two_rooms = audience.connect(cluster.c, "upgrade", unique("m3"), rooms=[room, room + "-2"])
    for node in cluster.nodes:
        audience.connect(node, "websocket", unique("outsider"), rooms=[room + "-2"])
    joined = GatewayApi(cluster.b.url).join(by_api.sid(), room)
    assert joined.status == 200, joined.text
    cluster.wait_subscribers(room, 3)

    for origin in (cluster.a, cluster.c):
        mark = new_mark()
        emitted(GatewayApi(origin.url).emit_to_room(room, "headline", mark))
        audience.expect_once("headline", mark, [by_claim, by_api, in_two_rooms], barrier_via=origin)


def test_room_emit_from_a_node_without_members_reaches_the_other_nodes(cluster, audience):
    room = unique("remote-only")
    members = [audience.connect(cluster.b, "websocket", unique("m"), rooms=[room]),
               audience.connect(cluster.c, "polling", unique("m"), rooms=[room])]
    audience.connect(cluster.a, "polling", unique("bystander"))
    cluster.wait_subscribers(room, 2)
    mark = new_mark()
    emitted(GatewayApi(cluster.a.url).emit_to_room(room, "headline", mark))
    audience.expect_once("headline", mark, members, barrier_via=cluster.a)


def test_broadcast_from_one_node_reaches_every_client_of_every_node_once(cluster, audience):
    everyone = [audience.connect(node, mode, unique("any"))
                for node in cluster.nodes for mode in ("polling", "websocket")]
    mark = new_mark()
    emitted(GatewayApi(cluster.b.url).broadcast("announce", mark))
    audience.expect_once("announce", mark, everyone, barrier_via=cluster.b)


@pytest.mark.parametrize("target", ["room", "broadcast"])
def test_emits_on_another_namespace_reach_only_that_namespace_on_every_node(
        cluster, audience, target):
    room = unique("ops")
    admins = [audience.connect(node, mode, unique("admin"), rooms=[room],
                               namespaces=["/", ADMIN_NAMESPACE])
              for node, mode in zip(cluster.nodes, ("websocket", "polling", "upgrade"))]
    plain = [audience.connect(node, "websocket", unique("plain"), rooms=[room])
             for node in cluster.nodes]
    if target == "room":
        cluster.wait_subscribers(room, 3, namespace=ADMIN_NAMESPACE)
    api = GatewayApi(cluster.a.url)
    mark = new_mark()
    if target == "room":
        emitted(api.emit_to_room(room, "ops-event", mark, namespace=ADMIN_NAMESPACE))
    else:
        emitted(api.broadcast("ops-event", mark, namespace=ADMIN_NAMESPACE))
    audience.expect_once("ops-event", mark, admins, barrier_via=cluster.a,
                         namespace=ADMIN_NAMESPACE, clients=admins)
    audience.barrier(cluster.a)
    for client in admins + plain:
        assert client.log.args_of("ops-event", "/") == [], \
            f"{audience.label(client)} got the {ADMIN_NAMESPACE} event on /"
