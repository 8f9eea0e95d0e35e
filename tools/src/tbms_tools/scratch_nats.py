"""A JetStream cluster of scratch nats-server nodes beside the local stack (its own free ports and folders), with the
local users and permissions: what the kill and cluster tests run against, and kill one node of."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from tbms_tools import config
from tbms_tools.procs import StackError


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((config.HOST, port)) != 0


def scratch_nodes(size: int) -> list[config.NatsNode]:
    """`size` cluster nodes on client, monitor and route ports nobody listens on, all below the kernel's ephemeral
    range (32768 and up), where a busy machine's outgoing connections could hold one of them."""
    for _ in range(50):
        base = random.randrange(20000, 24000, 100)  # noqa: S311 - a port, not a secret
        first = config.NatsNode(0, size, base, base + 4000, base + 8000)
        nodes = [replace(first, index=index) for index in range(size)]
        if all(_free(port) for node in nodes for port in (node.port, node.monitor_port, node.cluster_port)):
            return nodes
    raise StackError("no free ports for a scratch NATS cluster")


class Node:
    """One scratch nats-server of the cluster."""

    def __init__(self, root: Path, node: config.NatsNode) -> None:
        self.node, self.root = node, root / node.name
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return self.node.port

    def start(self) -> None:
        binary = config.find_binary("nats-server", [Path(sys.executable).parent / "nats-server"])
        if binary is None:
            raise StackError("nats-server not found (run scripts/bootstrap.sh)")
        store = self.root / "store"
        store.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nats.conf"
        conf.write_text(config.nats_server_config(store, self.node), encoding="utf-8")
        log = (self.root / "nats.log").open("ab")
        self.process = subprocess.Popen([str(binary), "-c", str(conf)], stdout=log, stderr=log, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL, as a crashed machine would stop it."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class ScratchCluster:
    """`size` nodes with routes to each other; `urls(user)` is what a service's NATS URL setting lists."""

    def __init__(self, root: Path, size: int = 3) -> None:
        self.root, self.size = root, size
        self.nodes = [Node(root, node) for node in scratch_nodes(size)]

    def urls(self, credentials: str = "") -> str:
        """Every node's URL separated by commas, with `user:password` when given."""
        user = f"{credentials}@" if credentials else ""
        return ",".join(f"nats://{user}{config.HOST}:{node.port}" for node in self.nodes)

    def named(self, server_name: str) -> Node:
        """The node with this server name (a stream's leader, as JetStream reports it)."""
        return next(node for node in self.nodes if node.node.name == server_name)

    def start(self, timeout: float = 30, attempts: int = 3) -> None:
        """Start every node; a node that exits at once (a port taken between choosing and binding it) starts the
        cluster again on other ports, up to `attempts` times. Call `urls()` after this."""
        for attempt in range(1, attempts + 1):
            for node in self.nodes:
                node.start()
            exited = self._wait_listening(timeout)
            if exited is None:
                return
            self.stop()
            if attempt == attempts:
                log = exited.root / "nats.log"
                tail = log.read_text(encoding="utf-8", errors="replace")[-600:] if log.exists() else ""
                raise StackError(f"nats node {exited.node.name} did not start (log {log}):\n{tail}")
            self.nodes = [Node(self.root / f"retry-{attempt}", node) for node in scratch_nodes(self.size)]

    def _wait_listening(self, timeout: float) -> Node | None:
        """None once every node listens; else the first node that exited or still does not listen at the deadline."""
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            while _free(node.port):
                assert node.process is not None
                if node.process.poll() is not None or time.monotonic() > deadline:
                    return node
                time.sleep(0.1)
        return None

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
