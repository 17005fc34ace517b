"""socket_gateway.RedisEmitter publishes exactly what the npm @socket.io/redis-emitter 5.x does.

Each test performs the same operations with the npm emitter (node/redis-emitter-publish.mjs)
and with RedisEmitter / AsyncRedisEmitter against a private redis-server, records every message
with a raw redis-py pattern subscription, and asserts the same channels and equal payloads:
msgpack decoded with types kept (1 is not 1.0 nor True, bytes are bin), JSON for the requests.
Requests on a gateway cluster sid ("<node>-<random>") differ only in their channel: they go to
that node's channel, which the npm emitter does not know. The end-to-end path (emitter ->
gateway nodes -> clients) is tested in tests/e2e/cluster.

The module is pure Python and self-contained, so it is loaded from the source tree: these tests
need no build of the C++ core.

Threading: pytest runs the tests one after another on one thread.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import pathlib
import shutil
import socket
import subprocess
import time
from typing import Any, Callable

import msgpack
import pytest
import redis

from wire_values import to_wire

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE_DIR = pathlib.Path(__file__).with_name("node")
PUBLISHER = NODE_DIR / "redis-emitter-publish.mjs"
WAIT = 10.0


def _load_emitter_module() -> Any:
    path = ROOT / "python" / "socket_gateway" / "redis_emitter.py"
    spec = importlib.util.spec_from_file_location("socket_gateway_redis_emitter", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


emitter_module = _load_emitter_module()
RedisEmitter = emitter_module.RedisEmitter
AsyncRedisEmitter = emitter_module.AsyncRedisEmitter

# ---- a private redis-server and a recorder of what is published ---------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("redis")
    for _attempt in range(3):  # another process may take the free port before redis-server does
        port = _free_port()
        log = open(workdir / f"redis-{port}.log", "wb")
        server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                                  stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=port)
        deadline = time.monotonic() + WAIT
        while server.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        if server.poll() is None:
            break
        log.close()
    else:
        pytest.fail("redis-server did not start on a free port")
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=WAIT)
    log.close()


class Recorder:
    """Every message published on channels starting with `prefix`, as (channel, payload bytes)."""

    def __init__(self, url: str, prefix: str):
        self._client = redis.Redis.from_url(url)
        self._pubsub = self._client.pubsub()
        self._pubsub.psubscribe(prefix + "*")
        confirmation = self._pubsub.get_message(timeout=WAIT)
        assert confirmation is not None and confirmation["type"] == "psubscribe"

    def take(self, count: int) -> list[tuple[str, bytes]]:
        messages: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + WAIT
        while len(messages) < count and time.monotonic() < deadline:
            message = self._pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message["type"] == "pmessage":
                messages.append((message["channel"].decode(), message["data"]))
        assert len(messages) == count, f"expected {count} messages, got {messages}"
        return messages

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


@pytest.fixture
def recorder_factory(redis_url: str):
    recorders: list[Recorder] = []

    def make(prefix: str) -> Recorder:
        recorders.append(Recorder(redis_url, prefix))
        return recorders[-1]

    yield make
    for recorder in recorders:
        recorder.close()


# ---- the npm reference and the comparison --------------------------------------------------


def publish_with_npm(url: str, key_prefix: str, operations: list[dict[str, Any]]) -> None:
    if not (NODE_DIR / "node_modules" / "@socket.io" / "redis-emitter").is_dir():
        pytest.fail(f"{NODE_DIR}/node_modules is missing: run scripts/install-test-deps.sh")
    node = shutil.which("node")
    assert node is not None, "node is not installed"
    finished = subprocess.run([node, str(PUBLISHER), url, key_prefix], input=json.dumps(operations).encode(),
                              capture_output=True, timeout=30)
    assert finished.returncode == 0, finished.stderr.decode()


def emit_op(event: str, *args: Any, rooms: list[str] | None = None, except_rooms: list[str] | None = None,
            namespace: str = "/") -> dict[str, Any]:
    return {"op": "emit", "namespace": namespace, "rooms": rooms or [], "except": except_rooms or [],
            "event": event, "args": to_wire(list(args))}


def request_op(op: str, sid: str, room: str | None = None, namespace: str = "/") -> dict[str, Any]:
    return {"op": op, "namespace": namespace, "sid": sid, "room": room}


def typed(value: Any) -> Any:
    """`value` with each leaf's type beside it, so that 1, 1.0 and True compare different."""
    if isinstance(value, list):
        return ["list", [typed(item) for item in value]]
    if isinstance(value, dict):
        return ["dict", {key: typed(item) for key, item in value.items()}]
    return [type(value).__name__, value]


