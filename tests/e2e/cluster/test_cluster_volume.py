"""Large messages and bursts cross the nodes intact, exactly once, and in order.

A large emit arrives at the receiving node's Redis connection in many TCP reads; a burst arrives as
many messages in one read. Both must be reassembled exactly: a 600 KB JSON emit through the HTTP
API and a 2 MB Buffer through the npm emitter reach members on the other nodes byte for byte, and
300 emits issued on one node reach a user's connections on the others each once, in issue order.
"""
from __future__ import annotations

import os

from cluster_audience import args_with, new_mark
from cluster_npm_emitter import binary
from standalone_api import GatewayApi

BURST = 300


def test_large_emits_cross_the_nodes_intact(cluster, audience, npm_emitter):
    members = [audience.connect(cluster.b, "websocket", "big-b", rooms=["big"]),
               audience.connect(cluster.c, "polling", "big-c", rooms=["big"])]
    cluster.wait_subscribers("big", 2)
    text = "".join(chr(0x20 + (i * 7) % 0x5e) for i in range(600_000)) + "✓é"
    mark = new_mark()
    sent = GatewayApi(cluster.a.url).emit_to_room("big", "big-text", {"mark": mark, "text": text})
    assert sent.status == 202, sent.text
    audience.expect_once("big-text", mark, members, barrier_via=cluster.a, timeout=15)
    for member in members:
        (args,) = args_with(member, "big-text", mark)
        assert args[0]["text"] == text, f"{audience.label(member)}: text altered"

    blob = os.urandom(2 * 1024 * 1024)
    mark = new_mark()
    npm_emitter(cluster).emit("big-blob", mark, binary(blob), rooms=["big"])
    audience.expect_once("big-blob", mark, members, barrier_via=cluster.a, timeout=15)
    for member in members:
        (args,) = args_with(member, "big-blob", mark)
        assert args[1] == blob, f"{audience.label(member)}: {len(args[1])} bytes, not the 2 MiB sent"


def test_a_burst_of_emits_arrives_complete_and_in_order(cluster, audience):
    receivers = [audience.connect(cluster.b, "polling", "burst"),
                 audience.connect(cluster.c, "websocket", "burst"),
                 audience.connect(cluster.a, "websocket", "burst")]
    cluster.wait_subscribers("user:burst", 3)
    api = GatewayApi(cluster.a.url)
    run = new_mark()
    for i in range(BURST):
        assert api.emit_to_user("burst", "seq", {"run": run, "i": i}).status == 202
    audience.barrier(cluster.a, timeout=15)
    for receiver in receivers:
        got = [args[0]["i"] for args in receiver.log.args_of("seq") if args[0]["run"] == run]
        assert got == list(range(BURST)), \
            f"{audience.label(receiver)}: {len(got)} of {BURST}, first differences " \
            f"{[(k, v) for k, v in enumerate(got) if v != k][:5]}"
