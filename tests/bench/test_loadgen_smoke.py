"""Smoke test of the benchmark load generator (bench/loadgen) against our standalone server.

Starts socket-gateway in bench-contract mode (SG_BUILD_DIR, default `build`; flags
`--bench-contract --jwt-rooms-claim rooms`) on a free loopback port, runs sg-loadgen with a few
hundred clients and checks the exact delivery counts it reports: one broadcast reaches every
client once, a user ladder step delivers every emit to its user once, and tokens with a bad
signature are all refused. sg-loadgen is taken from SG_LOADGEN, else
<SG_BUILD_DIR>/bench/loadgen/sg-loadgen, else build-loadgen/sg-loadgen (configured and built
there with CMake when missing).
Threading: pytest runs these sequentially; the module-scoped server is shared by the tests.
"""
from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.request

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "bench-smoke-secret-0123456789abcdef"


def _from_root(path: str) -> pathlib.Path:
    candidate = pathlib.Path(path)
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def _loadgen_binary() -> pathlib.Path:
    if os.environ.get("SG_LOADGEN"):
        return _from_root(os.environ["SG_LOADGEN"])
    in_tree = _from_root(os.environ.get("SG_BUILD_DIR", "build")) / "bench" / "loadgen" / "sg-loadgen"
    if in_tree.exists():
        return in_tree
    own = REPO_ROOT / "build-loadgen"
    if not (own / "sg-loadgen").exists():
        subprocess.run(["cmake", "-S", str(REPO_ROOT / "bench" / "loadgen"), "-B", str(own), "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release"], check=True, capture_output=True)
        subprocess.run(["cmake", "--build", str(own), "-j2"], check=True, capture_output=True)
    return own / "sg-loadgen"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def loadgen() -> pathlib.Path:
    return _loadgen_binary()


@pytest.fixture(scope="module")
def server():
    binary = _from_root(os.environ.get("SG_BUILD_DIR", "build")) / "socket-gateway"
    assert binary.exists(), f"{binary} is missing: build the server first"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCKET_GATEWAY_")}
    env["SOCKET_GATEWAY_JWT_SECRET"] = SECRET
    process = subprocess.Popen([str(binary), "--host", "127.0.0.1", "--port", str(port), "--threads", "1",
                                "--bench-contract", "--jwt-rooms-claim", "rooms", "--log-level", "warn"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while not _healthy(port):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "socket-gateway did not become healthy"
        time.sleep(0.05)
    yield port, process.pid
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _run(loadgen: pathlib.Path, server, *flags: str) -> tuple[int, dict]:
    port, pid = server
    result = subprocess.run([str(loadgen), "--port", str(port), "--server-pid", str(pid), "--secret", SECRET, *flags],
                            capture_output=True, text=True, timeout=120)
    lines = {}
    for text in result.stdout.splitlines():
        record = json.loads(text)
        lines[record["phase"]] = record
    return result.returncode, lines


def test_broadcast_reaches_every_client_exactly_once(loadgen, server):
    code, lines = _run(loadgen, server, "--mode", "fanout", "--clients", "300", "--processes", "2",
                       "--messages", "1", "--burst-repeat", "5", "--bursts", "1")
    assert lines["connect"]["connected"] == 300
    paced, burst = lines["paced"], lines["burst"]
    assert (paced["expected"], paced["received"], paced["duplicates"]) == (300, 300, 0)
    assert (burst["expected"], burst["received"], burst["duplicates"]) == (1500, 1500, 0)
    assert code == 0


def test_user_emits_reach_their_users_exactly_once(loadgen, server):
    code, lines = _run(loadgen, server, "--mode", "user-ladder", "--clients", "200", "--rates", "200",
                       "--step", "1", "--drain", "5")
    step = lines["step"]
    assert step["expected"] == step["emits"] == step["received"]
    assert step["duplicates_total"] == 0
    assert code == 0


def test_room_emits_reach_every_member_exactly_once(loadgen, server):
    code, lines = _run(loadgen, server, "--mode", "rooms-ladder", "--rooms", "20x10", "--rates", "100",
                       "--step", "1", "--drain", "5")
    step = lines["step"]
    assert step["expected"] == step["received"] > 0
    assert step["duplicates_total"] == 0
    assert code == 0


def test_bad_signature_tokens_are_all_refused(loadgen, server):
    code, lines = _run(loadgen, server, "--mode", "connect", "--clients", "100", "--bad-signature")
    connect = lines["connect"]
    assert (connect["connected"], connect["refused"], connect["failed"]) == (0, 100, 0)
    assert code == 0
