"""`make trace`: an ID is proven only by passing full claims and no failure; partial ones show what is missing."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_trace() -> ModuleType:
    """scripts/trace.py as a module (its name would shadow the standard library's `trace`)."""
    spec = importlib.util.spec_from_file_location("tbms_trace_script", ROOT / "scripts" / "trace.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


trace = load_trace()

DOC = """
| ID | meaning | proven when |
|---|---|---|
| R12 | contacts: Manage TB contact information | contacts are registered, listed, viewed and corrected |
| R22 | data: Easy search | several conditions, partial and fuzzy words, one box |
| R32 | data: Per user, per business area | every endpoint honours the levels |
| R33 | data: Items can be added | items added without a program change |
| N07 | 24/365 | availability shown on a running stack |

- R12 missing: contacts themselves
- R32 missing: an old note
"""


def result(test: str, reqs: list[str], outcome: str = "passed", partial: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    """One row as the req plugin writes it."""
    return {"test": test, "reqs": reqs, "partial": partial or [], "outcome": outcome}


def states(results: list[dict]) -> dict[str, str]:  # type: ignore[type-arg]
    """The state of every ID of DOC for these results."""
    requirements, _ = trace.read_requirements(DOC)
    tallies = trace.tally(results)
    return {req.rid: tallies.get(req.rid, trace.Tally()).state for req in requirements}


class TestStates:
    def test_only_passing_full_claims_prove_an_id(self) -> None:
        found = states([result("t1", ["R22", "R32"], partial=["R22"]), result("t2", ["R12"], partial=["R12"])])
        assert found == {"R12": "partial", "R22": "partial", "R32": "proven", "R33": "none", "N07": "none"}

    def test_one_full_claim_among_partial_ones_proves_it(self) -> None:
        found = states([result("t1", ["R22"], partial=["R22"]), result("t2", ["R22"])])
        assert found["R22"] == "proven"

    def test_any_failure_makes_it_failing_even_a_partial_one(self) -> None:
        found = states(
            [result("t1", ["R32"]), result("t2", ["R32"], "failed"), result("t3", ["R12"], "failed", ["R12"])]
        )
        assert (found["R32"], found["R12"]) == ("FAILING", "FAILING")

    def test_results_of_an_older_plugin_claim_every_id_in_full(self) -> None:
        assert states([{"test": "t1", "reqs": ["R33"], "outcome": "passed"}])["R33"] == "proven"


class TestReport:
    def test_partial_ids_show_what_is_missing_and_the_summary_counts_only_proven_ones(self) -> None:
        requirements, notes = trace.read_requirements(DOC)
        tallies = trace.tally([result("t1", ["R12"], partial=["R12"]), result("t2", ["R32"]), result("t3", ["R33"])])
        lines = trace.report(requirements, notes, tallies, table=True)
        assert lines[lines.index(next(x for x in lines if x.startswith("R12  partial"))) + 1].strip() == (
            "missing: contacts themselves"
        )
        assert "requirements proven: 2/5, partial: 1, FAILING: 0, without tests: 2" in lines
        assert "proven: R32 R33" in lines and "partial: R12" in lines

    def test_failing_tests_are_named_and_counted(self) -> None:
        requirements, notes = trace.read_requirements(DOC)
        lines = trace.report(requirements, notes, trace.tally([result("t9", ["N07"], "failed")]), table=True)
        assert "failing: t9" in [x.strip() for x in lines] and "FAILING: N07" in lines

    def test_inconsistencies_between_markers_and_notes_are_reported(self) -> None:
        requirements, notes = trace.read_requirements(DOC)
        tallies = trace.tally([result("t1", ["R22"], partial=["R22"]), result("t2", ["R32"]), result("t3", ["X99"])])
        lines = trace.report(requirements, notes, tallies, table=False)
        assert not any(x.startswith("R22 ") for x in lines)
        assert "tests name unknown IDs: X99" in lines
        assert any(x.startswith("partial IDs without a") and x.endswith(": R22") for x in lines)
        assert any(x.startswith("missing notes of IDs that are proven now") and x.endswith(": R32") for x in lines)


class TestTheProjectsList:
    def test_every_requirement_has_a_meaning_and_an_acceptance_line(self) -> None:
        requirements, notes = trace.read_requirements((ROOT / "docs" / "requirements.md").read_text(encoding="utf-8"))
        ids = [req.rid for req in requirements]
        assert len(ids) == len(set(ids)) == 36 + 30 + 32
        assert all(req.meaning and req.proven_when for req in requirements)
        assert set(notes) <= set(ids)

    def test_every_id_marked_partial_in_a_test_has_a_missing_note_and_every_note_a_partial_marker(self) -> None:
        _, notes = trace.read_requirements((ROOT / "docs" / "requirements.md").read_text(encoding="utf-8"))
        command = ["git", "grep", "-h", "mark.req(", "--", "*.py", ":!libs/tbms-testing"]  # its tests hold samples
        sources = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        partial = {
            rid
            for marker in re.findall(r"mark\.req\(([^)]*partial=True[^)]*)\)", sources)
            for rid in re.findall(r'"([RFN]\d\d)"', marker)
        }
        assert partial == set(notes)
        full = {
            rid
            for marker in re.findall(r"mark\.req\(([^)]*)\)", sources)
            if "partial=True" not in marker
            for rid in re.findall(r'"([RFN]\d\d)"', marker)
        }
        overclaimed = sorted(full & set(notes))
        assert not overclaimed, f"full claims on IDs docs/requirements.md calls partial: {overclaimed}"