def decoded(channel: str, payload: bytes) -> Any:
    if "-request#" in channel or "-node#" in channel:
        return ["json", json.loads(payload)]
    return ["msgpack", typed(msgpack.unpackb(payload, raw=False))]


def assert_same_messages(npm: list[tuple[str, bytes]], ours: list[tuple[str, bytes]]) -> None:
    assert [channel for channel, _ in ours] == [channel for channel, _ in npm]
    for (channel, npm_payload), (_, our_payload) in zip(npm, ours):
        assert decoded(channel, our_payload) == decoded(channel, npm_payload), channel


def compare(redis_url: str, recorder_factory: Callable[[str], Recorder], key_prefix: str,
            operations: list[dict[str, Any]], ours: Callable[[Any], None], **options: Any) -> list[tuple[str, bytes]]:
    """Runs `operations` with the npm emitter, then `ours(emitter)`; asserts the same messages."""
    recorder = recorder_factory(key_prefix)
    publish_with_npm(redis_url, key_prefix, operations)
    npm = recorder.take(len(operations))
    with RedisEmitter(redis_url, key_prefix=key_prefix, **options) as emitter:
        ours(emitter)
    mine = recorder.take(len(operations))
    assert_same_messages(npm, mine)
    return mine


# ---- emits ----------------------------------------------------------------------------------


def test_user_room_and_broadcast_emits_match_npm(redis_url, recorder_factory):
    operations = [
        emit_op("notice", {"text": "hello", "count": 3}, rooms=["user:42"]),
        emit_op("chat", "alice", "hi there", 7, rooms=["lobby"]),
        emit_op("tick"),
        emit_op("list", [1, 2, 3]),
        emit_op("nothing", None, rooms=["lobby"]),
    ]

    def ours(emitter):
        emitter.emit_to_user("42", "notice", {"text": "hello", "count": 3})
        emitter.emit_to_room("lobby", "chat", ("alice", "hi there", 7))
        emitter.broadcast("tick")
        emitter.broadcast("list", [1, 2, 3])
        emitter.emit("nothing", None, rooms="lobby")

    messages = compare(redis_url, recorder_factory, "socket.io", operations, ours)
    assert [channel for channel, _ in messages] == [
        "socket.io#/#user:42#", "socket.io#/#lobby#", "socket.io#/#", "socket.io#/#", "socket.io#/#lobby#"]


def test_binary_and_scalar_arguments_match_npm(redis_url, recorder_factory):
    blob = bytes(range(256)) * 300  # bin 32 (over 65535 bytes)
    values = [-1, -200, 70000, 2**40, -(2**40), 1.5, -0.25, True, False, None, "", "é" * 300, "房间"]
    operations = [
        emit_op("blob", b"\x00\x01\xff", rooms=["files"]),
        emit_op("upload", {"name": "a.bin", "data": b"\x00" * 300, "parts": [b"x", {"inner": b"y"}]}),
        emit_op("several", b"one", "two", b"three", rooms=["files"]),
        emit_op("big", blob),
        emit_op("values", *values, rooms=["numbers"]),
    ]

    def ours(emitter):
        emitter.emit_to_room("files", "blob", b"\x00\x01\xff")
        emitter.broadcast("upload", {"name": "a.bin", "data": bytearray(300), "parts": [memoryview(b"x"), {"inner": b"y"}]})
        emitter.emit_to_room("files", "several", (b"one", "two", b"three"))
        emitter.broadcast("big", blob)
        emitter.emit("values", *values, rooms=["numbers"])

    compare(redis_url, recorder_factory, "bin", operations, ours)


def test_several_rooms_and_except_match_npm(redis_url, recorder_factory):
    operations = [
        emit_op("multi", 1, "two", rooms=["a", "b"], except_rooms=["c"]),
        emit_op("one-room-except", rooms=["a"], except_rooms=["b", "c"]),
        emit_op("all-but", {"x": 1}, except_rooms=["banned"]),
        emit_op("dedup", rooms=["a", "b"]),
        emit_op("sid-as-room", rooms=["nodeA-Zx81kq"]),
    ]

    def ours(emitter):
        emitter.emit("multi", 1, "two", rooms=["a", "b"], except_rooms=("c",))
        emitter.emit("one-room-except", rooms=["a"], except_rooms=["b", "c"])
        emitter.emit("all-but", {"x": 1}, except_rooms="banned")
        emitter.emit("dedup", rooms=["a", "b", "a"])
        emitter.emit("sid-as-room", rooms=iter(["nodeA-Zx81kq"]))

    messages = compare(redis_url, recorder_factory, "multi", operations, ours)
    assert [channel for channel, _ in messages] == [
        "multi#/#", "multi#/#a#", "multi#/#", "multi#/#", "multi#/#nodeA-Zx81kq#"]


