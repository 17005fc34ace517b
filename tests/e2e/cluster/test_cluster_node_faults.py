"""A node dies or stalls: the rest of the cluster keeps delivering, and a stalled node catches up.

kill -9 of a node with clients attached: the two others keep delivering to their clients (user,
room, broadcast), requests for the dead node's sids answer 404 within the routing timeout, and a
user's socket list holds only the living nodes' sids. SIGSTOP of a node while another emits: the
running nodes' clients get every emit at once; after SIGCONT the stalled node's clients get each
emit made meanwhile exactly once; a request routed to it meanwhile answers 404, and its late answer
does not confuse the next one. Afterwards every node still runs (the cluster fixture also checks
the logs for crashes and the exit codes at SIGTERM).
"""
from __future__ import annotations

import signal
import time

from cluster_audience import new_mark
from cluster_nodes import scaled
from standalone_api import GatewayApi

STALL_SECONDS = 2.0


def test_killing_a_node_leaves_the_others_delivering(fresh_cluster, audience):
    cluster = fresh_cluster
    on_a = audience.connect(cluster.a, "websocket", "xia", rooms=["ops"])
    on_b = audience.connect(cluster.b, "polling", "xia", rooms=["ops"])
    on_c = audience.connect(cluster.c, "upgrade", "xia", rooms=["ops"])
    others = [audience.connect(cluster.a, "polling", "yan"),
              audience.connect(cluster.b, "websocket", "zed", rooms=["ops"])]
    cluster.wait_subscribers("ops", 3)
    dead_sid = on_c.sid()

    cluster.c.expected_dead = True
    cluster.c.signal(signal.SIGKILL)
    assert cluster.c.process.wait_exit(scaled(10)) == -signal.SIGKILL
    survivors = [on_a, on_b, *others]
    api_a, api_b = GatewayApi(cluster.a.url), GatewayApi(cluster.b.url)

    mark = new_mark()
    assert api_a.emit_to_user("xia", "after-kill", mark).status == 202
    audience.expect_once("after-kill", mark, [on_a, on_b], barrier_via=cluster.a, clients=survivors)
    mark = new_mark()
    assert api_b.emit_to_room("ops", "after-kill", mark).status == 202
    audience.expect_once("after-kill", mark, [on_a, on_b, others[1]], barrier_via=cluster.b,
                         clients=survivors)
    mark = new_mark()
    assert api_a.broadcast("after-kill", mark).status == 202
    audience.expect_once("after-kill", mark, survivors, barrier_via=cluster.a, clients=survivors)

    for response in (api_a.rooms_of(dead_sid), api_b.join(dead_sid, "x"),
                     api_a.leave(dead_sid, "ops"), api_b.disconnect(dead_sid)):
        assert response.status == 404, f"dead node's sid: {response.status} {response.text}"
        response.error_reason()
    listed = api_b.sockets_of("xia")
    assert listed.status == 200, listed.text
    assert sorted(listed.body["sids"]) == sorted([on_a.sid(), on_b.sid()]), listed.body
    for node in (cluster.a, cluster.b):
        assert node.alive()
        assert node.healthz() == (200, {"status": "ok", "redis": "connected"})


def test_a_stopped_node_delivers_what_it_missed_exactly_once_after_it_resumes(
        fresh_cluster, audience):
    cluster = fresh_cluster
    user_clients = [audience.connect(cluster.a, "websocket", "abe"),
                    audience.connect(cluster.b, "polling", "abe"),
                    audience.connect(cluster.c, "websocket", "abe"),
                    audience.connect(cluster.c, "polling", "abe")]
    room_clients = [audience.connect(cluster.b, "upgrade", "bea", rooms=["slow"]),
                    audience.connect(cluster.c, "polling", "cy", rooms=["slow"])]
    everyone = audience.clients[:]
    running = audience.on([cluster.a, cluster.b])
    cluster.wait_subscribers("user:abe", 3)
    cluster.wait_subscribers("slow", 2)
    api_a = GatewayApi(cluster.a.url)

    sent = []  # (event, mark, receivers)
    cluster.c.signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        for _ in range(3):
            for event, call, receivers in (
                    ("to-user", lambda m: api_a.emit_to_user("abe", "to-user", m), user_clients),
                    ("to-room", lambda m: api_a.emit_to_room("slow", "to-room", m), room_clients),
                    ("to-all", lambda m: api_a.broadcast("to-all", m), everyone)):
                mark = new_mark()
                assert call(mark).status == 202
                sent.append((event, mark, receivers))
        for event, mark, receivers in sent:
            live_receivers = [c for c in receivers if any(c is r for r in running)]
            audience.wait_received(live_receivers, event, mark)
        stalled_sid = user_clients[2].sid()
        unanswered = api_a.rooms_of(stalled_sid)  # the owner cannot answer: 404 after the timeout
        assert unanswered.status == 404, f"sid on a stopped node: {unanswered.status}"
        remaining = STALL_SECONDS - (time.monotonic() - stopped_at)
        if remaining > 0:
            time.sleep(remaining)  # the stall itself, not a wait for a result
        assert cluster.c.alive()
    finally:
        cluster.c.signal(signal.SIGCONT)

    for event, mark, receivers in sent:
        audience.expect_once(event, mark, receivers, barrier_via=cluster.a, timeout=10)
    assert all(client.connected for client in everyone)
    answered = api_a.rooms_of(stalled_sid)  # the late answer to the earlier request is not taken
    assert (answered.status, answered.body["sid"]) == (200, stalled_sid), answered.text
    assert set(answered.body["rooms"]) - {stalled_sid} == {"user:abe"}, answered.body
    for node in cluster.nodes:
        assert node.alive(), node
        assert node.healthz() == (200, {"status": "ok", "redis": "connected"}), node
