"""Clients spread over the nodes of a cluster, and exactly-once delivery checks on them.

An Audience connects python-socketio clients (ClientPool of the standalone suite) to chosen nodes
and labels each "user@node/transport". Every emit a test makes carries a fresh unique mark as its
first argument (or as "mark" of its first argument, an object); `expect_once` waits until every intended receiver has it, then proves the
negative with a barrier (a broadcast marker issued through the HTTP API of one node, which every
client of the audience must receive: a node delivers in the order Redis hands it messages, so by
then every earlier emit has arrived everywhere), and finally requires each receiver to hold exactly
one copy and every other client none.

Threading: the pytest thread; python-socketio's reader threads only append to the EventLogs.
"""
from __future__ import annotations

import uuid
from typing import Iterable, Optional

from cluster_nodes import Node, token
from standalone_api import GatewayApi
from standalone_clients import ClientPool, GatewayClient, wait_until


def new_mark() -> str:
    return uuid.uuid4().hex


def carries(args: tuple, mark: str) -> bool:
    """True when the first argument is `mark`, or an object whose "mark" is `mark`."""
    if not args:
        return False
    first = args[0]
    return first == mark or (isinstance(first, dict) and first.get("mark") == mark)


def copies(client: GatewayClient, event: str, mark: str, namespace: str = "/") -> int:
    """How many `event`s carrying `mark` `client` received."""
    return len(args_with(client, event, mark, namespace))


def args_with(client: GatewayClient, event: str, mark: str, namespace: str = "/") -> list:
    return [args for args in client.log.args_of(event, namespace) if carries(args, mark)]


class Audience:
    """The clients of one test, each remembered with its node and a readable label."""

    def __init__(self, pool: ClientPool):
        self._pool = pool
        self.clients: list = []
        self.labels: dict = {}
        self.nodes: dict = {}

    def connect(self, node: Node, mode: str, user: str, rooms: Optional[list] = None,
                namespaces: Optional[list] = None) -> GatewayClient:
        client = self._pool.connect(node, mode, user, token=token(user, rooms),
                                    namespaces=namespaces)
        if node.node_id:  # empty: a node left to pick its own id
            assert node.owns(client.sid()), f"sid {client.sid()!r} from {node} lacks its node id"
        self.clients.append(client)
        self.labels[id(client)] = f"{user}@{node.node_id}/{mode}"
        self.nodes[id(client)] = node
        return client

    def label(self, client: GatewayClient) -> str:
        return self.labels.get(id(client), "?")

    def node_of(self, client: GatewayClient) -> Node:
        return self.nodes[id(client)]

    def on(self, nodes: Iterable[Node]) -> list:
        """The clients connected to any of `nodes`."""
        wanted = {node.node_id for node in nodes}
        return [c for c in self.clients if self.nodes[id(c)].node_id in wanted]

    def counts(self, event: str, mark: str, namespace: str = "/") -> dict:
        return {self.label(c): copies(c, event, mark, namespace) for c in self.clients}

    def barrier(self, via: Node, clients: Optional[list] = None, namespace: str = "/",
                timeout: float = 5.0) -> None:
        GatewayApi(via.url).barrier(self.clients if clients is None else clients, namespace,
                                    timeout)

    def wait_received(self, receivers: list, event: str, mark: str, namespace: str = "/",
                      timeout: float = 5.0) -> None:
        for client in receivers:
            try:
                wait_until(lambda: copies(client, event, mark, namespace) >= 1,
                           f"'{event}' carrying {mark}", timeout)
            except AssertionError as error:
                raise AssertionError(f"{self.label(client)} did not get '{event}' {mark}: {error}; "
                                     f"counts {self.counts(event, mark, namespace)}") from None

    def expect_once(self, event: str, mark: str, receivers: list, barrier_via: Node,
                    namespace: str = "/", clients: Optional[list] = None,
                    timeout: float = 5.0) -> None:
        """Every client of `receivers` got the mark exactly once, every other client never."""
        watched = self.clients if clients is None else clients
        self.wait_received(receivers, event, mark, namespace, timeout)
        self.barrier(barrier_via, watched, namespace, timeout)
        expected = {self.label(c): (1 if any(c is r for r in receivers) else 0) for c in watched}
        got = {self.label(c): copies(c, event, mark, namespace) for c in watched}
        assert got == expected, f"'{event}' {mark}: copies per client {got}, expected {expected}"

