"""The official npm @socket.io/redis-emitter (5.x) drives the cluster: emits and remote requests.

Emits: to one room, to a user's room, to everyone, to several rooms with an exception (published
once on the broadcast channel), with a Buffer argument that must reach Python clients as bytes
over every transport, and on another namespace. Requests on the request channel: socketsJoin /
socketsLeave / disconnectSockets by room or by sid, applied by whichever nodes hold the sockets.
Every emit is checked exactly once per intended client and absent everywhere else.
"""
from __future__ import annotations

import uuid

from cluster_audience import args_with, new_mark
from cluster_nodes import ADMIN_NAMESPACE
from cluster_npm_emitter import binary
from standalone_api import GatewayApi
from standalone_clients import wait_until


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def rooms_of(cluster, sid: str) -> set:
    response = GatewayApi(cluster.a.url).rooms_of(sid)
    assert response.status == 200, response.text
    return set(response.body["rooms"])


def test_emit_to_a_room_reaches_its_members_on_every_node(cluster, audience, npm_emitter):
    room = unique("feed")
    members = [audience.connect(node, mode, unique("m"), rooms=[room])
               for node, mode in zip(cluster.nodes, ("websocket", "polling", "upgrade"))]
    for node in cluster.nodes:
        audience.connect(node, "polling", unique("outsider"))
    cluster.wait_subscribers(room, 3)
    mark = new_mark()
    npm_emitter(cluster).emit("item", mark, {"title": "t"}, rooms=[room])
    audience.expect_once("item", mark, members, barrier_via=cluster.b)
    assert all(args_with(m, "item", mark) == [(mark, {"title": "t"})] for m in members)


def test_emit_to_a_user_room_reaches_every_connection_of_the_user(cluster, audience, npm_emitter):
    user = unique("max")
    connections = [audience.connect(cluster.a, "polling", user),
                   audience.connect(cluster.c, "websocket", user),
                   audience.connect(cluster.c, "polling", user)]
    audience.connect(cluster.b, "websocket", unique("ned"))
    cluster.wait_subscribers("user:" + user, 2)
    mark = new_mark()
    npm_emitter(cluster).emit("notify", mark, rooms=["user:" + user])
    audience.expect_once("notify", mark, connections, barrier_via=cluster.a)


def test_broadcast_reaches_every_client_once(cluster, audience, npm_emitter):
    everyone = [audience.connect(node, mode, unique("all"))
                for node in cluster.nodes for mode in ("websocket", "polling")]
    mark = new_mark()
    npm_emitter(cluster).emit("everyone", mark)
    audience.expect_once("everyone", mark, everyone, barrier_via=cluster.c)


def test_multi_room_emit_with_except_reaches_each_socket_in_the_rooms_once(
        cluster, audience, npm_emitter):
    r1, r2, muted = unique("r1"), unique("r2"), unique("muted")
    only_r1 = audience.connect(cluster.a, "websocket", unique("u"), rooms=[r1])
    only_r2 = audience.connect(cluster.b, "polling", unique("u"), rooms=[r2])
    both = audience.connect(cluster.c, "upgrade", unique("u"), rooms=[r1, r2])
    both_on_a = audience.connect(cluster.a, "polling", unique("u"), rooms=[r2, r1])
    excepted = audience.connect(cluster.b, "websocket", unique("u"), rooms=[r1, muted])
    excepted_c = audience.connect(cluster.c, "polling", unique("u"), rooms=[r2, muted])
    neither = [audience.connect(node, "websocket", unique("u"), rooms=[muted])
               for node in cluster.nodes]
    mark = new_mark()
    npm_emitter(cluster).emit("multi", mark, rooms=[r1, r2], except_=[muted])
    audience.expect_once("multi", mark, [only_r1, only_r2, both, both_on_a], barrier_via=cluster.a)
    assert all(args_with(c, "multi", mark) == [] for c in [excepted, excepted_c, *neither])


def test_emit_to_one_room_except_another(cluster, audience, npm_emitter):
    room, muted = unique("room"), unique("muted")
    hears = [audience.connect(cluster.a, "websocket", unique("u"), rooms=[room]),
             audience.connect(cluster.c, "polling", unique("u"), rooms=[room])]
    audience.connect(cluster.b, "polling", unique("u"), rooms=[room, muted])
    audience.connect(cluster.c, "websocket", unique("u"), rooms=[muted, room])
    cluster.wait_subscribers(room, 3)
    mark = new_mark()
    npm_emitter(cluster).emit("partial", mark, rooms=[room], except_=[muted])
    audience.expect_once("partial", mark, hears, barrier_via=cluster.b)


