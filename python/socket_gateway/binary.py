"""Binary values in Socket.IO arguments: Python ``bytes`` <-> placeholders + attachments.

On the wire (and in the C++ core) a binary value inside an event's arguments is the JSON
object ``{"_placeholder": true, "num": K}`` and its bytes travel as attachment ``K``.
``pack`` turns Python values (bytes anywhere inside lists, tuples and dicts) into JSON text
plus the attachment list; ``unpack`` does the reverse for what clients send. Both run
inside the C-accelerated ``json`` module in one pass (``default=`` / ``object_hook=``).

Threading: pure functions; any thread.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["pack", "unpack"]

_BINARY_TYPES = (bytes, bytearray, memoryview)


def pack(values: list[Any]) -> tuple[str, list[bytes]]:
    """Encode a list of arguments as JSON text and the attachments its placeholders name.

    Raises ``TypeError`` for a value JSON cannot hold and ``ValueError`` for NaN/Infinity.
    """
    attachments: list[bytes] = []

    def placeholder(value: Any) -> dict[str, Any]:
        if isinstance(value, _BINARY_TYPES):
            attachments.append(bytes(value))
            return {"_placeholder": True, "num": len(attachments) - 1}
        raise TypeError(f"{type(value).__name__} is not JSON serializable (nor bytes)")

    text = json.dumps(values, default=placeholder, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text, attachments


def unpack(text: str, attachments: list[bytes]) -> list[Any]:
    """Decode JSON arguments, replacing each placeholder by its attachment's bytes.

    A placeholder whose number names no attachment is left as the dict it is.
    """
    if not attachments:
        values: list[Any] = json.loads(text)
        return values

    def restore(obj: dict[str, Any]) -> Any:
        if obj.get("_placeholder") is True and len(obj) == 2:
            num = obj.get("num")
            if isinstance(num, int) and not isinstance(num, bool) and 0 <= num < len(attachments):
                return attachments[num]
        return obj

    restored: list[Any] = json.loads(text, object_hook=restore)
    return restored
