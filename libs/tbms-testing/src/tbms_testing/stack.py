"""The local stack as tests reach it: started and described by the `tbms` command, never imported from it.

A lib must not import the tools (scripts/check_imports.py), so fixtures run `tbms` the way a developer does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]


class StackUnavailable(RuntimeError):
    """The `tbms` command could not start or describe the local stack."""


def tbms_command() -> list[str]:
    """The `tbms` command of this environment: the script beside the interpreter, on PATH, or through uv."""
    beside = Path(sys.executable).with_name("tbms")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("tbms")
    return [found] if found else ["uv", "run", "tbms"]


def tbms(*args: str) -> str:
    """Runs `tbms ARGS…` in the repository and returns what it printed; raises StackUnavailable when it fails."""
    done = subprocess.run([*tbms_command(), *args], cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout[-3000:] + done.stderr[-3000:]).strip()
        raise StackUnavailable(f"`tbms {' '.join(args)}` failed with exit status {done.returncode}:\n{output}")
    return done.stdout


def ensure_infrastructure() -> None:
    """Starts PostgreSQL, NATS, MinIO and Keycloak unless they are healthy (`tbms stack up --infra-only`)."""
    tbms("stack", "up", "--infra-only")


def ensure_stack() -> None:
    """Starts the infrastructure and every service unless they are healthy (`tbms stack up`)."""
    tbms("stack", "up")


@cache
def _stack_env() -> dict[str, str]:
    return json.loads(tbms("stack", "env", "--json"))


def stack_env() -> dict[str, str]:
    """Every variable `tbms stack env` gives: the services' and the local Keycloak administrator's."""
    return dict(_stack_env())


def service_env(service: str) -> dict[str, str]:
    """The local environment variables of one service (`TBMS_<SERVICE>_…`, docs/conventions.md)."""
    prefix = f"TBMS_{service.upper()}_"
    env = {key: value for key, value in _stack_env().items() if key.startswith(prefix)}
    if not env:
        raise StackUnavailable(f"`tbms stack env` knows no service {service!r}")
    return env


def state_dir() -> Path:
    """$TBMS_STATE (default ~/.local/state/tbms), where the running stack keeps its data (docs/conventions.md)."""
    return Path(os.environ.get("TBMS_STATE") or Path.home() / ".local" / "state" / "tbms")


def demo_users_file() -> Path:
    """The development-only demo users of the local realm (their passwords and TOTP secrets)."""
    return REPO / "deploy" / "keycloak" / "dev" / "demo-users.json"
