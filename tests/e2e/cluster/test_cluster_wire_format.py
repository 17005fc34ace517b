"""What a gateway node publishes for an emit is the npm @socket.io/redis-emitter 5.x message.

A raw Redis subscriber (redis-py, pattern subscription on the key prefix) watches the channels
while HTTP API emits are made on a node: one message per emit, on `P#N#` for a broadcast and on
`P#N#<room>#` for a room or a user, holding msgpack [node id, {"type": 2, "data": [event, data],
"nsp": N}, {"rooms": [...], "except": [...], "flags": {...}}]. That is what lets Node.js
socket.io servers with the Redis adapter, and other gateway nodes, understand it.
"""
from __future__ import annotations

import time

import msgpack
import pytest
import redis

from cluster_nodes import ADMIN_NAMESPACE, scaled
from standalone_api import GatewayApi


@pytest.fixture
def watcher(cluster):
    """A pattern subscription on every emit channel of the cluster's prefix."""
    client = redis.Redis.from_url(cluster.redis.url)
    pubsub = client.pubsub()
    pubsub.psubscribe(f"{cluster.prefix}#*")
    deadline = time.monotonic() + scaled(5)
    while True:  # the subscription holds once Redis confirmed it
        confirmation = pubsub.get_message(timeout=0.1)
        if confirmation and confirmation["type"] == "psubscribe":
            break
        assert time.monotonic() < deadline, "Redis did not confirm the pattern subscription"
    yield pubsub
    pubsub.close()
    client.close()


def next_message(pubsub, wanted_channel: str) -> tuple:
    """The next message on `wanted_channel` (others are skipped): (channel, decoded payload)."""
    deadline = time.monotonic() + scaled(5)
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.1)
        if message and message["type"] == "pmessage":
            channel = message["channel"].decode()
            if channel == wanted_channel:
                return channel, msgpack.unpackb(message["data"], raw=False)
    raise AssertionError(f"nothing published on {wanted_channel} within {scaled(5):.1f} s")


def assert_emitter_message(payload, node_id: str, event: str, data, namespace: str,
                           rooms: list) -> None:
    assert isinstance(payload, list) and len(payload) == 3, payload
    uid, packet, options = payload
    assert uid == node_id, payload
    assert packet == {"type": 2, "data": [event, data], "nsp": namespace}, packet
    assert options.get("rooms") == rooms, options
    assert options.get("except", []) == [], options
    assert isinstance(options.get("flags", {}), dict), options


def test_a_room_emit_is_published_once_on_the_rooms_channel(cluster, watcher):
    api = GatewayApi(cluster.b.url)
    assert api.emit_to_room("wire-room", "wired", {"k": [1, "two"]}).status == 202
    channel, payload = next_message(watcher, cluster.room_channel("wire-room"))
    assert_emitter_message(payload, cluster.b.node_id, "wired", {"k": [1, "two"]}, "/",
                           ["wire-room"])


def test_a_user_emit_is_published_on_the_user_rooms_channel(cluster, watcher):
    api = GatewayApi(cluster.a.url)
    assert api.emit_to_user("wire-user", "wired", "text").status == 202
    channel, payload = next_message(watcher, cluster.room_channel("user:wire-user"))
    assert_emitter_message(payload, cluster.a.node_id, "wired", "text", "/", ["user:wire-user"])


def test_a_broadcast_is_published_on_the_namespace_channel(cluster, watcher):
    api = GatewayApi(cluster.c.url)
    assert api.broadcast("wired", 42, namespace=ADMIN_NAMESPACE).status == 202
    channel, payload = next_message(watcher, cluster.broadcast_channel(ADMIN_NAMESPACE))
    assert_emitter_message(payload, cluster.c.node_id, "wired", 42, ADMIN_NAMESPACE, [])
