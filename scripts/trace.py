"""Traceability: which requirement IDs have passing acceptance tests, from the last test run."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "docs" / "requirements.md"


def requirement_list() -> list[tuple[str, str]]:
    """The project's requirement IDs with their one-line meanings."""
    rows = re.findall(r"^\|\s*([RFN]\d\d)\s*\|\s*(.+?)\s*\|\s*$", REQUIREMENTS.read_text(encoding="utf-8"), re.M)
    return [(rid, meaning) for rid, meaning in rows]


def tally(results: list[dict]) -> tuple[dict[str, int], dict[str, int]]:  # type: ignore[type-arg]
    """Passing and failing test counts per requirement ID."""
    passed: dict[str, int] = defaultdict(int)
    failed: dict[str, int] = defaultdict(int)
    for result in results:
        for rid in result["reqs"]:
            (passed if result["outcome"] == "passed" else failed)[rid] += 1
    return passed, failed


def main() -> int:
    """Prints the traceability table (or a summary) from the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", default=str(ROOT / "var" / "trace-results.json"))
    parser.add_argument("--summary", action="store_true", help="one line per status instead of the table")
    args = parser.parse_args()
    path = Path(args.results)
    if not path.exists():
        print(f"no test results at {path}: run `make test` first", file=sys.stderr)
        return 1
    passed, failed = tally(json.loads(path.read_text(encoding="utf-8")))
    known = requirement_list()
    unknown = sorted((set(passed) | set(failed)) - {rid for rid, _ in known})
    proven = [rid for rid, _ in known if passed.get(rid) and not failed.get(rid)]
    if not args.summary:
        for rid, meaning in known:
            state = "FAILING" if failed.get(rid) else ("proven" if passed.get(rid) else "-")
            print(f"{rid}  {state:8} {passed.get(rid, 0):3} passed {failed.get(rid, 0):2} failed  {meaning}")
    print(f"requirements proven by passing tests: {len(proven)}/{len(known)}: {' '.join(proven)}")
    if unknown:
        print(f"tests name unknown IDs: {' '.join(unknown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
