"""Fixtures of the cluster-mode suite: a private Redis, three gateway nodes on it, clients, emitters.

  cluster        module-scoped: a private redis-server on a free port and nodes A, B, C (node ids
                 nodeA/nodeB/nodeC, key prefix "socket.io", --jwt-rooms-claim rooms). Tests that
                 share it use their own users and rooms and leave Redis and the nodes running.
  fresh_cluster  function-scoped: the same with its own Redis and key prefix "sgfault", for tests
                 that stop Redis or kill, stop or disturb a node.
  audience       an Audience (cluster_audience.py): clients labelled by node, closed at the end.
  npm_emitter    factory: npm_emitter(cluster) -> NpmEmitter on that cluster's Redis and prefix.

At the end of a cluster's scope every node must still be running (unless a test killed it on
purpose), exit 0 on SIGTERM and show no crash in its log; otherwise the teardown errors with the
complaints. The logs of every live node and Redis are attached to a failing test's report.
Tests reuse the standalone suite's clients and HTTP API helpers (tests/e2e/standalone).

Threading: pytest's test thread only.
"""
from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "standalone"))

import standalone_clients  # noqa: E402
from cluster_audience import Audience  # noqa: E402
from cluster_nodes import (LIVE_PROCESSES, Cluster, add_nodes, mint_token,  # noqa: E402
                           start_redis, stop_cluster, stop_redis)
from cluster_npm_emitter import NpmEmitter  # noqa: E402
from standalone_clients import ClientPool  # noqa: E402

SHARED_PREFIX = "socket.io"
FAULT_PREFIX = "sgfault"


@pytest.fixture(autouse=True, scope="session")
def _scale_waits(timeout_factor):
    standalone_clients.TIME_FACTOR = timeout_factor


@pytest.fixture(autouse=True)
def _attach_cluster_logs(request):
    """The root conftest attaches the logs of `sg_servers` to a failing test's report."""
    request.node.sg_servers = LIVE_PROCESSES


def _cluster_scope(tag: str, prefix: str):
    cluster = Cluster(start_redis(tag), prefix, [])
    try:
        add_nodes(cluster, tag, 3)
        yield cluster
    finally:
        complaints = stop_cluster(cluster)
        stop_redis(cluster.redis)
        if complaints:
            pytest.fail("cluster nodes did not end cleanly:\n" + "\n".join(complaints),
                        pytrace=False)


@pytest.fixture(scope="module")
def cluster(request):
    yield from _cluster_scope(request.module.__name__.rsplit(".", 1)[-1], SHARED_PREFIX)


@pytest.fixture
def fresh_cluster(request):
    tag = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)[:60]
    yield from _cluster_scope(tag, FAULT_PREFIX)


@pytest.fixture
def audience():
    pool = ClientPool(token_for=lambda user: mint_token(user))
    yield Audience(pool)
    pool.close_all()


@pytest.fixture
def npm_emitter():
    return lambda cluster_: NpmEmitter(cluster_.redis.url, cluster_.prefix)
