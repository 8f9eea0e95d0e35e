"""The req marker: every ID of every marker reaches the results file, partial claims marked as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest

@pytest.mark.req("R22", "R32")
def test_two_ids_in_one_marker():
    pass

@pytest.mark.req("R12", "R13", partial=True)
def test_partial_applies_to_every_id_of_its_marker():
    pass

@pytest.mark.req("R03")
@pytest.mark.req("R18", partial=True)
def test_stacked_markers_keep_their_own_kind():
    pass

@pytest.mark.req("R21", partial=True)
@pytest.mark.req("R21")
def test_a_full_claim_wins_over_a_partial_one():
    pass

@pytest.mark.req("N05")
class TestClassMarker:
    @pytest.mark.req("R36")
    def test_class_and_method_markers_both_count(self):
        pass

@pytest.mark.req("R04")
def test_a_failure_is_recorded():
    assert False

@pytest.mark.req("R09")
@pytest.mark.skip(reason="not yet")
def test_a_skipped_test_is_not_recorded():
    pass

def test_without_a_marker_is_not_recorded():
    pass
"""


@pytest.fixture
def results(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:  # type: ignore[type-arg]
    """Runs the sample tests with the plugin and returns the recorded results by test name."""
    target = pytester.path / "var" / "trace-results.json"
    monkeypatch.setenv("TBMS_TRACE_RESULTS", str(target))
    pytester.makepyfile(test_sample=TESTS)
    outcome = pytester.runpytest("-p", "tbms_testing.plugin", "-p", "no:cacheprovider", "-p", "no:asyncio")
    outcome.assert_outcomes(passed=6, failed=1, skipped=1)
    rows = json.loads(Path(target).read_text(encoding="utf-8"))
    return {row["test"].rsplit("::", 1)[1]: row for row in rows}


def test_every_id_of_a_marker_is_recorded(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    row = results["test_two_ids_in_one_marker"]
    assert (row["reqs"], row["partial"], row["outcome"]) == (["R22", "R32"], [], "passed")


def test_partial_applies_to_every_id_of_its_marker(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    row = results["test_partial_applies_to_every_id_of_its_marker"]
    assert (row["reqs"], row["partial"]) == (["R12", "R13"], ["R12", "R13"])


def test_stacked_markers_keep_their_own_kind(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    row = results["test_stacked_markers_keep_their_own_kind"]
    assert (sorted(row["reqs"]), row["partial"]) == (["R03", "R18"], ["R18"])


def test_a_full_claim_wins_over_a_partial_one(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    row = results["test_a_full_claim_wins_over_a_partial_one"]
    assert (row["reqs"], row["partial"]) == (["R21"], [])


def test_class_and_method_markers_both_count(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    assert sorted(results["test_class_and_method_markers_both_count"]["reqs"]) == ["N05", "R36"]


def test_failures_are_recorded_and_skips_and_unmarked_tests_are_not(results: dict[str, dict]) -> None:  # type: ignore[type-arg]
    assert results["test_a_failure_is_recorded"]["outcome"] == "failed"
    assert "test_a_skipped_test_is_not_recorded" not in results
    assert "test_without_a_marker_is_not_recorded" not in results
