"""Small pieces for tests that run scratch servers of their own beside the stack: a free port, and the internal
certificates deploy/certs/make-internal-certs.sh makes."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tbms_testing.stack import REPO

CERT_SCRIPT = REPO / "deploy" / "certs" / "make-internal-certs.sh"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float, what: str = "scratch server") -> None:
    """Waits until something listens on the port; fails the test when the process ends or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the {what} ended with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listened on {port} within {timeout} s")


@contextmanager
def internal_certificates() -> Iterator[tuple[Path, Path]]:
    """The internal CA with its certificates, as the deployment makes them, and another CA's (an impostor's)."""
    with tempfile.TemporaryDirectory(prefix="tbms-internal-certs-") as scratch:
        ours, theirs = Path(scratch) / "ours", Path(scratch) / "theirs"
        for folder in (ours, theirs):
            subprocess.run(["sh", str(CERT_SCRIPT), str(folder)], check=True, capture_output=True, timeout=120)
        yield ours, theirs
