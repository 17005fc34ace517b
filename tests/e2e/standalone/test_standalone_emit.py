"""R2, R3, R4: emitting through the HTTP API to a user, to a room, and to everyone.

Each emit must reach exactly its targets, exactly once. "Nobody else" is proved with the API's
barrier (a broadcast marker every client waits for; emits reach a connection in order), never
with a sleep. Every test runs over each transport mode; the user tests also mix them.
"""
from __future__ import annotations

import pytest

from standalone_clients import TRANSPORT_MODES

QUEUED = {"status": "queued"}
USER_MIXES = {
    "all-polling": ["polling"] * 3,
    "all-websocket": ["websocket"] * 3,
    "all-upgrade": ["upgrade"] * 3,
    "mixed": ["polling", "websocket", "upgrade"],
}


def assert_received_once(clients_, event, args) -> None:
    for client in clients_:
        assert client.log.args_of(event) == [args], \
            f"{client.sid()} over {client.transport}: {client.log.args_of(event)}"


def assert_not_received(clients_, event) -> None:
    for client in clients_:
        assert client.log.args_of(event) == [], \
            f"{client.sid()} over {client.transport} got '{event}' meant for others"


# --- R2: users -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mix", list(USER_MIXES))
def test_user_emit_reaches_every_connection_of_the_user_and_nobody_else(gateway, api, clients, mix):
    alice = [clients.connect(gateway, mode, "alice") for mode in USER_MIXES[mix]]
    bystanders = [clients.connect(gateway, mode, user)
                  for mode, user in zip(TRANSPORT_MODES, ["bob", "alicia", "alice2"])]
    listed = api.sockets_of("alice")
    assert listed.status == 200, listed.text
    assert sorted(listed.body["sids"]) == sorted(c.sid() for c in alice)

    sent = api.emit_to_user("alice", "notify", {"n": 1})
    assert (sent.status, sent.body) == (202, QUEUED), sent.text
    for client in alice:
        client.log.wait_for("notify")
    api.barrier(alice + bystanders)
    assert_received_once(alice, "notify", ({"n": 1},))
    assert_not_received(bystanders, "notify")


def test_user_emit_to_a_user_without_connections_is_queued(gateway, api, clients, transport):
    bystander = clients.connect(gateway, transport, "bob")
    sent = api.emit_to_user("nobody-here", "notify", {"n": 1})
    assert (sent.status, sent.body) == (202, QUEUED), sent.text
    api.barrier([bystander])
    assert_not_received([bystander], "notify")


def test_user_id_in_path_is_url_decoded(gateway, api, clients, transport):
    client = clients.connect(gateway, transport, "ana maría/ü")
    assert api.sockets_of("ana maría/ü").body["sids"] == [client.sid()]
    assert api.emit_to_user("ana maría/ü", "notify", "hola").status == 202
    assert client.log.wait_for("notify") == [("hola",)]


# --- R3: rooms -----------------------------------------------------------------------------------

def test_room_emit_reaches_exactly_the_room_members(gateway, api, clients, transport):
    alice, bob = clients.connect(gateway, transport, "alice"), clients.connect(gateway, transport, "bob")
    carol = clients.connect(gateway, transport, "carol")
    alice_elsewhere = clients.connect(gateway, transport, "alice")  # same user, not joined
    for member in (alice, bob):
        joined = api.join(member.sid(), "game-1")
        assert (joined.status, joined.body) == \
            (200, {"sid": member.sid(), "room": "game-1", "joined": True}), joined.text

    sent = api.emit_to_room("game-1", "move", {"x": 3, "y": 4})
    assert (sent.status, sent.body) == (202, QUEUED), sent.text
    for member in (alice, bob):
        member.log.wait_for("move")
    api.barrier([alice, bob, carol, alice_elsewhere])
    assert_received_once([alice, bob], "move", ({"x": 3, "y": 4},))
    assert_not_received([carol, alice_elsewhere], "move")


def test_room_emit_to_an_empty_room_is_queued(gateway, api, clients, transport):
    bystander = clients.connect(gateway, transport, "bob")
    sent = api.emit_to_room("nobody-joined-this", "move", [1, 2])
    assert (sent.status, sent.body) == (202, QUEUED), sent.text
    api.barrier([bystander])
    assert_not_received([bystander], "move")


def test_room_names_with_reserved_characters_round_trip(gateway, api, clients, transport):
    member = clients.connect(gateway, transport, "alice")
    room = "team:red/blue é?#%"
    joined = api.join(member.sid(), room)
    assert joined.status == 200 and joined.body["room"] == room, joined.text
    assert room in api.rooms_of(member.sid()).body["rooms"]
    assert api.emit_to_room(room, "move", "encoded").status == 202
    assert member.log.wait_for("move") == [("encoded",)]


def test_colon_may_appear_literally_or_encoded_in_a_room_path(gateway, api, clients, transport):
    """The user room is a room like any other: `user:alice` and `user%3Aalice` both reach it."""
    alice = clients.connect(gateway, transport, "alice")
    literal = api.request("POST", "/api/v1/rooms/user:alice/events", body={"event": "ping", "data": 1})
    encoded = api.request("POST", "/api/v1/rooms/user%3Aalice/events", body={"event": "ping", "data": 2})
    assert (literal.status, encoded.status) == (202, 202), (literal.text, encoded.text)
    assert alice.log.wait_for("ping", 2) == [(1,), (2,)]


# --- R4: broadcast -------------------------------------------------------------------------------

def test_broadcast_reaches_every_client(gateway, api, clients, transport):
    everyone = [clients.connect(gateway, transport, user) for user in ("alice", "bob", "carol")]
    everyone.append(clients.connect(gateway, transport, "alice"))
    everyone += [clients.connect(gateway, mode, "dave") for mode in TRANSPORT_MODES if mode != transport]
    sent = api.broadcast("announcement", {"text": "maintenance at noon"})
    assert (sent.status, sent.body) == (202, QUEUED), sent.text
    for client in everyone:
        assert client.log.wait_for("announcement") == [({"text": "maintenance at noon"},)]
    api.barrier(everyone)
    assert_received_once(everyone, "announcement", ({"text": "maintenance at noon"},))


def test_broadcast_with_nobody_connected_is_queued(gateway, api):
    sent = api.broadcast("announcement", "hello?")
    assert (sent.status, sent.body) == (202, QUEUED), sent.text

