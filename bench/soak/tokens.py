"""HS256 tokens for the soak's clients, minted locally with the secret the nodes are started with.

Claims: `sub` (the user; the socket lands in room `user:<sub>`), `iat`, `exp` (an hour: longer
than any run). Nothing else: rooms are joined through the HTTP API by sid, as a backend does
when a user opens a conversation (bench/soak/churn.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def mint_hs256(secret: str, sub: str, ttl_s: int = 3600) -> str:
    now = int(time.time())
    header = _b64url(b'{"alg":"HS256","typ":"JWT"}')
    claims = _b64url(json.dumps({"sub": sub, "iat": now, "exp": now + ttl_s}, separators=(",", ":")).encode())
    signing_input = header + b"." + claims
    signature = _b64url(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()
