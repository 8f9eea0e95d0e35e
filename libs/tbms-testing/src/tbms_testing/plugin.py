"""pytest plugin: records which requirement IDs the passing tests prove, for `make trace`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

_RESULTS_ENV = "TBMS_TRACE_RESULTS"


def pytest_configure(config: pytest.Config) -> None:
    """Registers the req marker and starts an empty result list."""
    config.addinivalue_line(
        "markers",
        "req(*ids, partial=False): the requirement IDs this acceptance test proves; "
        "partial=True when it shows only part of what they mean",
    )
    config._tbms_req_results = []  # type: ignore[attr-defined]


def requirement_claims(item: pytest.Item) -> tuple[list[str], list[str]]:
    """Every ID the test's req markers name, and those it claims only in part.

    One marker may name several IDs; `partial=True` applies to all of them. An ID that some marker of the
    test claims in full is not partial, whatever another marker says.
    """
    full: dict[str, None] = {}
    partial: dict[str, None] = {}
    for mark in item.iter_markers("req"):
        target = partial if mark.kwargs.get("partial", False) else full
        for rid in mark.args:
            target[str(rid)] = None
    ids = list(dict.fromkeys([*full, *partial]))
    return ids, [rid for rid in partial if rid not in full]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Notes the outcome of every test that names a requirement."""
    outcome = yield
    report = outcome.get_result()
    ids, partial = requirement_claims(item)
    if not ids:
        return
    failed = report.failed
    passed = report.when == "call" and report.passed
    if failed or passed:
        item.config._tbms_req_results.append(  # type: ignore[attr-defined]
            {"test": item.nodeid, "reqs": ids, "partial": partial, "outcome": "failed" if failed else "passed"}
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Writes the requirement results where `make trace` reads them."""
    target = os.environ.get(_RESULTS_ENV)
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(session.config._tbms_req_results, ensure_ascii=False, indent=1))  # type: ignore[attr-defined]
