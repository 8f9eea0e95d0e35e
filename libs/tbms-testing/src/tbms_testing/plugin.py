"""pytest plugin: records which requirement IDs the passing tests prove, for `make trace`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_RESULTS_ENV = "TBMS_TRACE_RESULTS"


def pytest_configure(config: pytest.Config) -> None:
    """Registers the req marker and starts an empty result list."""
    config.addinivalue_line("markers", "req(id): the requirement ID this acceptance test proves")
    config._tbms_req_results = []  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Notes the outcome of every test that names a requirement."""
    outcome = yield
    report = outcome.get_result()
    ids = [mark.args[0] for mark in item.iter_markers("req") if mark.args]
    if not ids:
        return
    failed = report.failed
    passed = report.when == "call" and report.passed
    if failed or passed:
        item.config._tbms_req_results.append(  # type: ignore[attr-defined]
            {"test": item.nodeid, "reqs": ids, "outcome": "failed" if failed else "passed"}
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Writes the requirement results where `make trace` reads them."""
    target = os.environ.get(_RESULTS_ENV)
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(session.config._tbms_req_results, ensure_ascii=False, indent=1))  # type: ignore[attr-defined]
