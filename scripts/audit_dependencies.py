"""Known vulnerabilities in what tbms runs (N22): every locked Python package and every pinned image.

Python: the locked versions (`uv export`) are checked with pip-audit against PyPI's vulnerability
data. Images: the versions docker-compose.yml pins are compared with deploy/security/images.toml, the
list the project keeps of each image with the date its advisories were last reviewed and the advisories
known to affect it. A finding fails the check unless deploy/security/accepted.toml records it with a
reason and an expiry date; an expired acceptance fails like a new finding, and so does an image whose
review is older than the list allows.

Usage: `uv run python scripts/audit_dependencies.py` (run by `make audit`, which `make test` runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from tbms_core import clock

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
IMAGES_FILE = ROOT / "deploy" / "security" / "images.toml"
ACCEPTED_FILE = ROOT / "deploy" / "security" / "accepted.toml"
UV = shutil.which("uv") or "uv"
IMAGE_DEFAULT = re.compile(r"^\$\{[A-Z0-9_]+:-(?P<image>[^}]+)\}$")


@dataclass(frozen=True)
class Finding:
    """One known vulnerability in one component at its pinned version."""

    component: str
    version: str
    vulnerability: str
    aliases: tuple[str, ...] = ()
    fixed_in: str = ""
    summary: str = ""

    def names(self) -> set[str]:
        """The advisory's ID and its aliases (a CVE, a GHSA, a PYSEC id): an acceptance may name any."""
        return {self.vulnerability, *self.aliases}

    def line(self) -> str:
        """One readable line for the report."""
        fix = f" (修正版 {self.fixed_in})" if self.fixed_in else " (修正版なし)"
        return f"{self.component} {self.version}: {self.vulnerability}{fix} {self.summary}".rstrip()


@dataclass(frozen=True)
class Acceptance:
    """A finding the project has decided to live with for a while, and why."""

    vulnerability: str
    component: str
    reason: str
    until: date


@dataclass(frozen=True)
class Verdict:
    """What fails the check, and what passes only because it was accepted."""

    failures: list[str]
    accepted: list[str]

    @property
    def ok(self) -> bool:
        """True when nothing fails."""
        return not self.failures


def locked_requirements() -> list[str]:
    """The workspace's locked third-party packages as `name==version` lines."""
    exported = subprocess.run(  # noqa: S603 - a fixed command line
        [UV, "export", "--frozen", "--no-hashes", "--no-emit-workspace", "--all-packages", "--all-groups"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted({line.split(";")[0].strip() for line in exported.splitlines() if "==" in line})


def python_findings(requirements: list[str]) -> tuple[list[Finding], list[str]]:
    """Runs pip-audit on pinned requirements: its findings, and the pins it could not look up.

    Raises RuntimeError when pip-audit itself cannot run (no report at all)."""
    with tempfile.TemporaryDirectory() as scratch:
        listing = Path(scratch) / "requirements.txt"
        listing.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(listing),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            os.environ.get("TBMS_AUDIT_SERVICE", "pypi"),
            "--format",
            "json",
            "--output",
            str(report),
            "--progress-spinner",
            "off",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments
        if not report.exists():  # pip-audit exits 1 on findings too; no report means it did not run
            raise RuntimeError(f"pip-audit did not run: {done.stderr.strip()[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    pins = {_normalised(pin.split("==", 1)[0]): pin for pin in requirements}
    findings, skipped = [], []
    for dependency in data.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(pins.get(_normalised(dependency["name"]), dependency["name"]))
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    component=dependency["name"],
                    version=dependency["version"],
                    vulnerability=vuln["id"],
                    aliases=tuple(vuln.get("aliases", [])),
                    fixed_in=", ".join(vuln.get("fix_versions", [])),
                    summary=_first_line(vuln.get("description")),
                )
            )
    return findings, skipped


def latest_release_findings(pins: Iterable[str], index: str | None = None) -> tuple[list[Finding], list[str]]:
    """The pins pip-audit could not look up, checked with the project's page of the index instead.

    A project's page carries the vulnerabilities of its latest release: for a pin at that release the
    answer is complete; a pin behind it cannot be vouched for and is returned as unverified (with the
    newer version), never passed silently. Raises RuntimeError when the index does not answer."""
    base = index or os.environ.get("TBMS_PYPI_URL", "https://pypi.org")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda pin: _project_page(base, pin), pins))
    findings: list[Finding] = []
    unverified: list[str] = []
    for pin, project in answers:
        name, version = pin.split("==", 1)
        latest = project["info"]["version"]
        if latest != version:
            unverified.append(f"{pin}(最新版 {latest}。この版の脆弱性情報は照会できない)")
            continue
        for vuln in project.get("vulnerabilities", []):
            findings.append(
                Finding(
                    component=name,
                    version=version,
                    vulnerability=vuln["id"],
                    aliases=tuple(vuln.get("aliases") or ()),
                    fixed_in=", ".join(vuln.get("fixed_in") or ()),
                    summary=_first_line(vuln.get("summary") or vuln.get("details")),
                )
            )
    return findings, unverified


