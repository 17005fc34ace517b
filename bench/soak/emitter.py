"""The backend's emits: four paced streams through the nodes' HTTP APIs, all along the run.

  user       POST /api/v1/users/{id}/events    a random reader user (u<k>), or now and then a
                                               connected non-reader's user
  room       POST /api/v1/rooms/{room}/events  a random conversation room of the current room
                                               generation (one in five of the previous one)
  ticker     POST /api/v1/rooms/ticker/events  the live feed (large payloads)
  broadcast  POST /api/v1/events

Each emit goes through a random node, carries {"id", "t", "pad"} (ledger.py, sio_session.py)
and is registered in the Ledger before its POST and answered into it after. Streams are paced
at their rate (a fixed schedule, no catch-up bursts after a stall); at most
`max_in_flight_emits` POSTs are outstanding, beyond that an emit is skipped and counted.
"""
from __future__ import annotations

import asyncio
import time

from churn import TICKER, Clients
from ledger import BROADCAST, Ledger
from load_profile import Profile


class Emitter:
    def __init__(self, profile: Profile, ledger: Ledger, apis: list, clients: Clients):
        self.profile = profile
        self.ledger = ledger
        self.apis = apis
        self.clients = clients
        self.rng = clients.rng
        self._in_flight = 0
        self._posts: set[asyncio.Task] = set()

    async def run(self, stop: asyncio.Event) -> None:
        streams = [asyncio.create_task(self._stream(kind, rate, stop))
                   for kind, rate in self.profile.rates.items() if rate > 0]
        await asyncio.gather(*streams)
        if self._posts:
            await asyncio.wait(self._posts, timeout=15)

    async def _stream(self, kind: str, rate: float, stop: asyncio.Event) -> None:
        period = 1.0 / rate
        next_at = time.monotonic() + self.rng.uniform(0, period)
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                    return
                except asyncio.TimeoutError:
                    pass
            next_at = max(next_at + period, time.monotonic() - period)
            if self._in_flight >= self.profile.max_in_flight_emits:
                self.ledger.totals["emits_skipped"] += 1
                continue
            task = asyncio.create_task(self._post(kind))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)

    def _target(self, kind: str) -> tuple[str, str]:
        """(the ledger's room name, the API's target)."""
        if kind == "user":
            user = None
            if self.rng.random() < 0.05:
                user = self.clients.random_non_reader_user()
            user = user or f"u{self.rng.randrange(self.profile.users)}"
            return f"user:{user}", user
        if kind == "room":
            generation = self.clients.generation()
            if generation > 0 and self.rng.random() < 0.2:
                generation -= 1
            room = self.clients.random_room(generation)
            return room, room
        if kind == "ticker":
            return TICKER, TICKER
        return BROADCAST, BROADCAST

    async def _post(self, kind: str) -> None:
        self._in_flight += 1
        try:
            room, target = self._target(kind)
            size = self.profile.payload_bytes[kind]
            emit_id, candidates = self.ledger.new_emit(kind, room, size, time.monotonic())
            data = {"id": emit_id, "t": time.monotonic_ns(), "pad": "x" * max(0, size - 48)}
            status = await self.rng.choice(self.apis).emit(kind, target, data)
            self.ledger.emit_answered(emit_id, status, candidates, time.monotonic())
        finally:
            self._in_flight -= 1
