"""A scratch NATS cluster starts again on other ports when a port it chose is taken before its node binds it."""

from __future__ import annotations

import socket
from pathlib import Path

from tbms_tools import config
from tbms_tools.scratch_nats import ScratchCluster


def test_a_node_whose_port_was_taken_starts_again_elsewhere(tmp_path: Path) -> None:
    cluster = ScratchCluster(tmp_path, size=1)
    taken = cluster.nodes[0].node.monitor_port
    with socket.socket() as holder:
        holder.bind((config.HOST, taken))
        holder.listen()
        try:
            cluster.start(timeout=15)
            assert cluster.nodes[0].node.monitor_port != taken
            with socket.create_connection((config.HOST, cluster.nodes[0].port), timeout=5):
                pass
        finally:
            cluster.stop()
