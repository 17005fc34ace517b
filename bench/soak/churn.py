"""The churning clients: reader slots and non-reader slots (bench/soak/load_profile.py says how).

Each slot is one asyncio task that, until the stop event, connects a session (a fresh
Socket.IO connection, a new sid), has the backend join it to rooms through a random node's
HTTP API (PUT /api/v1/sockets/{sid}/rooms/{room}; in a cluster that node may route the call to
the sid's node through Redis), changes rooms, and disconnects; then it waits and starts over.
Every step is written to the Ledger (ledger.py) at the moment it is decided or confirmed, which
is what makes the delivery counts exact.

A session that ends is finalized 15 s after its TCP connection closed (longer than an emit's
HTTP timeout plus the grace period: nothing can still be owed to it), and its verdict added to
the totals. All waits are bounded; every loop ends at the stop event.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import random
import time

from ledger import Ledger, SessionRecord
from load_profile import Profile
from sio_session import SioSession
from tokens import mint_hs256

FINALIZE_AFTER_S = 15.0
CONNECT_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 10.0
TICKER = "ticker"


class Clients:
    def __init__(self, profile: Profile, ledger: Ledger, apis: list, ports: list[int], secret: str,
                 rng: random.Random, latency_sink, started_at: float):
        self.profile = profile
        self.ledger = ledger
        self.apis = apis
        self.ports = ports
        self.secret = secret
        self.rng = rng
        self.latency_sink = latency_sink
        self.started_at = started_at
        self.stop = asyncio.Event()
        self.live: dict[int, SessionRecord] = {}
        self.stalled: dict[int, tuple[int, int]] = {}  # non-readers the server forgot, socket still open:
                                                       # key -> (node, our local port)
        self.to_finalize: collections.deque = collections.deque()
        self.counts: collections.Counter = collections.Counter()
        self.cut_after_s: list[float] = []      # non-readers: stop reading -> sid gone
        self._keys = itertools.count(1)
        self._tasks: list[asyncio.Task] = []

    # ---- rooms -------------------------------------------------------------------------
    def generation(self) -> int:
        return int((time.monotonic() - self.started_at) // self.profile.room_generation_s)

    def random_room(self, generation: int | None = None) -> str:
        generation = self.generation() if generation is None else generation
        return f"g{generation}-r{self.rng.randrange(self.profile.rooms_per_generation)}"

    def random_non_reader_user(self) -> str | None:
        users = [r.user for r in self.live.values() if not r.reader]
        return self.rng.choice(users) if users else None

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        for slot in range(self.profile.readers):
            self._tasks.append(asyncio.create_task(self._reader_slot(slot)))
        for slot in range(self.profile.non_readers):
            self._tasks.append(asyncio.create_task(self._non_reader_slot(slot)))

    async def finish(self, timeout: float) -> None:
        """Stops every slot (each disconnects its session) and waits, bounded, for them."""
        self.stop.set()
        done, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        for record in list(self.live.values()):
            record.sio.abort()
        self.counts["slots_cancelled"] += len(pending)
        for task in done:
            if task.exception() is not None:
                self.counts["slot_errors"] += 1
                self.counts["slot_error: " + repr(task.exception())[:120]] += 1

    def finalize_due(self, now: float, everything: bool = False) -> None:
        while self.to_finalize and (everything or self.to_finalize[0].closed_at + FINALIZE_AFTER_S <= now):
            record = self.to_finalize.popleft()
            verdict = self.ledger.finalize(record)
            if verdict["lost"] or verdict["strays"] or verdict["duplicates"]:
                self.counts["sessions_with_losses" if not record.dropped else "dropped_sessions_with_losses"] += 1

    async def _sleep_or_stop(self, seconds: float, closed: asyncio.Future | None = None) -> None:
        waiters = [asyncio.ensure_future(self.stop.wait())]
        if closed is not None:
            waiters.append(closed)
        done, pending = await asyncio.wait(waiters, timeout=max(0.0, seconds), return_when=asyncio.FIRST_COMPLETED)
        waiters[0].cancel()

    async def _connect(self, user: str, reader: bool) -> SessionRecord | None:
        key = next(self._keys)
        node = self.rng.randrange(len(self.ports))
        record = SessionRecord(key, user, reader, node)
        record.sio = SioSession(key, user, reader, node, self.latency_sink if reader else None)
        try:
            record.sid = await record.sio.connect("127.0.0.1", self.ports[node], mint_hs256(self.secret, user),
                                                  CONNECT_TIMEOUT_S, None if reader else self.profile.non_reader_mss)
        except Exception as error:  # refused, reset, timeout: counted, then tried again later
            self.counts["connect_failures"] += 1
            self.counts["connect_failure: " + type(error).__name__] += 1
            return None
        self.ledger.session_connected(record, time.monotonic())
        self.live[key] = record
        self.counts["connects_readers" if reader else "connects_non_readers"] += 1
        return record

    async def _join(self, record: SessionRecord, room: str) -> None:
        membership = self.ledger.request_join(record, room, time.monotonic())
        status = await self.rng.choice(self.apis).join(record.sid, room)
        now = time.monotonic()
        if status == 200:
            self.ledger.confirm_join(membership, now)
        else:
            self.counts[f"join_status_{status}"] += 1
            self.ledger.end(membership, now)
            membership.gone_at = now

    async def _leave(self, record: SessionRecord, membership) -> None:
        self.ledger.end(membership, time.monotonic())
        status = await self.rng.choice(self.apis).leave(record.sid, membership.room)
        membership.gone_at = time.monotonic()
        if status != 200:
            self.counts[f"leave_status_{status}"] += 1

    def _closed(self, record: SessionRecord) -> None:
        record.closed_at = record.sio.closed_at or time.monotonic()
        for membership in record.memberships:
            if membership.gone_at is None:
                membership.gone_at = record.closed_at
        self.live.pop(record.key, None)
        if record.reader:
            self.to_finalize.append(record)

    # ---- readers -----------------------------------------------------------------------
    async def _reader_slot(self, slot: int) -> None:
        profile, rng = self.profile, self.rng
        await self._sleep_or_stop(rng.uniform(0, profile.ramp_s))
        while not self.stop.is_set():
            record = await self._connect(f"u{slot % profile.users}", True)
            if record is None:
                await self._sleep_or_stop(rng.uniform(1, 3))
                continue
            rooms = {self.random_room() for _ in range(rng.randint(*profile.rooms_per_client))}
            if rng.random() < profile.ticker_share:
                rooms.add(TICKER)
            await asyncio.gather(*(self._join(record, room) for room in rooms))
            end_at = time.monotonic() + rng.uniform(*profile.lifetime_s)
            while not self.stop.is_set() and not record.sio.closed.done():
                wait = min(rng.uniform(*profile.room_change_s), end_at - time.monotonic())
                await self._sleep_or_stop(wait, record.sio.closed)
                if self.stop.is_set() or record.sio.closed.done() or time.monotonic() >= end_at:
                    break
                conversations = [m for m in self.ledger.current_rooms(record) if m.room != TICKER]
                if conversations:
                    await self._leave(record, rng.choice(conversations))
                joined = {m.room for m in self.ledger.current_rooms(record)}
                room = self.random_room()
                if room not in joined:  # one stay per room at a time (a second PUT would be a no-op)
                    await self._join(record, room)
            await self._disconnect(record, abrupt=rng.random() < profile.abrupt_share)
            await self._sleep_or_stop(rng.uniform(*profile.offline_s))

    async def _disconnect(self, record: SessionRecord, abrupt: bool) -> None:
        sio = record.sio
        now = time.monotonic()
        if sio.closed.done():  # the server closed it: a reader should never see this
            record.dropped = True
            self.counts["readers_dropped_by_server"] += 1
            self.counts["readers_dropped_by_server: " + str(sio.closed.result())[:60]] += 1
            self.ledger.session_ending(record, sio.closed_at or now)
            self._closed(record)
            return
        self.ledger.session_ending(record, now)
        if abrupt:
            # Keep reading for the grace period (what the server sent before the decision is
            # still counted), then drop TCP without a goodbye.
            await asyncio.wait([sio.closed], timeout=self.ledger.grace_s)
            sio.abort()
            self.counts["disconnects_abrupt"] += 1
        else:
            sio.close()
            done, _ = await asyncio.wait([sio.closed], timeout=CLOSE_TIMEOUT_S)
            if not done:
                self.counts["close_timeouts"] += 1
                sio.abort()
            self.counts["disconnects_graceful"] += 1
        await asyncio.wait([sio.closed], timeout=1.0)
        self._closed(record)

    # ---- non-readers -------------------------------------------------------------------
    async def _non_reader_slot(self, slot: int) -> None:
        profile, rng = self.profile, self.rng
        await self._sleep_or_stop(rng.uniform(0, profile.ramp_s))
        while not self.stop.is_set():
            record = await self._connect(f"slow{next(self._keys)}", False)
            if record is None:
                await self._sleep_or_stop(rng.uniform(1, 3))
                continue
            rooms = {TICKER} | {self.random_room() for _ in range(rng.randint(1, 2))}
            await asyncio.gather(*(self._join(record, room) for room in rooms))
            record.sio.stop_reading()
            stopped_at = time.monotonic()
            api = self.apis[record.node]  # the owner answers from its own table
            gone = False
            while not self.stop.is_set():
                await self._sleep_or_stop(profile.non_reader_poll_s)
                if not self.stop.is_set() and await api.socket_known(record.sid) is False:
                    gone = True
                    break
            if not gone:  # the run ends: drop it
                self.ledger.session_ending(record, time.monotonic())
                record.sio.abort()
                await asyncio.wait([record.sio.closed], timeout=1.0)
                self._closed(record)
                return
            now = time.monotonic()
            self.cut_after_s.append(now - stopped_at)
            self.counts["non_readers_cut"] += 1
            self.ledger.session_ending(record, now)
            self.stalled[record.key] = (record.node, record.sio.local_port)
            await self._sleep_or_stop(profile.non_reader_linger_s)
            record.sio.resume_and_drain()
            done, _ = await asyncio.wait([record.sio.closed], timeout=CLOSE_TIMEOUT_S)
            if not done:
                self.counts["non_reader_drain_timeouts"] += 1
                record.sio.abort()
                await asyncio.wait([record.sio.closed], timeout=1.0)
            self.counts[f"non_reader_close_code_{record.sio.close_code_received}"] += 1
            if record.sio.server_disconnect:
                self.counts["non_reader_got_disconnect_packet"] += 1
            self.stalled.pop(record.key, None)
            self._closed(record)
            await self._sleep_or_stop(rng.uniform(*profile.offline_s))

    # ---- what the sampler reports ------------------------------------------------------
    def stalled_ports(self) -> dict[int, set[int]]:
        ports: dict[int, set[int]] = collections.defaultdict(set)
        for node, port in self.stalled.values():
            ports[node].add(port)
        return ports

    def stats(self) -> dict:
        readers = sum(1 for r in self.live.values() if r.reader)
        memberships = sum(len(members) for members in self.ledger.rooms.values())
        conversation_rooms = sum(1 for room in self.ledger.rooms if room.startswith("g"))
        by_node = [0] * len(self.ports)
        for record in self.live.values():
            if not record.reader:
                by_node[record.node] += 1
        return {"readers": readers, "non_readers": len(self.live) - readers, "non_readers_stalled": len(self.stalled),
                "non_readers_by_node": by_node,
                "rooms_with_members": len(self.ledger.rooms), "conversation_rooms": conversation_rooms,
                "memberships": memberships, "generation": self.generation()}
