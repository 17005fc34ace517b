"""A minimal MessagePack encoder, so the tests can publish well-formed and deliberately wrong emit
messages on the cluster channels without a msgpack package.

`pack` covers what the npm emitter's messages hold: None, bool, int, float, str, bytes, list/tuple
and dict (str keys). `emit_message` builds the emitter 5.x message
[uid, {"type": 2, "data": [event, *args], "nsp": N}, {"rooms": [...], "except": [...], "flags": {}}].

Threading: pure functions.
"""
from __future__ import annotations

import struct
from typing import Any


def _header(small_base: int, small_limit: int, codes: tuple, size: int) -> bytes:
    if size < small_limit:
        return bytes([small_base + size])
    code8, code16, code32 = codes
    if code8 is not None and size < 0x100:
        return bytes([code8, size])
    if size < 0x10000:
        return bytes([code16]) + struct.pack(">H", size)
    return bytes([code32]) + struct.pack(">I", size)


def pack(value: Any) -> bytes:
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack(">b", value)
        if 0 <= value < 1 << 64:
            return b"\xcf" + struct.pack(">Q", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        return _header(0xa0, 32, (0xd9, 0xda, 0xdb), len(data)) + data
    if isinstance(value, (bytes, bytearray)):
        return _header(0, 0, (0xc4, 0xc5, 0xc6), len(value)) + bytes(value)
    if isinstance(value, (list, tuple)):
        return _header(0x90, 16, (None, 0xdc, 0xdd), len(value)) + b"".join(pack(v) for v in value)
    if isinstance(value, dict):
        return _header(0x80, 16, (None, 0xde, 0xdf), len(value)) + b"".join(
            pack(k) + pack(v) for k, v in value.items())
    raise TypeError(f"cannot pack {type(value).__name__}")


def emit_message(event: Any, *args: Any, rooms: tuple = (), except_: tuple = (),
                 namespace: Any = "/", uid: Any = "emitter", packet_type: Any = 2) -> bytes:
    packet = {"type": packet_type, "data": [event, *args], "nsp": namespace}
    options = {"rooms": list(rooms), "flags": {}, "except": list(except_)}
    return pack([uid, packet, options])
