"""The soak's load: how many clients of each kind, how they churn, what is emitted and how fast.

The defaults are the load of the runs in docs/reliability.md: moderate, for a 2-core machine
shared with other work (the nodes, Redis and this harness all on it). Every figure can be
changed from the command line (bench/soak/run.py --help).

Readers: `readers` connections at a time, users u0..u<users-1> (fewer users than readers: some
users have two connections, like two tabs). Each connects to a random node, is joined by the
backend to 1-3 random conversation rooms of the current room generation (and to the live
`ticker` room with probability `ticker_share`), changes one room every `room_change_s`, stays
`lifetime_s`, disconnects (a share `abrupt_share` by dropping TCP without a goodbye, the rest
with a Socket.IO DISCONNECT and a WebSocket close) and comes back after `offline_s`.
Room names are fresh every `room_generation_s` (g<generation>-r<k>), as conversations come
and go, so a room index that kept empty rooms would grow for the whole run.

Non-readers: `non_readers` at a time, each its own user (slow<n>), in the ticker room and 1-2
conversation rooms; once joined they stop reading their socket. The server must cut them at
its queue limit (`max_queue_bytes`); the harness notices (their sid turns 404), keeps the dead
socket open `non_reader_linger_s` more, then reads it to the end and comes back as a new one.
They announce a TCP MSS of `non_reader_mss` (1460, an Ethernet path) like a client across a
network: with loopback's 64 KB MSS the server's kernel send buffer autotunes to 4 MB per
connection, and the ping timeout (45 s) would cut them before the queue limit could. The
ticker's volume (20 x 4 KB/s) is what fills their ~1 MB of kernel buffers and the queue in
about 15 s.

Emits, through a random node's HTTP API each: to a user, to a conversation room, to the ticker
room (the feed whose volume gets non-readers cut), and broadcasts, each stream at its rate
with its payload size.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Profile:
    readers: int = 1200
    users: int = 1000
    non_readers: int = 60
    rooms_per_generation: int = 300
    room_generation_s: float = 60.0
    rooms_per_client: tuple[int, int] = (1, 3)
    ticker_share: float = 0.05
    lifetime_s: tuple[float, float] = (20.0, 180.0)
    offline_s: tuple[float, float] = (1.0, 10.0)
    room_change_s: tuple[float, float] = (5.0, 30.0)
    abrupt_share: float = 0.3
    ramp_s: float = 30.0
    non_reader_poll_s: float = 2.0
    non_reader_linger_s: float = 20.0
    non_reader_mss: int = 1460
    # emits per second and payload bytes, per stream
    rates: dict = dataclasses.field(default_factory=lambda: {"user": 30.0, "room": 30.0, "ticker": 20.0,
                                                             "broadcast": 0.5})
    payload_bytes: dict = dataclasses.field(default_factory=lambda: {"user": 300, "room": 500, "ticker": 4000,
                                                                     "broadcast": 200})
    max_in_flight_emits: int = 64
    # the nodes
    max_queue_bytes: int = 256 * 1024
    server_threads: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
