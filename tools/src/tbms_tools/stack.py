"""The local stack supervisor: `tbms stack up|down|status|env` and the API the test fixtures use."""

from __future__ import annotations

import fcntl
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tbms_tools import config
from tbms_tools.components import Component, Keycloak, Minio, Postgres, Service, nats_components, services_present
from tbms_tools.config import service_env, stack_env
from tbms_tools.procs import StackError, log

__all__ = [
    "DemoLogin",
    "StackError",
    "demo_logins",
    "down",
    "ensure_up",
    "service_env",
    "stack_env",
    "status_rows",
    "up",
]


MAX_NATS_NODES = 5  # `--nats-cluster` accepts 1, 3 or 5 nodes (a JetStream cluster wants an odd number)


def infra_components() -> list[Component]:
    """Returns the infrastructure components in start order."""
    return [Postgres(), *nats_components(), Minio(), Keycloak()]


def _stop_other_nats(current: list[Component]) -> None:
    """Stops the nats-server nodes of another cluster size (one node and a cluster share the client port)."""
    names = {component.name for component in current}
    for other in [*nats_components(1), *nats_components(MAX_NATS_NODES)]:
        if other.name not in names and other.pid() is not None and other.stop():
            log(f"{other.name}: stopped (the NATS cluster size changed)")


def service_components() -> list[Component]:
    """Returns the services present in the repository, in start order."""
    return [Service(name) for name in services_present()]


def _begin(component: Component) -> tuple[bool, subprocess.Popen[bytes] | None]:
    """Starts a component unless it is healthy; returns (needs waiting, process)."""
    healthy = component.healthy()
    if healthy and component.stale():
        log(f"{component.name}: its code or configuration changed, restarting")
        component.stop()
    elif healthy:
        log(f"{component.name}: already healthy (pid {component.pid() or '?'})")
        return False, None
    elif component.pid() is not None:
        log(f"{component.name}: already starting (pid {component.pid()}), waiting")
        return True, None
    log(f"{component.name}: starting, log {component.log_file}")
    return True, component.start()


def _finish(component: Component, waiting: bool, proc: subprocess.Popen[bytes] | None) -> None:
    """Waits for health (when started) and runs the component's idempotent set-up."""
    if waiting:
        seconds = component.wait(proc)
        log(f"{component.name}: healthy on port {component.port} after {seconds:.1f} s")
    component.after_healthy()


def _bring_up(components: list[Component], parallel: bool) -> None:
    """Starts components, all at once (then waits for each) or one after the other."""
    if parallel:
        started = [(component, *_begin(component)) for component in components]
        for component, waiting, proc in started:
            _finish(component, waiting, proc)
        return
    for component in components:
        _finish(component, *_begin(component))


@contextmanager
def stack_lock() -> Iterator[None]:
    """Serialises stack commands of concurrent processes (parallel test workers, two shells)."""
    path = config.state_dir() / "run" / "stack.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another tbms stack command (lock {path})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def ensure_up(infra_only: bool = False) -> None:
    """Brings the stack up, reusing healthy components; raises StackError on failure."""
    with stack_lock():
        for directory in ("logs", "run", "search"):
            (config.state_dir() / directory).mkdir(parents=True, exist_ok=True)
        infrastructure = infra_components()
        _stop_other_nats(infrastructure)
        _bring_up(infrastructure, parallel=True)
        if not infra_only:
            _bring_up(service_components(), parallel=True)


@dataclass(frozen=True)
class DemoLogin:
    """A demo user of the realm file."""

    username: str
    group: str
    password: str
    totp_secret: str


def demo_logins(users_file: Path | None = None) -> list[DemoLogin]:
    """Reads the demo users, passwords and Base32 TOTP secrets from the development-only users file."""
    data = json.loads((users_file or config.demo_users_file()).read_text(encoding="utf-8"))
    logins = []
    for user in data.get("users", []):
        credentials = {item["type"]: item for item in user.get("credentials", [])}
        password = credentials.get("password", {}).get("value", "")
        otp = credentials.get("otp", {}).get("secretData", "{}")
        group = (user.get("groups") or ["/"])[0].lstrip("/")
        logins.append(DemoLogin(user["username"], group, password, json.loads(otp).get("value", "")))
    return logins


def up(infra_only: bool = False, nats_cluster: int | None = None, replicas: int | None = None) -> None:
    """`tbms stack up`: ensure_up, then prints the URLs and the demo logins. `nats_cluster` changes the number of
    NATS nodes (kept for later runs): a cluster starts with empty stores and the services create their streams
    with three replicas, restarting because their NATS settings changed. `replicas` runs that many processes of each
    stateless service (kept too)."""
    started = time.monotonic()
    if nats_cluster is not None:
        config.set_nats_cluster_size(nats_cluster)
    if replicas is not None:
        config.set_replicas(replicas)
    ensure_up(infra_only)
    log(f"stack up in {time.monotonic() - started:.1f} s")
    print(f"\nKeycloak      http://{config.HOST}:{config.KEYCLOAK_PORT}/admin/  (admin / admin)")
    print(f"MinIO console http://{config.HOST}:{config.MINIO_CONSOLE_PORT}/  ({config.S3_ACCESS_KEY})")
    print(f"Gateway       {config.service_url('gateway')}/")
    print("\nDemo logins (user, password, TOTP secret in Base32, group):")
    for login in demo_logins():
        print(f"  {login.username:<8} {login.password}  {login.totp_secret}  {login.group}")


def down() -> None:
    """`tbms stack down`: stops the services, then the infrastructure."""
    every_nats = [*nats_components(1), *nats_components(MAX_NATS_NODES)]
    components = [*reversed([Service(name) for name in config.SERVICES]), *reversed(infra_components()), *every_nats]
    with stack_lock():
        for component in components:
            if component.stop():
                log(f"{component.name}: stopped")
    log("stack down")


def status_rows() -> list[tuple[str, int, str, bool]]:
    """Returns (component, port, pid, healthy) for every component."""
    rows = []
    for component in [*infra_components(), *(Service(name) for name in config.SERVICES)]:
        pid = component.pid()
        rows.append((component.name, component.port, str(pid) if pid else "-", component.healthy()))
    return rows


def format_status(rows: list[tuple[str, int, str, bool]]) -> str:
    """Formats status rows as a text table."""
    lines = [f"{'component':<10} {'port':>6} {'pid':>8}  healthy"]
    lines += [f"{name:<10} {port:>6} {pid:>8}  {'yes' if ok else 'no'}" for name, port, pid, ok in rows]
    return "\n".join(lines)
