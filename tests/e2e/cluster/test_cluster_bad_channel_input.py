"""Bad input on the Redis channels: no node crashes, no client gets anything, delivery goes on.

Anyone who can publish to Redis can send the nodes anything. With a raw Redis client the tests
publish two kinds of bad input on every channel kind (broadcast, room, request, node):
- undecodable or hostile bytes: random bytes, truncated MessagePack, huge declared lengths, deep
  nesting, broken or hostile JSON. Every node must keep running and healthy, and a well-formed
  control message published the same way right after, and HTTP API emits from each node, must
  still be delivered exactly once, with no client disconnected or given anything else;
- well-formed messages of the wrong shape (an emit without its options, a namespace that is not a
  string, a request without "opts"...). The npm emitter never sends them and the Socket.IO Redis
  adapter ignores them; each is published alone and must reach no client and change no room.
"""
from __future__ import annotations

import json
import random

import pytest

from cluster_audience import new_mark
from cluster_msgpack import emit_message, pack
from standalone_api import BARRIER_EVENT, GatewayApi
from standalone_clients import wait_until

ROOM = "bad-input-room"
RANDOM = random.Random(20261124)

UNDECODABLE_MSGPACK = {
    "empty": b"",
    "nil": b"\xc0",
    "reserved-byte": b"\xc1",
    "random-bytes": RANDOM.randbytes(200),
    "truncated-array": b"\x93\xa7emitter",
    "truncated-emit": emit_message("garbage-truncated", rooms=[ROOM])[:-5],
    "huge-array32": b"\xdd\xff\xff\xff\xff\xc0",
    "huge-map32": b"\xdf\xff\xff\xff\xff\xc0\xc0",
    "huge-str32": b"\x93\xa1u\xdb\xff\xff\xff\xf0abc",
    "huge-bin32": emit_message("garbage-bin")[:-1] + b"\xc6\xff\xff\xff\xff",
    "deep-nesting": b"\x93\xa1u\x83\xa4type\x02\xa4data\x92\xa7garbage" + b"\x91" * 200_000 + b"\xc0",
    "ext-type": b"\xd4\x01\x00",
    "trailing-bytes": emit_message("garbage-trailing", rooms=[ROOM]) + b"\xc1\xc1junk",
    "json-not-msgpack": json.dumps(["emitter", {"type": 2, "data": ["garbage-json"], "nsp": "/"},
                                    {"rooms": [], "except": []}]).encode(),
}

WRONG_SHAPE_EMITS = {
    "not-an-array": pack({"type": 2, "data": ["garbage-map"], "nsp": "/"}),
    "without-options": pack(["emitter", {"type": 2, "data": ["garbage-short"], "nsp": "/"}]),
    "packet-not-a-map": pack(["emitter", "packet", {"rooms": [], "except": []}]),
    "options-not-a-map": pack(["emitter", {"type": 2, "data": ["garbage-opts"], "nsp": "/"}, 7]),
    "data-not-an-array": pack(["emitter", {"type": 2, "data": "garbage-data", "nsp": "/"},
                               {"rooms": [], "except": []}]),
    "data-empty": pack(["emitter", {"type": 2, "data": [], "nsp": "/"},
                        {"rooms": [], "except": []}]),
    "event-not-a-string": emit_message(12345, "garbage-number-event"),
    "event-a-map": emit_message({"garbage": 1}),
    "nsp-unknown": emit_message("garbage-nsp", namespace="/does-not-exist"),
    "nsp-not-a-string": emit_message("garbage-nsp-type", namespace=42),
    "type-disconnect": emit_message("garbage-type-1", packet_type=1),
    "type-connect": emit_message("garbage-type-0", packet_type=0),
    "type-string": emit_message("garbage-type-str", packet_type="2"),
    "rooms-not-a-list": pack(["emitter", {"type": 2, "data": ["garbage-rooms"], "nsp": "/"},
                              {"rooms": ROOM, "except": [], "flags": {}}]),
    "rooms-of-numbers": pack(["emitter", {"type": 2, "data": ["garbage-room-numbers"], "nsp": "/"},
                              {"rooms": [1, 2], "except": [], "flags": {}}]),
    "except-not-a-list": pack(["emitter", {"type": 2, "data": ["garbage-except"], "nsp": "/"},
                               {"rooms": [ROOM], "except": 5, "flags": {}}]),
}

