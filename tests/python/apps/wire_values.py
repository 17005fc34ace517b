"""JSON-safe form of values that may hold bytes, shared by the test app and the test process.

The control routes of the test app and the node client driver move Socket.IO payloads through
JSON; bytes travel as {"$bytes": "<base64>"} and come back as bytes, at any depth. Tuples become
lists. Pure functions, no state: any thread may use them.
"""
from __future__ import annotations

import base64
from typing import Any


def to_wire(value: Any) -> Any:
    """`value` with every bytes object replaced by {"$bytes": base64}."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    return value


def from_wire(value: Any) -> Any:
    """The inverse of to_wire: {"$bytes": base64} objects become bytes again."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {key: from_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_wire(item) for item in value]
    return value