def test_namespaces_and_names_match_npm(redis_url, recorder_factory):
    operations = [
        emit_op("e", 1, rooms=["r"], namespace="/admin"),
        emit_op("e", namespace="chat"),
        emit_op("salut", "é", rooms=["salle-été"], namespace="/ünï"),
        emit_op("notice", rooms=["member/42"], namespace="/admin"),
    ]

    def ours(emitter):
        emitter.emit_to_room("r", "e", 1, namespace="/admin")
        emitter.broadcast("e", namespace="chat")
        emitter.emit_to_room("salle-été", "salut", "é", namespace="/ünï")
        emitter.emit_to_user("42", "notice", namespace="/admin")

    messages = compare(redis_url, recorder_factory, "app:sio", operations, ours, user_room_prefix="member/")
    assert [channel for channel, _ in messages] == [
        "app:sio#/admin#r#", "app:sio#/chat#", "app:sio#/ünï#salle-été#", "app:sio#/admin#member/42#"]


# ---- requests by sid ------------------------------------------------------------------------


def test_requests_on_plain_sids_match_npm(redis_url, recorder_factory):
    operations = [
        request_op("join", "lv_VI97HAXpY6yYWAAAC", "room one"),
        request_op("leave", "lv_VI97HAXpY6yYWAAAC", "room one"),
        request_op("disconnect", "lv_VI97HAXpY6yYWAAAC"),
        request_op("join", "_5mBpX3AAAB", "é", namespace="/admin"),
    ]

    def ours(emitter):
        emitter.join_room("lv_VI97HAXpY6yYWAAAC", "room one")
        emitter.leave_room("lv_VI97HAXpY6yYWAAAC", "room one")
        emitter.disconnect("lv_VI97HAXpY6yYWAAAC")
        emitter.join_room("_5mBpX3AAAB", "é", namespace="admin")

    messages = compare(redis_url, recorder_factory, "socket.io", operations, ours)
    assert [channel for channel, _ in messages] == [
        "socket.io-request#/#", "socket.io-request#/#", "socket.io-request#/#", "socket.io-request#/admin#"]
    assert json.loads(messages[0][1]) == {"type": 2, "opts": {"rooms": ["lv_VI97HAXpY6yYWAAAC"], "except": []},
                                          "rooms": ["room one"]}
    assert json.loads(messages[2][1]) == {"type": 4, "opts": {"rooms": ["lv_VI97HAXpY6yYWAAAC"], "except": []},
                                          "close": True}


def test_requests_on_cluster_sids_go_to_the_owner_node(redis_url, recorder_factory):
    sid = "nodeA-x9-Qk_2"
    recorder = recorder_factory("socket.io")
    publish_with_npm(redis_url, "socket.io", [request_op("join", sid, "r"), request_op("leave", sid, "r"),
                                              request_op("disconnect", sid)])
    npm = recorder.take(3)
    with RedisEmitter(redis_url) as emitter:
        emitter.join_room(sid, "r")
        emitter.leave_room(sid, "r", namespace="/admin")  # the node channel has no namespace
        emitter.disconnect(sid)
    ours = recorder.take(3)
    assert [channel for channel, _ in ours] == ["socket.io-node#nodeA#"] * 3
    assert [json.loads(payload) for _, payload in ours] == [json.loads(payload) for _, payload in npm]


def test_requests_without_node_routing_match_npm(redis_url, recorder_factory):
    operations = [request_op("join", "nodeA-x9", "r", namespace="/admin"), request_op("disconnect", "nodeA-x9")]

    def ours(emitter):
        emitter.join_room("nodeA-x9", "r", namespace="/admin")
        emitter.disconnect("nodeA-x9")

    messages = compare(redis_url, recorder_factory, "socket.io", operations, ours, route_to_nodes=False)
    assert [channel for channel, _ in messages] == ["socket.io-request#/admin#", "socket.io-request#/#"]


# ---- the asyncio form -----------------------------------------------------------------------


