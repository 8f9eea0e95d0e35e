"""Traceability: which requirement IDs the last test run proves, in full or in part (docs/requirements.md)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"
STATES = ("proven", "partial", "FAILING", "none")


@dataclass(frozen=True)
class Requirement:
    """One row of docs/requirements.md."""

    rid: str
    meaning: str
    proven_when: str


@dataclass
class Tally:
    """Test outcomes of one requirement ID."""

    passed: int = 0
    passed_partial: int = 0
    failed: int = 0
    failing_tests: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """proven, partial, FAILING or none: only passing full claims without a failure prove an ID."""
        if self.failed:
            return "FAILING"
        if self.passed:
            return "proven"
        return "partial" if self.passed_partial else "none"


def read_requirements(text: str) -> tuple[list[Requirement], dict[str, str]]:
    """The table rows and the `- ID missing: …` notes of docs/requirements.md."""
    rows = re.findall(r"^\|\s*([RFN]\d\d)\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$", text, re.M)
    notes = re.findall(r"^-\s*([RFN]\d\d)\s+missing:\s*(.+?)\s*$", text, re.M)
    return [Requirement(*row) for row in rows], dict(notes)


def tally(results: list[dict]) -> dict[str, Tally]:  # type: ignore[type-arg]
    """Outcomes per requirement ID; a result without a `partial` list (an older file) claims every ID in full."""
    tallies: dict[str, Tally] = {}
    for result in results:
        partial = set(result.get("partial", ()))
        for rid in result["reqs"]:
            counts = tallies.setdefault(rid, Tally())
            if result["outcome"] != "passed":
                counts.failed += 1
                counts.failing_tests.append(result["test"])
            elif rid in partial:
                counts.passed_partial += 1
            else:
                counts.passed += 1
    return tallies


def report(requirements: list[Requirement], notes: dict[str, str], tallies: dict[str, Tally], table: bool) -> list[str]:
    """The lines `make trace` prints: the table (unless summary only), the counts and any inconsistencies."""
    lines = []
    states = {req.rid: tallies.get(req.rid, Tally()).state for req in requirements}
    if table:
        for req in requirements:
            counts = tallies.get(req.rid, Tally())
            state = states[req.rid]
            line = (
                f"{req.rid}  {state:8} {counts.passed:3} passed {counts.passed_partial:3} partial "
                f"{counts.failed:2} failed  {req.meaning}"
            )
            lines.append(line)
            if state == "partial":
                lines.append(f"{'':15}missing: {notes.get(req.rid, '(no note in docs/requirements.md)')}")
            elif state == "FAILING":
                lines += [f"{'':15}failing: {test}" for test in counts.failing_tests]
    by_state = Counter(states.values())
    named = {state: " ".join(rid for rid, s in states.items() if s == state) for state in STATES}
    lines.append(
        f"requirements proven: {by_state['proven']}/{len(requirements)}, partial: {by_state['partial']}, "
        f"FAILING: {by_state['FAILING']}, without tests: {by_state['none']}"
    )
    lines += [f"{state}: {named[state]}" for state in STATES[:3] if named[state]]
    unknown = sorted(set(tallies) - set(states))
    if unknown:
        lines.append(f"tests name unknown IDs: {' '.join(unknown)}")
    unnoted = [rid for rid, state in states.items() if state == "partial" and rid not in notes]
    if unnoted:
        lines.append(f"partial IDs without a `- ID missing: …` note in docs/requirements.md: {' '.join(unnoted)}")
    stale = [rid for rid in notes if states.get(rid) == "proven"]
    if stale:
        lines.append(f"missing notes of IDs that are proven now (remove them?): {' '.join(stale)}")
    return lines


def main() -> int:
    """Prints the traceability table (or only the summary) from the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", default=str(ROOT / "var" / "trace-results.json"))
    parser.add_argument("--summary", action="store_true", help="only the counts, not one line per ID")
    args = parser.parse_args()
    path = Path(args.results)
    if not path.exists():
        print(f"no test results at {path}: run `make test` first", file=sys.stderr)
        return 1
    requirements, notes = read_requirements(REQUIREMENTS.read_text(encoding="utf-8"))
    tallies = tally(json.loads(path.read_text(encoding="utf-8")))
    print("\n".join(report(requirements, notes, tallies, table=not args.summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
