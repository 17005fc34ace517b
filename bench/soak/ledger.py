"""Exact delivery accounting: which reader had to receive which emit, and what it got.

Every client connection is a SessionRecord (its user, node, sid, times) and holds a list of
Memberships, one per stay in a room: its user room `user:<sub>` and the broadcast pseudo-room
`*` from the CONNECT reply on, and every room the backend joined it to through the API, each
with the time the join was asked, confirmed (200) and ended (the moment the harness *decided*
to leave or disconnect, before it sends anything).

An emit gets a unique id, carried in its payload. It is *owed* to a reader session when the
session's membership of the emit's target
  - was confirmed at least GUARD_S before the emit's POST was sent, and
  - had not ended GRACE_S after the POST was answered 202
(the second part is checked by a timer at that moment). Emits a session was in the target for
only part of that window are neither owed nor wrong ("ambiguous", not counted), so the count is
exact for every pair that is counted. Non-readers are members too (their bytes are tallied) but
are owed nothing.

When a session is over (closed, and later than any emit that could still be owed to it),
finalize() compares: lost = owed - received; duplicates = an id received twice; strays = a
received id whose target the session was never in within [POST - 1 s, 202 + 10 s], a stay
lasting from its join request to its DELETE's answer or the connection's close (a delivery to a
non-member: a server bug).
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses

GUARD_S = 0.5
GRACE_S = 3.0
BROADCAST = "*"
STRAY_MARGIN_BEFORE_S, STRAY_MARGIN_AFTER_S = 1.0, 10.0


@dataclasses.dataclass(eq=False)
class Membership:
    session: "SessionRecord"
    room: str
    requested_at: float
    confirmed_at: float | None = None
    ended_at: float | None = None      # the decision to leave (before the DELETE or the close is sent)
    gone_at: float | None = None       # the DELETE answered, or the connection closed


@dataclasses.dataclass(eq=False)
class SessionRecord:
    key: int
    user: str
    reader: bool
    node: int
    sid: str | None = None
    connected_at: float | None = None
    ended_at: float | None = None      # the decision to leave everything (disconnect)
    closed_at: float | None = None     # TCP gone
    dropped: bool = False              # closed by the server (a reader should never be)
    memberships: list[Membership] = dataclasses.field(default_factory=list)
    owed: set[int] = dataclasses.field(default_factory=set)
    sio: object = None                 # the SioSession (received ids)


@dataclasses.dataclass
class EmitRecord:
    kind: str
    target: str
    sent_at: float
    size: int
    acked_at: float | None = None


class Ledger:
    def __init__(self, guard_s: float = GUARD_S, grace_s: float = GRACE_S):
        self.guard_s = guard_s
        self.grace_s = grace_s
        self.rooms: dict[str, dict[int, Membership]] = collections.defaultdict(dict)  # current members
        self.emits: dict[int, EmitRecord] = {}
        self.totals: collections.Counter = collections.Counter()
        self.lost_samples: list[dict] = []
        self.pending_checks = 0
        self._next_id = 1
        self._loop = asyncio.get_running_loop()

    # ---- memberships -------------------------------------------------------------------
    def session_connected(self, record: SessionRecord, now: float) -> None:
        """The CONNECT reply: the server put the socket in its user room before sending it."""
        record.connected_at = now
        for room in (f"user:{record.user}", BROADCAST):
            membership = self.request_join(record, room, now)
            membership.confirmed_at = now

    def request_join(self, record: SessionRecord, room: str, now: float) -> Membership:
        """A new stay in `room`; the session must not be in it already (one stay per room at a time)."""
        assert record.key not in self.rooms.get(room, {}), f"session {record.key} is already in {room}"
        membership = Membership(record, room, now)
        record.memberships.append(membership)
        self.rooms[room][record.key] = membership
        return membership

    def confirm_join(self, membership: Membership, now: float) -> None:
        if membership.ended_at is None:
            membership.confirmed_at = now

    def end(self, membership: Membership, now: float) -> None:
        if membership.ended_at is not None:
            return
        membership.ended_at = now
        members = self.rooms.get(membership.room)
        if members is not None and members.get(membership.session.key) is membership:
            del members[membership.session.key]
            if not members:
                del self.rooms[membership.room]

    def session_ending(self, record: SessionRecord, now: float) -> None:
        record.ended_at = now
        for membership in record.memberships:
            self.end(membership, now)

    def current_rooms(self, record: SessionRecord) -> list[Membership]:
        return [m for m in record.memberships if m.ended_at is None and m.room != BROADCAST
                and not m.room.startswith("user:")]

    # ---- emits -------------------------------------------------------------------------
    def new_emit(self, kind: str, target: str, size: int, now: float) -> tuple[int, list[Membership]]:
        """Allocates an id and returns the reader memberships that qualify at the POST."""
        emit_id = self._next_id
        self._next_id += 1
        self.emits[emit_id] = EmitRecord(kind, target, now, size)
        members = self.rooms.get(target, {}).values()
        limit = now - self.guard_s
        candidates = []
        non_readers = 0
        for membership in members:
            if not membership.session.reader:
                non_readers += 1
            elif membership.confirmed_at is not None and membership.confirmed_at <= limit:
                candidates.append(membership)
        self.totals["emits_" + kind] += 1
        self.totals["bytes_to_nonreaders"] += non_readers * size
        return emit_id, candidates

    def emit_answered(self, emit_id: int, status: int, candidates: list[Membership], now: float) -> None:
        record = self.emits[emit_id]
        if status != 202:
            self.totals["emits_failed"] += 1
            return
        record.acked_at = now
        self.pending_checks += 1
        self._loop.call_at(self._loop.time() + self.grace_s, self._check, emit_id, candidates)

    def _check(self, emit_id: int, candidates: list[Membership]) -> None:
        self.pending_checks -= 1
        kind = self.emits[emit_id].kind
        owed = 0
        for membership in candidates:
            if membership.ended_at is None:
                membership.session.owed.add(emit_id)
                owed += 1
        self.totals["owed"] += owed
        self.totals["owed_" + kind] += owed

    # ---- verdicts ----------------------------------------------------------------------
    def finalize(self, record: SessionRecord) -> dict:
        received: set[int] = record.sio.received if record.sio is not None else set()
        duplicates = record.sio.duplicates if record.sio is not None else 0
        lost = record.owed - received
        extra = received - record.owed
        strays = [emit_id for emit_id in extra if not self._was_possible(record, emit_id)]
        self.totals["sessions_finalized"] += 1
        self.totals["owed_finalized"] += len(record.owed)
        self.totals["received_owed"] += len(record.owed) - len(lost)
        self.totals["received_ambiguous"] += len(extra) - len(strays)
        # A reader the server disconnected did not stay connected: its losses are told apart.
        prefix = "dropped_" if record.dropped else ""
        self.totals[prefix + "lost"] += len(lost)
        self.totals["duplicates"] += duplicates
        self.totals["strays"] += len(strays)
        for emit_id in lost:
            self.totals[prefix + "lost_" + self.emits[emit_id].kind] += 1
        if (lost or strays) and len(self.lost_samples) < 50:
            self.lost_samples.append({"session": record.key, "user": record.user, "sid": record.sid,
                                      "node": record.node, "dropped": record.dropped, "lost": sorted(lost)[:10], "strays": sorted(strays)[:10],
                                      "connected_at": record.connected_at, "ended_at": record.ended_at,
                                      "lost_emits": [dataclasses.asdict(self.emits[i]) for i in sorted(lost)[:5]],
                                      "stays": [{"room": m.room, "requested_at": m.requested_at,
                                                 "confirmed_at": m.confirmed_at, "ended_at": m.ended_at,
                                                 "gone_at": m.gone_at} for m in record.memberships
                                                if any(self.emits[i].target == m.room for i in lost)]})
        verdict = {"owed": len(record.owed), "lost": len(lost), "duplicates": duplicates, "strays": len(strays)}
        record.owed = set()
        if record.sio is not None:
            record.sio.received = set()
        return verdict

    def _was_possible(self, record: SessionRecord, emit_id: int) -> bool:
        emit = self.emits[emit_id]
        if emit.target == BROADCAST or emit.target == f"user:{record.user}":
            return True
        window_start = emit.sent_at - STRAY_MARGIN_BEFORE_S
        window_end = (emit.acked_at or emit.sent_at) + STRAY_MARGIN_AFTER_S
        for membership in record.memberships:
            if membership.room != emit.target:
                continue
            end = membership.gone_at or record.closed_at or float("inf")
            if membership.requested_at <= window_end and end >= window_start:
                return True
        return False
