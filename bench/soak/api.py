"""The gateway's HTTP API as the soak's backend uses it (docs/http-api.md), one NodeApi per node.

Emits (users, rooms, broadcast), join / leave by sid, `GET /api/v1/sockets/{sid}/rooms` (404
once the server has forgotten a sid: how the soak notices a non-reader was cut off), and
`GET /metrics` parsed into {"name{labels}": value} plus {"name": sum over labels}. Every call is
bounded by a timeout; outcomes are tallied per (operation, status) in `tally`.
"""
from __future__ import annotations

import asyncio
import collections
import urllib.parse

import aiohttp

TIMEOUT_S = 10.0


def _segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def parse_metrics(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        try:
            number = float(value)
        except ValueError:
            continue
        values[name_labels] = number
        base = name_labels.split("{", 1)[0]
        if base != name_labels:
            values[base] = values.get(base, 0.0) + number
    return values


class NodeApi:
    def __init__(self, index: int, port: int, api_key: str, http: aiohttp.ClientSession,
                 tally: collections.Counter):
        self.index = index
        self.base = f"http://127.0.0.1:{port}"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._http = http
        self.tally = tally

    async def _call(self, operation: str, method: str, path: str, body=None) -> int:
        try:
            async with self._http.request(method, self.base + path, json=body, headers=self._headers,
                                          timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            status = 0
        self.tally[(operation, status)] += 1
        return status

    async def emit(self, kind: str, target: str, data: dict) -> int:
        body = {"event": "soak", "data": data}
        if kind == "user":
            return await self._call("emit", "POST", f"/api/v1/users/{_segment(target)}/events", body)
        if kind == "broadcast":
            return await self._call("emit", "POST", "/api/v1/events", body)
        return await self._call("emit", "POST", f"/api/v1/rooms/{_segment(target)}/events", body)

    async def join(self, sid: str, room: str) -> int:
        return await self._call("join", "PUT", f"/api/v1/sockets/{_segment(sid)}/rooms/{_segment(room)}")

    async def leave(self, sid: str, room: str) -> int:
        return await self._call("leave", "DELETE", f"/api/v1/sockets/{_segment(sid)}/rooms/{_segment(room)}")

    async def socket_known(self, sid: str) -> bool | None:
        """True while the server knows the sid, False once it answers 404, None on another answer."""
        status = await self._call("rooms", "GET", f"/api/v1/sockets/{_segment(sid)}/rooms")
        return True if status == 200 else False if status == 404 else None

    async def metrics(self) -> dict[str, float]:
        try:
            async with self._http.get(self.base + "/metrics", headers=self._headers,
                                      timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as response:
                return parse_metrics(await response.text()) if response.status == 200 else {}
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            return {}
