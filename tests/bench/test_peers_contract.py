"""The peers Socket Gateway is benchmarked against implement the bench contract
(bench/peers/README.md): bench/peers/check_contract.py passes against the socket.io 4.8 (Node)
and python-socketio 5 peers, and against our `python -m socket_gateway serve` implementation, each
started with the contract's command (bench/peers/peer_processes.py).

Needs `npm install` in bench/peers/node (scripts/install-test-deps.sh) and the socket_gateway
package in .venv (for `serve`). The standalone server's `--bench-contract` is proved by
tests/e2e/standalone/test_standalone_bench_contract.py.
Threading: pytest's thread; each test owns its server process.
"""
from __future__ import annotations

import pathlib
import signal
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
PEERS_DIR = REPO_ROOT / "bench" / "peers"
sys.path.insert(0, str(PEERS_DIR))

import check_contract  # noqa: E402
import peer_processes  # noqa: E402

SECRET = "peers-contract-secret-0123456789abcdef"


@pytest.mark.parametrize("implementation", ["node", "python", "serve"])
def test_peer_implements_the_bench_contract(implementation, tmp_path):
    if implementation == "node":
        assert (PEERS_DIR / "node" / "node_modules" / "socket.io").is_dir(), \
            "bench/peers/node has no node_modules: run `npm ci` there (scripts/install-test-deps.sh)"
    peer = peer_processes.start_peer(implementation, SECRET, log_dir=tmp_path)
    try:
        results = check_contract.run_checks(peer.url, SECRET)
    finally:
        exit_code = peer.stop()
    failures = [f"{result.name}: {result.detail}" for result in results if not result.passed]
    assert not failures, "\n".join(failures) + f"\n{implementation} log:\n{peer.log_path.read_text(errors='replace')[-3000:]}"
    assert [result.name for result in results] == [name for name, _ in check_contract.CHECKS]
    # uvicorn re-raises the SIGTERM it handled once it has shut down: -15 is its clean exit (serve exits 0).
    assert exit_code in (0, -signal.SIGTERM), f"{implementation} exited with {exit_code} on SIGTERM"