UNDECODABLE_JSON = {
    "not-json": b"not json at all",
    "open-brace": b"{",
    "binary": b"\xff\xfe\x00\x01",
    "deep-nesting": b'{"type":2,"opts":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge-number": b'{"type":1e999999,"opts":{"rooms":["nobody"]}}',
    "bad-utf8": b'{"type":2,"opts":{"rooms":["\xff\xfe"]},"rooms":["\xc3"]}',
    **UNDECODABLE_MSGPACK,
    "msgpack-emit": emit_message("garbage-msgpack-request", rooms=[ROOM]),
}

WRONG_SHAPE_REQUESTS = {
    "array": b"[]",
    "null": b"null",
    "type-missing": b'{"opts":{"rooms":["r"]},"rooms":["x"]}',
    "type-string": b'{"type":"2","opts":{"rooms":[]},"rooms":["x"]}',
    "type-unknown": b'{"type":99,"opts":{"rooms":[]},"rooms":["x"]}',
    "opts-missing": b'{"type":2,"rooms":["x"]}',
    "opts-not-an-object": b'{"type":2,"opts":"all","rooms":["x"]}',
    "opts-rooms-not-a-list": b'{"type":2,"opts":{"rooms":"nobody","except":7},"rooms":["x"]}',
    "rooms-of-numbers": b'{"type":3,"opts":{"rooms":[1,2,null]},"rooms":[null,{}]}',
    "leave-without-opts": b'{"type":3,"rooms":["' + ROOM.encode() + b'"]}',
    "close-not-bool": b'{"type":4,"opts":{"rooms":["nobody-here"],"except":[]},"close":"yes"}',
    "server-side-emit": b'{"type":6,"data":["garbage-server-side",1]}',
    "reply-unknown-id": b'{"type":"reply","id":"no-such-request","rooms":["x"]}',
}
# Sent last and alone: taken as "every socket", it would end every connection of the cluster.
DISCONNECT_WITHOUT_OPTS = b'{"type":4,"close":true}'


SIDS: dict = {}  # id(client) -> sid, still known after a disconnect


def connect_watchers(cluster, audience) -> list:
    clients = [audience.connect(node, mode, f"watch-{node.node_id}", rooms=[ROOM])
               for node, mode in zip(cluster.nodes, ("websocket", "polling", "upgrade"))]
    SIDS.update({id(client): client.sid() for client in clients})
    cluster.wait_subscribers(ROOM, 3)
    return clients


def expected_rooms(client, node) -> set:
    return {ROOM, f"user:watch-{node.node_id}", SIDS[id(client)]}


def problems_of(cluster, audience, clients: list, events_seen: dict = None) -> list:
    """What went wrong for the watchers: an event besides the controls and barriers (after the
    first events_seen[id(client)] events), a lost connection, a room joined or left."""
    problems = []
    for client, node in zip(clients, cluster.nodes):
        label = audience.label(client)
        names = client.log.names()[(events_seen or {}).get(id(client), 0):]
        unexpected = [e for e in names if e not in ("control", BARRIER_EVENT)]
        if unexpected:
            problems.append(f"{label} received {unexpected}")
        if not client.connected:
            problems.append(f"{label} was disconnected")
            continue
        rooms = GatewayApi(node.url).rooms_of(SIDS[id(client)])
        if rooms.status != 200:
            problems.append(f"{label}: rooms {rooms.status} {rooms.text}")
        elif set(rooms.body["rooms"]) | {SIDS[id(client)]} != expected_rooms(client, node):
            problems.append(f"{label} is now in {sorted(rooms.body['rooms'])}")
    return problems


def restore_rooms(cluster, clients: list) -> None:
    for client, node in zip(clients, cluster.nodes):
        if not client.connected:
            continue
        api, sid = GatewayApi(node.url), SIDS[id(client)]
        rooms = set(api.rooms_of(sid).body["rooms"])
        for room in rooms - expected_rooms(client, node):
            assert api.leave(sid, room).status == 200
        for room in expected_rooms(client, node) - rooms - {sid}:
            assert api.join(sid, room).status == 200


def wait_requests_handled(cluster, clients: list, channels: list) -> None:
    """Publishes a well-formed join of every watcher to a sentinel room on each channel and waits
    until it took effect: requests on a channel are handled in order, so the ones published before
    have been handled too. Then leaves the sentinel room again."""
    sentinel = "sentinel-" + new_mark()[:8]
    living = [(client, node, SIDS[id(client)]) for client, node in zip(clients, cluster.nodes)
              if client.connected]
    request = json.dumps({"type": 2, "opts": {"rooms": [sid for _, _, sid in living],
                                              "except": []}, "rooms": [sentinel]}).encode()
    for channel in channels:
        assert cluster.redis.publish(channel, request) >= 1
    for client, node, sid in living:
        api = GatewayApi(node.url)
        wait_until(lambda: not client.connected or sentinel in api.rooms_of(sid).body["rooms"],
                   f"sentinel join of {sid} handled")
        if client.connected:
            assert api.leave(sid, sentinel).status == 200