def _project_page(index: str, pin: str) -> tuple[str, dict]:
    """The index's JSON page of the pinned project."""
    name = pin.split("==", 1)[0]
    try:
        with urllib.request.urlopen(f"{index}/pypi/{name}/json", timeout=30) as response:  # noqa: S310 - the index
            return pin, json.load(response)
    except OSError as error:
        raise RuntimeError(f"{index} が {name} に答えません: {error}") from error


def _normalised(name: str) -> str:
    """A package name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _first_line(text: str | None) -> str:
    """The first line of an advisory's text, at most 120 characters."""
    return (text or "").strip().splitlines()[0][:120] if (text or "").strip() else ""


def compose_images(compose_file: Path = COMPOSE_FILE) -> dict[str, str]:
    """Third-party images pinned in docker-compose.yml: service -> image (the default of a ${VAR:-image})."""
    services = yaml.safe_load(compose_file.read_text(encoding="utf-8"))["services"]
    images = {}
    for name, service in services.items():
        image = str(service.get("image", ""))
        if match := IMAGE_DEFAULT.match(image):
            image = match["image"]
        if image and not image.startswith("tbms/"):
            images[name] = image
    return images


def dockerfile_images(root: Path = ROOT / "deploy") -> dict[str, str]:
    """Base images and downloaded binaries of the project's Dockerfiles, with their ARG defaults filled in:
    `<Dockerfile>: FROM` -> image, `<Dockerfile>: ADD` -> URL."""
    found: dict[str, str] = {}
    for dockerfile in sorted(root.glob("*/Dockerfile")):
        args: dict[str, str] = {}
        stages: set[str] = set()
        name = dockerfile.parent.relative_to(ROOT).as_posix()
        for line in dockerfile.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if not words:
                continue
            if words[0] == "ARG" and "=" in words[1]:
                key, value = words[1].split("=", 1)
                args.setdefault(key, value)
            elif words[0] in ("FROM", "ADD"):
                target = words[1] if words[0] == "FROM" else next((w for w in words[1:] if "://" in w), "")
                target = _filled(target, args)
                if words[0] == "FROM" and len(words) >= 4 and words[2].upper() == "AS":
                    stages.add(words[3])
                if target and target not in stages:
                    found[f"{name}: {words[0]} {target}"] = target
    return found


def _filled(text: str, args: dict[str, str]) -> str:
    """`${NAME}` replaced by the ARG default of the Dockerfile."""
    return re.sub(r"\$\{(\w+)\}", lambda match: args.get(match[1], match[0]), text)


def pinned_images() -> dict[str, str]:
    """Everything third-party the deployment runs: compose's images and the Dockerfiles' bases and downloads."""
    return {**compose_images(), **dockerfile_images()}