def test_async_emitter_publishes_the_same_messages(redis_url, recorder_factory):
    recorder = recorder_factory("async")

    def calls(emitter):
        return [emitter.emit_to_user("7", "notice", {"blob": b"\x01\x02"}),
                emitter.emit_to_room("lobby", "chat", ("a", 1)),
                emitter.broadcast("tick", namespace="/admin"),
                emitter.emit("multi", b"x", rooms=["a", "b"], except_rooms=["c"]),
                emitter.join_room("n1-abc", "r"), emitter.leave_room("plainsid", "r"), emitter.disconnect("n1-abc")]

    with RedisEmitter(redis_url, key_prefix="async") as emitter:
        calls(emitter)
    blocking = recorder.take(7)

    async def publish() -> None:
        async with AsyncRedisEmitter(redis_url, key_prefix="async") as emitter:
            for awaitable in calls(emitter):
                await awaitable

    asyncio.run(publish())
    assert_same_messages(blocking, recorder.take(7))


# ---- refusals -------------------------------------------------------------------------------


class Unserializable:
    pass


REFUSED_CALLS = [
    pytest.param(lambda e, event=event: e.broadcast(event), ValueError, id=f"reserved-{event}")
    for event in ("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener")
] + [
    pytest.param(lambda e: e.emit_to_user("1", "connect"), ValueError, id="reserved-to-user"),
    pytest.param(lambda e: e.broadcast(""), ValueError, id="empty-event"),
    pytest.param(lambda e: e.broadcast(b"event"), TypeError, id="bytes-event"),
    pytest.param(lambda e: e.emit(None), TypeError, id="none-event"),
    pytest.param(lambda e: e.emit_to_user(42, "e"), TypeError, id="int-user-id"),
    pytest.param(lambda e: e.emit_to_room(None, "e"), TypeError, id="none-room"),
    pytest.param(lambda e: e.emit("e", rooms=["a", 1]), TypeError, id="int-in-rooms"),
    pytest.param(lambda e: e.emit("e", except_rooms=[None]), TypeError, id="none-in-except"),
    pytest.param(lambda e: e.broadcast("e", namespace=1), TypeError, id="int-namespace"),
    pytest.param(lambda e: e.broadcast("e", {1, 2}), TypeError, id="set-argument"),
    pytest.param(lambda e: e.broadcast("e", {"a": Unserializable()}), TypeError, id="object-argument"),
    pytest.param(lambda e: e.broadcast("e", {1: "a"}), TypeError, id="int-dict-key"),
    pytest.param(lambda e: e.broadcast("e", float("nan")), ValueError, id="nan"),
    pytest.param(lambda e: e.broadcast("e", [float("inf")]), ValueError, id="infinity"),
    pytest.param(lambda e: e.broadcast("e", 1 << 64), ValueError, id="int-over-64-bits"),
    pytest.param(lambda e: e.join_room(None, "r"), TypeError, id="none-sid"),
    pytest.param(lambda e: e.join_room("s", 5), TypeError, id="int-room-to-join"),
    pytest.param(lambda e: e.leave_room("s", None), TypeError, id="none-room-to-leave"),
    pytest.param(lambda e: e.disconnect(b"sid"), TypeError, id="bytes-sid"),
]


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


REFUSED_CALLS.append(pytest.param(lambda e: e.broadcast("e", _nested(2000)), ValueError, id="nested-too-deeply"))


@pytest.mark.parametrize(("call", "error"), REFUSED_CALLS)
def test_refuses_bad_calls_without_publishing(redis_url, recorder_factory, call, error):
    recorder = recorder_factory("refusals")
    with RedisEmitter(redis_url, key_prefix="refusals") as emitter:
        with pytest.raises(error):
            call(emitter)
        emitter.broadcast("sentinel")
    [(channel, payload)] = recorder.take(1)
    assert channel == "refusals#/#"
    assert msgpack.unpackb(payload)[1]["data"] == ["sentinel"]


def test_async_emitter_refuses_when_called_not_when_awaited(redis_url):
    async def check() -> None:
        async with AsyncRedisEmitter(redis_url) as emitter:
            with pytest.raises(ValueError):
                emitter.broadcast("disconnect")
            with pytest.raises(TypeError):
                emitter.emit_to_user(None, "e")

    asyncio.run(check())


def test_refuses_bad_settings():
    with pytest.raises(TypeError):
        RedisEmitter(b"redis://127.0.0.1:1")
    with pytest.raises(TypeError):
        RedisEmitter("redis://127.0.0.1:1", key_prefix=None)
    with pytest.raises(TypeError):
        RedisEmitter("redis://127.0.0.1:1", user_room_prefix=1)
    with pytest.raises(TypeError):
        RedisEmitter("redis://127.0.0.1:1", route_to_nodes="yes")
