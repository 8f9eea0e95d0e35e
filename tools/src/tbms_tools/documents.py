"""`tbms documents seal-existing`: reports' operator command that seals the files stored before per-person keys."""

from __future__ import annotations

import os
import subprocess
import sys

from tbms_tools import config

REPORTS_CLI = "reports.document_key.cli"


def seal_existing(*, database_url: str | None = None, bucket: str | None = None) -> subprocess.CompletedProcess[str]:
    """Runs `python -m reports.document_key.cli seal-existing` in reports' environment (the local stack's, or
    `database_url` and `bucket`): status 0 when every file about a person is sealed, 1 with those it could not."""
    env = {**os.environ, **config.service_env("reports")}
    if database_url:
        env["TBMS_REPORTS_DATABASE_URL"] = database_url
    if bucket:
        env["TBMS_REPORTS_S3_BUCKET"] = bucket
    argv = [sys.executable, "-m", REPORTS_CLI, "seal-existing"]
    return subprocess.run(argv, env=env, cwd=config.repo_root(), capture_output=True, text=True, check=False)
