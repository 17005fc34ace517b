"""socket_gateway.RedisEmitter (Python, no gateway in the process) drives the cluster through Redis.

emit_to_user, emit_to_room and broadcast reach the targeted clients on every node exactly once
(bytes arrive as bytes, other namespaces stay apart); join_room / leave_room by sid change the
rooms of a socket on whichever node owns it. RedisEmitter publishes synchronously, so an emit has
reached Redis before the barrier that follows it.
"""
from __future__ import annotations

import uuid

import pytest

from cluster_audience import args_with, new_mark
from cluster_nodes import ADMIN_NAMESPACE
from standalone_api import GatewayApi
from standalone_clients import wait_until


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def emitter(cluster):
    from socket_gateway import RedisEmitter
    redis_emitter = RedisEmitter(cluster.redis.url, key_prefix=cluster.prefix)
    yield redis_emitter
    redis_emitter.close()


def rooms_of(cluster, sid: str) -> set:
    response = GatewayApi(cluster.b.url).rooms_of(sid)
    assert response.status == 200, response.text
    return set(response.body["rooms"])


def test_emit_to_user_reaches_each_connection_on_every_node(cluster, audience, emitter):
    user = unique("quinn")
    connections = [audience.connect(node, mode, user)
                   for node, mode in zip(cluster.nodes, ("websocket", "polling", "upgrade"))]
    audience.connect(cluster.b, "websocket", unique("rae"))
    cluster.wait_subscribers("user:" + user, 3)
    mark = new_mark()
    emitter.emit_to_user(user, "notify", (mark, {"n": 1}))
    audience.expect_once("notify", mark, connections, barrier_via=cluster.a)
    assert all(args_with(c, "notify", mark) == [(mark, {"n": 1})] for c in connections)


def test_emit_to_room_with_bytes_reaches_members_as_bytes(cluster, audience, emitter):
    room = unique("docs")
    members = [audience.connect(cluster.a, "polling", unique("m"), rooms=[room]),
               audience.connect(cluster.c, "websocket", unique("m"), rooms=[room])]
    audience.connect(cluster.b, "polling", unique("outsider"))
    cluster.wait_subscribers(room, 2)
    mark = new_mark()
    payload = b"\x00\xffbinary\x10" * 50
    emitter.emit_to_room(room, "doc", (mark, payload))
    audience.expect_once("doc", mark, members, barrier_via=cluster.b)
    for member in members:
        assert args_with(member, "doc", mark) == [(mark, payload)], audience.label(member)


def test_broadcast_reaches_everyone_and_namespaces_stay_apart(cluster, audience, emitter):
    everyone = [audience.connect(node, mode, unique("all"), namespaces=["/", ADMIN_NAMESPACE])
                for node, mode in zip(cluster.nodes, ("upgrade", "polling", "websocket"))]
    mark = new_mark()
    emitter.broadcast("hello", mark)
    audience.expect_once("hello", mark, everyone, barrier_via=cluster.c)
    admin_mark = new_mark()
    emitter.broadcast("hello", admin_mark, namespace=ADMIN_NAMESPACE)
    audience.expect_once("hello", admin_mark, everyone, barrier_via=cluster.c,
                         namespace=ADMIN_NAMESPACE)
    assert all(args_with(c, "hello", admin_mark, "/") == [] for c in everyone)


def test_join_and_leave_room_by_sid_on_any_node(cluster, audience, emitter):
    room = unique("late")
    targets = [audience.connect(cluster.a, "websocket", unique("t")),
               audience.connect(cluster.c, "polling", unique("t"))]
    bystander = audience.connect(cluster.b, "websocket", unique("b"))
    for client in targets:
        emitter.join_room(client.sid(), room)
    for client in targets:
        wait_until(lambda: room in rooms_of(cluster, client.sid()),
                   f"{audience.label(client)} joined {room}")
    cluster.wait_subscribers(room, 2)
    mark = new_mark()
    emitter.emit_to_room(room, "late", mark)
    audience.expect_once("late", mark, targets, barrier_via=cluster.b)

    emitter.leave_room(targets[1].sid(), room)
    wait_until(lambda: room not in rooms_of(cluster, targets[1].sid()), "left the room")
    cluster.wait_subscribers(room, 1)
    mark = new_mark()
    emitter.emit_to_room(room, "late", mark)
    audience.expect_once("late", mark, targets[:1], barrier_via=cluster.b,
                         clients=[*targets, bystander])
