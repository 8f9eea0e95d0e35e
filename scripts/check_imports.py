"""Fails when a service imports another service: services share only the libs (DESIGN §2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists())


def imported_roots(path: Path) -> set[str]:
    """The top-level package names a Python file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def violations() -> list[str]:
    """Every import of one service by another, or of a service by a lib."""
    found = []
    owners = {name: ROOT / "services" / name for name in SERVICES}
    owners |= {lib.name: lib for lib in (ROOT / "libs").iterdir() if lib.is_dir()}
    for owner, folder in owners.items():
        for path in folder.rglob("*.py"):
            for root in imported_roots(path) & set(SERVICES):
                if root != owner:
                    found.append(f"{path.relative_to(ROOT)} imports service '{root}'")
    return found


def main() -> int:
    """Prints violations and exits non-zero when there are any."""
    problems = violations()
    for line in problems:
        print(line)
    print(f"service boundaries: {len(SERVICES)} services checked, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
