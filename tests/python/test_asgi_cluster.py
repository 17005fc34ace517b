"""Cluster mode of the ASGI host: two app servers of the kind (two gateway nodes) sharing one private
Redis. A user with a connection on each node gets every emit once, whichever node's FastAPI
route issued it and whether it came from a node or from RedisEmitter; room operations by sid
reach the socket's own node; the JWT rooms claim is honoured before connect completes; and
cluster_status reports the link. The full three-node matrix and the fault cases run against
the standalone server in tests/e2e/cluster/.
"""
from __future__ import annotations

import uuid

import pytest

from asgi_clients import TRANSPORT_MODES, wait_until
from control_api import ControlApi
from redis_server import RedisServer
from socket_gateway import RedisEmitter

WEBSOCKET = next(mode for mode in TRANSPORT_MODES if mode.name == "websocket")
POLLING = next(mode for mode in TRANSPORT_MODES if mode.name == "polling")


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def two_nodes(start_app, redis_server):
    nodes = []
    for node_id in ("asgiA", "asgiB"):
        app = start_app({"SG_TEST_REDIS_URL": redis_server.url, "SG_TEST_NODE_ID": node_id,
                         "SG_TEST_ROOMS_CLAIM": "rooms"})
        nodes.append((app, ControlApi(app.url)))
    for _, api in nodes:
        wait_until(lambda api=api: api.result("cluster_status", via="sync")["redis_connected"], "redis connected")
    return nodes


def _ids(client, event: str) -> list:
    return [args[0]["id"] for args in client.log.args_of(event)]


def test_emits_reach_each_connection_of_a_user_on_every_node_once(two_nodes, clients, redis_server):
    (app_a, api_a), (app_b, api_b) = two_nodes
    user = f"u-{uuid.uuid4().hex[:8]}"
    on_a = clients.connect(app_a.url, WEBSOCKET, user)
    on_b = clients.connect(app_b.url, POLLING, user)
    assert on_a.sid.startswith("asgiA-") and on_b.sid.startswith("asgiB-")
    bystander = clients.connect(app_b.url, WEBSOCKET, f"other-{uuid.uuid4().hex[:8]}")

    api_a.result("emit_to_user", user_id=user, event="note", data={"id": "from-a"})
    api_b.result("emit_to_user", user_id=user, event="note", data={"id": "from-b"}, via="sync")
    with RedisEmitter(redis_server.url) as emitter:
        emitter.emit_to_user(user, "note", {"id": "from-emitter"})
    expected = ["from-a", "from-b", "from-emitter"]
    for client in (on_a, on_b):
        client.log.wait_for("note", count=3)
        assert sorted(_ids(client, "note")) == expected
    api_a.result("broadcast", event="note", data={"id": "all"})
    bystander.log.wait_for("note", count=1)
    for client in (on_a, on_b):
        client.log.wait_for("note", count=4)
        assert sorted(_ids(client, "note")) == sorted(expected + ["all"])
    assert _ids(bystander, "note") == ["all"]


def test_room_operations_by_sid_go_to_the_owner_node(two_nodes, clients):
    (app_a, api_a), (app_b, api_b) = two_nodes
    room = f"room-{uuid.uuid4().hex[:8]}"
    on_b = clients.connect(app_b.url, WEBSOCKET, f"u-{uuid.uuid4().hex[:8]}")

    api_a.result("join_room", sid=on_b.sid, room=room)
    assert room in api_a.result("rooms", sid=on_b.sid)
    api_a.result("emit_to_room", room=room, event="in-room", data={"id": 1})
    on_b.log.wait_for("in-room", count=1)
    api_a.result("leave_room", sid=on_b.sid, room=room)
    assert room not in api_a.result("rooms", sid=on_b.sid)
    assert api_a.call("join_room", sid="asgiB-unknown", room=room).status == 404
    assert api_a.call("join_room", sid="nonode-unknown", room=room).status == 404
    status_b = api_b.result("cluster_status", via="sync")
    assert status_b["received_node"] >= 4


def test_rooms_claim_is_joined_before_connect_completes(two_nodes, clients, mint_token):
    (app_a, api_a), (app_b, _) = two_nodes
    room = f"claimed-{uuid.uuid4().hex[:8]}"
    client = clients.connect(app_b.url, WEBSOCKET, token=mint_token(f"u-{uuid.uuid4().hex[:8]}", rooms=[room]))
    api_a.result("emit_to_room", room=room, event="claimed", data={"id": 1})
    client.log.wait_for("claimed", count=1)