def assert_cluster_still_delivers(cluster, audience, clients: list, control_channel: str) -> None:
    """A control message on `control_channel` and an HTTP emit from each node: exactly once."""
    for node in cluster.nodes:
        assert node.alive(), f"{node} died"
        assert node.healthz() == (200, {"status": "ok", "redis": "connected"}), node
    mark = new_mark()
    receivers = cluster.redis.publish(control_channel, emit_message("control", mark, rooms=[ROOM]))
    assert receivers >= 1, f"nobody listens on {control_channel}"
    audience.expect_once("control", mark, clients, barrier_via=cluster.a)
    for origin in cluster.nodes:
        mark = new_mark()
        assert GatewayApi(origin.url).emit_to_room(ROOM, "control", mark).status == 202
        audience.expect_once("control", mark, clients, barrier_via=origin)
    assert problems_of(cluster, audience, clients) == []


def emit_channel(cluster, target: str) -> str:
    return cluster.broadcast_channel() if target == "broadcast" else cluster.room_channel(ROOM)


def request_channels(cluster, target: str) -> list:
    if target == "request":
        return [cluster.request_channel()]
    return [cluster.node_channel(node) for node in cluster.nodes]


@pytest.mark.parametrize("target", ["broadcast", "room"])
def test_undecodable_payloads_on_the_emit_channels_are_ignored(cluster, audience, target):
    clients = connect_watchers(cluster, audience)
    channel = emit_channel(cluster, target)
    for name, payload in UNDECODABLE_MSGPACK.items():
        assert cluster.redis.publish(channel, payload) == 3, f"{name}: not every node listens"
    assert_cluster_still_delivers(cluster, audience, clients, channel)


@pytest.mark.parametrize("target", ["request", "node"])
def test_undecodable_payloads_on_the_request_and_node_channels_are_ignored(
        cluster, audience, target):
    clients = connect_watchers(cluster, audience)
    for channel in request_channels(cluster, target):
        for name, payload in UNDECODABLE_JSON.items():
            assert cluster.redis.publish(channel, payload) >= 1, f"{name}: nobody on {channel}"
    assert_cluster_still_delivers(cluster, audience, clients, cluster.broadcast_channel())


@pytest.mark.parametrize("target", ["broadcast", "room"])
def test_emit_messages_of_the_wrong_shape_reach_nobody(cluster, audience, target):
    clients = connect_watchers(cluster, audience)
    channel = emit_channel(cluster, target)
    offenders = {}
    for name, payload in WRONG_SHAPE_EMITS.items():
        seen = {id(c): len(c.log.names()) for c in clients}
        assert cluster.redis.publish(channel, payload) == 3, f"{name}: not every node listens"
        audience.barrier(cluster.a, [c for c in clients if c.connected])
        problems = problems_of(cluster, audience, clients, seen)
        if problems:
            offenders[name] = problems
    assert offenders == {}, f"wrong-shape emits on {channel} had effects: {offenders}"
    assert_cluster_still_delivers(cluster, audience, clients, channel)


@pytest.mark.parametrize("target", ["request", "node"])
def test_requests_of_the_wrong_shape_change_nothing(cluster, audience, target):
    clients = connect_watchers(cluster, audience)
    channels = request_channels(cluster, target)
    offenders = {}
    for name, payload in [*WRONG_SHAPE_REQUESTS.items(),
                          ("disconnect-without-opts", DISCONNECT_WITHOUT_OPTS)]:
        seen = {id(c): len(c.log.names()) for c in clients}
        for channel in channels:
            assert cluster.redis.publish(channel, payload) >= 1, f"{name}: nobody on {channel}"
        wait_requests_handled(cluster, clients, channels)
        problems = problems_of(cluster, audience, clients, seen)
        if problems:
            offenders[name] = problems
            restore_rooms(cluster, clients)
    assert offenders == {}, f"wrong-shape requests had effects: {offenders}"
    assert_cluster_still_delivers(cluster, audience, clients, cluster.broadcast_channel())
