"""/healthz and /metrics: the documented metric names exist with their types, and they move.

The metric names and types are read from the table in docs/http-api.md, so the test follows the
contract document. The counters are checked by differences around real actions: a connect, a
refused connect, an emit to a user with two connections, API errors, a disconnect — each over
every transport mode (the connections gauge must follow the transport a client ends up on).
"""
from __future__ import annotations

import pathlib
import re

import pytest

from standalone_api import GatewayApi
from standalone_clients import TRANSPORT_MODES, wait_until

HTTP_API_DOC = pathlib.Path(__file__).resolve().parents[3] / "docs" / "http-api.md"
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def documented_metrics() -> dict:
    """{name: type} from the metrics table of docs/http-api.md."""
    metrics = {}
    for line in HTTP_API_DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`socket_gateway_"):
            for name in re.findall(r"`(socket_gateway_[a-z_]+)", cells[0]):
                metrics[name] = cells[1]
    return metrics


class Scrape:
    """One /metrics response: samples keyed by 'name' or 'name{labels}', and the TYPE lines."""

    def __init__(self, text: str):
        self.text = text
        self.samples = {}
        self.types = {}
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(None, 3)
                self.types[name] = kind.strip()
            elif line and not line.startswith("#"):
                match = SAMPLE.match(line)
                assert match, f"not a Prometheus sample line: {line!r}"
                name, labels, value = match.groups()
                self.samples[name + (labels or "")] = float(value)

    def value(self, key: str) -> float:
        return self.samples.get(key, 0.0)


def scrape(api: GatewayApi) -> Scrape:
    response = api.request("GET", "/metrics")
    assert response.status == 200, response.text
    assert response.headers.get("Content-Type", "").startswith("text/plain"), response.headers
    return Scrape(response.text)


def connections(transport: str) -> str:
    return f'socket_gateway_connections{{transport="{transport}"}}'


def wait_for_metric(api: GatewayApi, key: str, expected: float) -> Scrape:
    """Waits until `key` reaches `expected`, then requires it to be exactly that."""
    wait_until(lambda: scrape(api).value(key) >= expected, f"{key} >= {expected}")
    now = scrape(api)
    assert now.value(key) == expected, f"{key} = {now.value(key)}, expected {expected}"
    return now


def test_healthz_answers_ok(gateway, api):
    response = api.request("GET", "/healthz")
    assert (response.status, response.body) == (200, {"status": "ok"}), response.text


def test_metrics_expose_every_documented_name_with_its_type(gateway, api, clients):
    documented = documented_metrics()
    assert len(documented) >= 9, f"could not read the metrics table of {HTTP_API_DOC}: {documented}"
    clients.connect(gateway, "websocket", "alice")
    api.emit_to_user("alice", "x", 1)
    api.request("POST", "/api/v1/events", raw=b"not json")
    text = scrape(api)
    sample_names = {key.split("{")[0] for key in text.samples}
    for name, kind in documented.items():
        assert name in sample_names, f"{name} missing from /metrics:\n{text.text}"
        assert text.types.get(name) == kind, f"# TYPE of {name}: {text.types.get(name)}, documented {kind}"
    for transport in ("polling", "websocket"):
        assert connections(transport) in text.samples, f"{connections(transport)} missing"
    assert 'socket_gateway_http_api_requests_total{code="202"}' in text.samples
    assert 'socket_gateway_http_api_requests_total{code="400"}' in text.samples


def test_connect_and_refusal_counters_move(gateway, api, clients, transport):
    before = scrape(api)
    client = clients.connect(gateway, transport, "alice")
    after = wait_for_metric(api, "socket_gateway_connects_total",
                            before.value("socket_gateway_connects_total") + 1)
    assert after.value("socket_gateway_sockets") == before.value("socket_gateway_sockets") + 1
    final = transport.final_transport
    other = "polling" if final == "websocket" else "websocket"
    wait_for_metric(api, connections(final), before.value(connections(final)) + 1)
    assert scrape(api).value(connections(other)) == before.value(connections(other))

    clients.refused(gateway, transport, auth={"token": "garbage"})
    wait_for_metric(api, "socket_gateway_auth_failures_total",
                    before.value("socket_gateway_auth_failures_total") + 1)
    assert scrape(api).value("socket_gateway_connects_total") == after.value("socket_gateway_connects_total")

    client.sio.disconnect()
    wait_until(lambda: scrape(api).value("socket_gateway_sockets") == before.value("socket_gateway_sockets"),
               "socket_gateway_sockets back to its value before the connect")
    wait_until(lambda: scrape(api).value(connections(final)) == before.value(connections(final)),
               f"{connections(final)} back to its value before the connect")


def test_emit_counters_move(gateway, api, clients, transport):
    first, second = (clients.connect(gateway, transport, "alice") for _ in range(2))
    before = scrape(api)
    assert api.emit_to_user("alice", "notify", 1).status == 202
    for client in (first, second):
        client.log.wait_for("notify")
    wait_for_metric(api, "socket_gateway_events_emitted_total",
                    before.value("socket_gateway_events_emitted_total") + 1)
    wait_for_metric(api, "socket_gateway_deliveries_total",
                    before.value("socket_gateway_deliveries_total") + 2)

    assert api.emit_to_room("empty-room", "notify", 1).status == 202
    wait_for_metric(api, "socket_gateway_events_emitted_total",
                    before.value("socket_gateway_events_emitted_total") + 2)
    assert scrape(api).value("socket_gateway_deliveries_total") == \
        before.value("socket_gateway_deliveries_total") + 2


def test_http_api_requests_are_counted_by_status(gateway, api):
    key = 'socket_gateway_http_api_requests_total{{code="{}"}}'
    before = scrape(api)
    assert api.broadcast("x", 1).status == 202
    assert api.request("POST", "/api/v1/events", raw=b"{").status == 400
    assert api.request("POST", "/api/v1/events", raw=b"[]").status == 400
    assert api.rooms_of("unknown-sid").status == 404
    for code, increase in (("202", 1), ("400", 2), ("404", 1)):
        wait_for_metric(api, key.format(code), before.value(key.format(code)) + increase)


@pytest.mark.parametrize("mode", TRANSPORT_MODES, ids=[m.name for m in TRANSPORT_MODES])
def test_sockets_gauge_counts_every_namespace(start_gateway, clients, mode):
    server = start_gateway("--namespaces", "/admin")
    api = GatewayApi(server.url)
    clients.connect(server, mode, "alice", namespaces=["/", "/admin"])
    wait_for_metric(api, "socket_gateway_sockets", 2)
    wait_for_metric(api, connections(mode.final_transport), 1)