def image_findings(images: dict[str, str], catalogue: dict, today: date) -> tuple[list[Finding], list[str]]:
    """Advisories the catalogue records for the pinned images, and the images it does not cover well."""
    entries = {entry["image"]: entry for entry in catalogue.get("image", [])}
    max_age = int(catalogue.get("review_max_age_days", 180))
    findings: list[Finding] = []
    problems: list[str] = []
    for service, image in sorted(images.items()):
        entry = entries.get(image)
        if entry is None:
            problems.append(f"{service}: イメージ {image} が {IMAGES_FILE.name} にありません(脆弱性の確認記録がない)")
            continue
        age = (today - entry["reviewed"]).days
        if age > max_age:
            reviewed = entry["reviewed"]
            problems.append(f"{image}: 脆弱性の確認が {reviewed} から {age} 日更新されていません(上限 {max_age} 日)")
        for advisory in entry.get("advisories", []):
            findings.append(
                Finding(
                    component=image,
                    version=image.rsplit(":", 1)[-1],
                    vulnerability=advisory["id"],
                    fixed_in=advisory.get("fixed_in", ""),
                    summary=advisory.get("summary", ""),
                )
            )
    return findings, problems


def read_accepted(path: Path = ACCEPTED_FILE) -> list[Acceptance]:
    """The accepted findings file; every entry needs an ID, a component, a reason and an expiry date."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("accepted", [])
    accepted = []
    for entry in entries:
        missing = [key for key in ("id", "component", "reason", "until") if not entry.get(key)]
        if missing:
            raise ValueError(f"{path.name}: {entry.get('id', '?')} に {', '.join(missing)} がありません")
        accepted.append(Acceptance(entry["id"], entry["component"], entry["reason"], entry["until"]))
    return accepted


def judge(findings: list[Finding], accepted: list[Acceptance], problems: list[str], today: date) -> Verdict:
    """Each finding fails unless an acceptance for its component names it and has not expired."""
    failures = list(problems)
    passed = []
    for finding in findings:
        match = next(
            (
                item
                for item in accepted
                if item.vulnerability in finding.names() and item.component.lower() == finding.component.lower()
            ),
            None,
        )
        if match is None:
            failures.append(f"未対応の脆弱性: {finding.line()}")
        elif match.until < today:
            failures.append(f"受容期限切れ({match.until}): {finding.line()}")
        else:
            passed.append(f"受容済み(〜{match.until}、{match.reason}): {finding.line()}")
    return Verdict(failures=failures, accepted=passed)


def main(argv: list[str] | None = None) -> int:
    """Checks the lock and the images; prints the findings; exit 1 when anything fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirement", action="append", help="check these pins instead of the lock (name==version)")
    parser.add_argument("--strict", action="store_true", help="fail also on pins that could not be looked up")
    args = parser.parse_args(argv)
    today = clock.today()
    requirements = args.requirement or locked_requirements()
    findings, skipped = python_findings(requirements)
    more, unverified = latest_release_findings(skipped)
    images = pinned_images()
    catalogue = tomllib.loads(IMAGES_FILE.read_text(encoding="utf-8"))
    image_list, problems = image_findings(images, catalogue, today)
    if args.strict:
        problems += [f"照会できない: {pin}" for pin in unverified]
    verdict = judge([*findings, *more, *image_list], read_accepted(), problems, today)
    for line in verdict.accepted:
        print(line)
    for pin in unverified:
        print(f"照会できない: {pin}")
    for line in verdict.failures:
        print(line, file=sys.stderr)
    print(
        f"脆弱性チェック: Python {len(requirements)} パッケージ(照会できない {len(unverified)})、"
        f"イメージ {len(images)} 個: 不合格 {len(verdict.failures)} 件、受容 {len(verdict.accepted)} 件"
    )
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
