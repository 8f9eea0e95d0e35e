"""Detached processes with pid files, health polling and log tails."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx


class StackError(RuntimeError):
    """A component failed to start, to become healthy or to stop."""


def log(message: str) -> None:
    """Prints one progress line of the stack supervisor."""
    print(f"[stack] {message}", flush=True)


def _start_ticks(pid: int) -> str | None:
    """Returns the kernel start time of a process (guards pid files against pid reuse)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def write_pid(pid_file: Path, pid: int) -> None:
    """Records a pid together with its start time."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{pid} {_start_ticks(pid) or '-'}\n")


def read_pid(pid_file: Path) -> int | None:
    """Returns the pid recorded in pid_file if that very process is still alive."""
    try:
        fields = pid_file.read_text().split()
        pid = int(fields[0])
    except (OSError, ValueError, IndexError):
        return None
    ticks = _start_ticks(pid)
    if ticks is None or (len(fields) > 1 and fields[1] != "-" and fields[1] != ticks):
        return None
    return pid


def spawn(
    argv: Sequence[str],
    *,
    log_file: Path,
    pid_file: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Starts argv in its own session, output appended to log_file, and records its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as out:
        out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    write_pid(pid_file, proc.pid)
    return proc


def _group_alive(pgid: int) -> bool:
    try:
        os.waitpid(pgid, os.WNOHANG)  # reaps our own child so that it does not linger as a zombie
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid_file(pid_file: Path, timeout: float = 20.0) -> bool:
    """Sends TERM to the process group of pid_file, KILL after timeout; True if something ran."""
    pid = read_pid(pid_file)
    pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _group_alive(pid):
            return True
        time.sleep(0.2)
    log(f"process group {pid} ignored TERM for {timeout:.0f} s: KILL")
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when GET url answers 200 (proxy variables are ignored: everything is loopback)."""
    try:
        return httpx.get(url, timeout=timeout, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    """Returns the last lines of a log file (empty when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            data = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def wait_until(
    name: str,
    check: Callable[[], bool],
    *,
    timeout: float,
    log_file: Path,
    alive: Callable[[], bool] | None = None,
) -> float:
    """Polls check until it is true; raises StackError with the log tail on timeout or early death."""
    started = time.monotonic()
    while not check():
        elapsed = time.monotonic() - started
        if alive is not None and not alive():
            raise StackError(f"{name} exited before it became healthy; log {log_file}:\n{tail(log_file)}")
        if elapsed > timeout:
            raise StackError(f"{name} not healthy after {timeout:.0f} s; last lines of {log_file}:\n{tail(log_file)}")
        time.sleep(0.5)
    return time.monotonic() - started


def run(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """Runs a short command, returns stdout; raises StackError with its output when it fails."""
    result = subprocess.run(
        list(argv), env=None if env is None else dict(env), cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise StackError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout
