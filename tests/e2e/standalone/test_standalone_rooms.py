"""R5: joining, leaving and disconnecting sockets by sid through the HTTP API.

After a leave the client no longer receives that room's emits (proved with the barrier). Unknown
sids answer 404 with a JSON error body on every sid route. DELETE /api/v1/sockets/{sid} ends the
client's connection with a server disconnect.
"""
from __future__ import annotations

import pytest

from standalone_clients import wait_until


def test_join_then_leave_stops_room_emits(gateway, api, clients, transport):
    member = clients.connect(gateway, transport, "alice")
    other = clients.connect(gateway, transport, "bob")
    sid = member.sid()
    assert api.join(sid, "news").status == 200
    assert api.join(other.sid(), "news").status == 200
    assert "news" in api.rooms_of(sid).body["rooms"]
    assert api.emit_to_room("news", "headline", "first").status == 202
    assert member.log.wait_for("headline") == [("first",)]

    left = api.leave(sid, "news")
    assert (left.status, left.body) == (200, {"sid": sid, "room": "news", "joined": False}), left.text
    rooms = api.rooms_of(sid)
    assert "news" not in rooms.body["rooms"] and "user:alice" in rooms.body["rooms"], rooms.body

    assert api.emit_to_room("news", "headline", "second").status == 202
    assert other.log.wait_for("headline", 2) == [("first",), ("second",)]
    api.barrier([member, other])
    assert member.log.args_of("headline") == [("first",)]


def test_rooms_of_a_socket_lists_every_joined_room(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    for room in ("a", "b", "c"):
        assert api.join(client.sid(), room).status == 200
    rooms = api.rooms_of(client.sid())
    assert rooms.status == 200
    assert {"a", "b", "c", "user:alice"} <= set(rooms.body["rooms"]), rooms.body


def test_leaving_the_user_room_stops_user_emits(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    assert api.leave(client.sid(), "user:alice").status == 200
    assert api.sockets_of("alice").body["sids"] == []
    assert api.emit_to_user("alice", "notify", 1).status == 202
    api.barrier([client])
    assert client.log.args_of("notify") == []


SID_ROUTES = {
    "join": lambda api, sid: api.join(sid, "room-x"),
    "leave": lambda api, sid: api.leave(sid, "room-x"),
    "rooms": lambda api, sid: api.rooms_of(sid),
    "disconnect": lambda api, sid: api.disconnect(sid),
}


@pytest.mark.parametrize("route", list(SID_ROUTES))
def test_unknown_sid_is_404_with_json_error(gateway, api, clients, transport, route):
    clients.connect(gateway, transport, "alice")  # a real socket exists, just not this one
    response = SID_ROUTES[route](api, "no-such-sid-0000000000")
    assert response.status == 404, response.text
    response.error_reason()


def test_engine_io_session_id_is_not_a_socket_id(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "alice")
    engine_sid = client.sio.eio.sid
    assert engine_sid and engine_sid != client.sid()
    response = api.rooms_of(engine_sid)
    assert response.status == 404, response.text
    response.error_reason()


def test_disconnect_by_sid_ends_the_client_connection(gateway, api, clients, transport):
    doomed = clients.connect(gateway, transport, "alice")
    survivor = clients.connect(gateway, transport, "alice")
    sid = doomed.sid()
    response = api.disconnect(sid)
    assert (response.status, response.body) == (200, {"sid": sid, "disconnected": True}), response.text
    doomed.wait_disconnected()
    assert doomed.disconnects["/"] == ["server disconnect"], doomed.disconnects
    wait_until(lambda: api.socket_is_gone(sid, "alice"), f"{sid} gone from the API")
    assert api.sockets_of("alice").body["sids"] == [survivor.sid()]
    assert api.emit_to_user("alice", "notify", "still here").status == 202
    assert survivor.log.wait_for("notify") == [("still here",)]