def test_binary_arguments_arrive_as_bytes_on_every_transport(cluster, audience, npm_emitter):
    room = unique("files")
    members = [audience.connect(node, mode, unique("u"), rooms=[room])
               for node, mode in zip(cluster.nodes, ("polling", "websocket", "upgrade"))]
    cluster.wait_subscribers(room, 3)
    blob = bytes(range(256)) * 3
    mark = new_mark()
    npm_emitter(cluster).emit("file", mark, binary(blob), {"name": "f", "part": binary(b"\x00\x01")},
                              rooms=[room])
    audience.expect_once("file", mark, members, barrier_via=cluster.c)
    for member in members:
        (got,) = args_with(member, "file", mark)
        assert got[1] == blob and isinstance(got[1], bytes), \
            f"{audience.label(member)}: {type(got[1]).__name__} {got[1]!r:.80}"
        assert got[2] == {"name": "f", "part": b"\x00\x01"}, f"{audience.label(member)}: {got[2]!r}"


def test_emit_on_another_namespace_stays_in_that_namespace(cluster, audience, npm_emitter):
    room = unique("ops")
    admins = [audience.connect(node, "websocket", unique("adm"), rooms=[room],
                               namespaces=["/", ADMIN_NAMESPACE]) for node in cluster.nodes]
    cluster.wait_subscribers(room, 3, namespace=ADMIN_NAMESPACE)
    emitter = npm_emitter(cluster)
    to_room, to_all = new_mark(), new_mark()
    emitter.emit("ops", to_room, rooms=[room], namespace=ADMIN_NAMESPACE)
    emitter.emit("ops", to_all, namespace=ADMIN_NAMESPACE)
    for mark in (to_room, to_all):
        audience.expect_once("ops", mark, admins, barrier_via=cluster.a, namespace=ADMIN_NAMESPACE)
    audience.barrier(cluster.a)
    assert all(c.log.args_of("ops", "/") == [] for c in admins)


def test_sockets_join_and_leave_by_sid_and_by_room(cluster, audience, npm_emitter):
    team, project = unique("team"), unique("project")
    on_a = audience.connect(cluster.a, "websocket", unique("u"), rooms=[team])
    on_c = audience.connect(cluster.c, "polling", unique("u"), rooms=[team])
    by_sid = audience.connect(cluster.b, "upgrade", unique("u"))
    outsider = audience.connect(cluster.b, "polling", unique("u"))
    emitter = npm_emitter(cluster)

    emitter.sockets_join([project], rooms=[team])
    emitter.sockets_join([project, team], rooms=[by_sid.sid()])
    for client in (on_a, on_c, by_sid):
        wait_until(lambda: project in rooms_of(cluster, client.sid()),
                   f"{audience.label(client)} joined {project}")
    assert team in rooms_of(cluster, by_sid.sid())
    assert project not in rooms_of(cluster, outsider.sid())
    cluster.wait_subscribers(project, 3)
    mark = new_mark()
    assert GatewayApi(cluster.a.url).emit_to_room(project, "plan", mark).status == 202
    audience.expect_once("plan", mark, [on_a, on_c, by_sid], barrier_via=cluster.a)

    emitter.sockets_leave([project], rooms=[team], except_=[by_sid.sid()])
    for client in (on_a, on_c):
        wait_until(lambda: project not in rooms_of(cluster, client.sid()),
                   f"{audience.label(client)} left {project}")
    assert project in rooms_of(cluster, by_sid.sid())
    cluster.wait_subscribers(project, 1)
    mark = new_mark()
    assert GatewayApi(cluster.c.url).emit_to_room(project, "plan", mark).status == 202
    audience.expect_once("plan", mark, [by_sid], barrier_via=cluster.c)


def test_disconnect_sockets_ends_the_targeted_connections_on_every_node(
        cluster, audience, npm_emitter):
    user = unique("olga")
    keep = unique("keep")
    doomed = [audience.connect(cluster.a, "websocket", user),
              audience.connect(cluster.b, "polling", user),
              audience.connect(cluster.c, "upgrade", user, rooms=[keep])]
    survivors = [audience.connect(node, "websocket", unique("pat")) for node in cluster.nodes]
    spared_by_except = doomed[2]

    npm_emitter(cluster).disconnect_sockets(rooms=["user:" + user], except_=[keep], close=True)
    for client in doomed[:2]:
        client.wait_disconnected()
    mark = new_mark()
    assert GatewayApi(cluster.b.url).broadcast("still-here", mark).status == 202
    audience.expect_once("still-here", mark, [*survivors, spared_by_except],
                         barrier_via=cluster.b, clients=[*survivors, spared_by_except])
    assert all(c.connected for c in [*survivors, spared_by_except])
    listed = GatewayApi(cluster.a.url).sockets_of(user)
    assert listed.status == 200 and listed.body["sids"] == [spared_by_except.sid()], listed.text

    npm_emitter(cluster).disconnect_sockets(rooms=[spared_by_except.sid()], close=True)
    spared_by_except.wait_disconnected()
    assert all(c.connected for c in survivors)
