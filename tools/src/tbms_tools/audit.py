"""`tbms audit verify|anchor|purge`: identity's operator commands on the operation history, in its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import date

from tbms_tools import config

IDENTITY_CLI = "identity.audit_log.cli"


def run(args: Sequence[str], *, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """Runs `python -m identity.audit_log.cli <args>` as the identity service would; returns status and output.

    The command reads the database from identity's settings: the local stack's, or `database_url` instead.
    """
    env = {**os.environ, **config.service_env("identity")}
    if database_url:
        env["TBMS_IDENTITY_DATABASE_URL"] = database_url
    argv = [sys.executable, "-m", IDENTITY_CLI, *args]
    return subprocess.run(argv, env=env, cwd=config.repo_root(), capture_output=True, text=True, check=False)


def verify(*, database_url: str | None = None, anchors: bool = False) -> subprocess.CompletedProcess[str]:
    """Checks the hash chain and its seal (N05), and with `anchors` its copies outside the database: status 0 when
    intact, 1 with the altered, removed or inserted seq named."""
    return run(["verify", "--anchors"] if anchors else ["verify"], database_url=database_url)


def anchor() -> subprocess.CompletedProcess[str]:
    """Copies the chain head to the object-locked bucket now (identity also does it every hour)."""
    return run(["anchor"])


def purge(before: date, *, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """Deletes operation and login history from before a JST day (≥3 years ago); the chain stays verifiable."""
    return run(["purge", "--before", before.isoformat()], database_url=database_url)


def report(result: subprocess.CompletedProcess[str]) -> int:
    """Passes the command's Japanese messages on to the operator; returns its exit status."""
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode
