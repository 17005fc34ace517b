"""Responses through the ASGI server, against apps/http_behaviour_app.py of each server kind.

A StreamingResponse and a server-sent event stream reach the client part by part: the first
part arrives while the app's generator is still blocked (it waits for a release the test sends
only after reading it). A client that reads nothing of a 512 MiB response holds the app back:
the app's awaited sends stop, the server's RSS stays bounded, and the app learns of the
disconnect when the client leaves. A client that goes away while the app waits is an
`http.disconnect`. An app that raises before responding gets a 500 (its error in the server's
output), one that raises mid-response gets its connection closed (the client sees an
incomplete body); the server keeps serving in every case.
"""
from __future__ import annotations

import time

import httpx
import pytest
import requests

from asgi_clients import WAIT, wait_until
from behaviour_probes import Probes, new_probe
from raw_http import RawConnection, request_bytes

MiB = 2**20


def _read_until(chunks, received: bytes, wanted: bytes) -> bytes:
    """Reads parts of a streamed body until `wanted` is in it (each read bounded by WAIT)."""
    while wanted not in received:
        received += next(chunks)
    return received


def test_streaming_response_parts_arrive_while_the_app_still_produces(http_app):
    name = new_probe("stream")
    with httpx.Client(timeout=WAIT) as client:
        with client.stream("GET", f"{http_app.url}/stream/text?probe={name}") as response:
            assert response.status_code == 200
            chunks = response.iter_raw()
            received = _read_until(chunks, b"", b"first\n")
            assert received == b"first\n"  # the generator waits for the release: nothing else yet
            Probes(http_app.url).release(name)
            received += b"".join(chunks)
    assert received == b"first\nsecond\nthird\n"


def test_server_sent_events_arrive_one_by_one(http_app):
    name = new_probe("sse")
    with httpx.Client(timeout=WAIT) as client:
        with client.stream("GET", f"{http_app.url}/sse?probe={name}") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            chunks = response.iter_raw()
            received = _read_until(chunks, b"", b"\n\n")
            assert received == b"event: tick\ndata: 1\n\n"
            Probes(http_app.url).release(name)
            received += b"".join(chunks)
    events = [block for block in received.decode().split("\n\n") if block]
    assert events == [f"event: tick\ndata: {n}" for n in (1, 2, 3)]


def test_slow_reader_of_a_large_response_holds_the_app_back_with_bounded_memory(http_app):
    total, chunk = 512 * MiB, MiB
    probes, name = Probes(http_app.url), new_probe("flood")
    baseline = http_app.rss_bytes()
    peak = baseline
    connection = RawConnection(http_app.port, receive_buffer=65536)
    try:
        connection.send(request_bytes("GET", f"/raw/flood?probe={name}&total={total}&chunk={chunk}"))
        probes.wait(name, lambda seen: seen.get("sent", 0) > 0, "the app started sending")
        # The client reads nothing. Sample until the app's progress has stopped for 1 s (bounded).
        last, unchanged_since, deadline = -1, time.monotonic(), time.monotonic() + 20
        while time.monotonic() < deadline:
            peak = max(peak, http_app.rss_bytes())
            sent = probes.read(name)["sent"]
            if sent != last:
                last, unchanged_since = sent, time.monotonic()
            elif time.monotonic() - unchanged_since >= 1.0:
                break
            assert sent < total, "the app sent the whole 512 MiB to a client that read nothing"
            time.sleep(0.1)  # sampling period of RSS and progress
        peak = max(peak, http_app.rss_bytes())
        assert last < 64 * MiB, f"the app got {last / MiB:.0f} MiB ahead of a client that reads nothing"
        assert peak - baseline < 64 * MiB, \
            f"server RSS grew by {(peak - baseline) / MiB:.0f} MiB while the app sent {last / MiB:.0f} MiB"
    finally:
        connection.close()
    seen = probes.wait(name, lambda seen: seen.get("ended"), "the app's flood ended")
    assert seen["ended"] == "disconnect" and seen["sent"] < total, seen
    assert requests.get(f"{http_app.url}/raw/echo?n=after", timeout=WAIT).text == "after"


def test_client_going_away_is_an_http_disconnect_for_the_app(http_app):
    probes, name = Probes(http_app.url), new_probe("leaver")
    connection = RawConnection(http_app.port)
    connection.send(request_bytes("GET", f"/raw/wait-disconnect?probe={name}"))
    probes.wait(name, lambda seen: seen.get("waiting"), "the app waits for the next message")
    connection.close()
    seen = probes.wait(name, lambda seen: "message" in seen, "the app's receive() returned")
    assert seen["message"] == "http.disconnect"


def test_app_raising_before_responding_gets_a_500_and_the_server_serves_on(http_app):
    response = requests.get(f"{http_app.url}/raw/raise-before", timeout=WAIT)
    assert response.status_code == 500
    wait_until(lambda: "raised before responding, on purpose" in http_app.log_text(),
               "the app's exception in the server's output")
    assert requests.get(f"{http_app.url}/raw/echo?n=on", timeout=WAIT).text == "on"


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_app_raising_mid_response_gets_its_connection_closed(http_app, framing):
    query = "?length=1000" if framing == "content-length" else ""
    with RawConnection(http_app.port) as connection:
        connection.send(request_bytes("GET", f"/raw/raise-after{query}"))
        response = connection.read_response()
        assert connection.eof, "the connection stayed open"
    assert response.status == 200 and response.body == b"partial"
    assert not response.complete, "the client was told the body was complete"
    assert requests.get(f"{http_app.url}/raw/echo?n=on", timeout=WAIT).text == "on"
