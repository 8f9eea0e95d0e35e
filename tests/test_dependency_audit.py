"""scripts/audit_dependencies.py: a planted vulnerable pin fails the check, an accepted one passes until its
date, an image compose pins without a review record fails.

PyPI's per-version vulnerability pages are not reachable from this machine, so the planted pin is served by
a local index that answers like PyPI's project page (recorded shape); pip-audit itself runs for real and
must hand back what it could not look up rather than pass it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 3)


def load_audit() -> ModuleType:
    """scripts/audit_dependencies.py as a module."""
    spec = importlib.util.spec_from_file_location("tbms_audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = load_audit()

# PyPI's JSON page of a project, as PyPI shapes it: the latest release and its known vulnerabilities.
PROJECTS = {
    "tbms-planted-vulnerable": {
        "info": {"name": "tbms-planted-vulnerable", "version": "1.0.0"},
        "vulnerabilities": [
            {
                "id": "PYSEC-2099-1",
                "aliases": ["CVE-2099-0001", "GHSA-xxxx-yyyy-zzzz"],
                "fixed_in": ["1.0.1"],
                "summary": "Remote code execution through a crafted header",
            }
        ],
    },
    "tbms-planted-behind": {"info": {"name": "tbms-planted-behind", "version": "3.0.0"}, "vulnerabilities": []},
    "tbms-planted-clean": {"info": {"name": "tbms-planted-clean", "version": "2.0.0"}, "vulnerabilities": []},
}


class Index(BaseHTTPRequestHandler):
    """Answers /pypi/<name>/json from PROJECTS, 404 otherwise."""

    def do_GET(self) -> None:
        name = self.path.removeprefix("/pypi/").removesuffix("/json")
        body = json.dumps(PROJECTS[name]).encode() if name in PROJECTS else b"{}"
        self.send_response(200 if name in PROJECTS else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def index() -> Iterator[str]:
    """A local package index on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def accepted(until: date, vulnerability: str = "CVE-2099-0001") -> list:
    """One acceptance of the planted finding."""
    return [audit.Acceptance(vulnerability, "tbms-planted-vulnerable", "影響する機能を使っていない", until)]


@pytest.mark.req("N22", partial=True)
def test_a_planted_vulnerable_pin_fails_and_names_the_advisory_and_its_fix(index: str) -> None:
    findings, unverified = audit.latest_release_findings(["tbms-planted-vulnerable==1.0.0"], index)
    verdict = audit.judge(findings, [], [], TODAY)
    assert not verdict.ok
    assert verdict.failures == [
        "未対応の脆弱性: tbms-planted-vulnerable 1.0.0: PYSEC-2099-1 (修正版 1.0.1) "
        "Remote code execution through a crafted header"
    ]
    assert unverified == []


@pytest.mark.req("N22", partial=True)
def test_an_accepted_finding_passes_until_its_date_and_fails_after_it(index: str) -> None:
    findings, _ = audit.latest_release_findings(["tbms-planted-vulnerable==1.0.0"], index)
    assert audit.judge(findings, accepted(date(2026, 12, 3)), [], TODAY).ok  # the last day still counts
    assert audit.judge(findings, accepted(date(2026, 12, 31), "GHSA-xxxx-yyyy-zzzz"), [], TODAY).ok  # any alias
    expired = audit.judge(findings, accepted(date(2026, 12, 2)), [], TODAY)
    assert [line.split(":")[0] for line in expired.failures] == ["受容期限切れ(2026-12-02)"]
    other = [audit.Acceptance("CVE-2099-0001", "another-package", "別のパッケージ", date(2027, 1, 1))]
    assert not audit.judge(findings, other, [], TODAY).ok  # an acceptance holds for its component only


@pytest.mark.req("N22", partial=True)
def test_a_pin_behind_the_latest_release_is_reported_unverified_not_passed(index: str) -> None:
    findings, unverified = audit.latest_release_findings(
        ["tbms-planted-behind==2.9.0", "tbms-planted-clean==2.0.0"], index
    )
    assert findings == []
    assert unverified == ["tbms-planted-behind==2.9.0(最新版 3.0.0。この版の脆弱性情報は照会できない)"]


def test_an_index_that_does_not_answer_stops_the_check() -> None:
    with pytest.raises(RuntimeError, match="答えません"):
        audit.latest_release_findings(["tbms-planted-clean==2.0.0"], "http://127.0.0.1:9")


@pytest.mark.req("N22", partial=True)
def test_pip_audit_runs_and_hands_back_the_pins_it_could_not_look_up() -> None:
    findings, skipped = audit.python_findings(["tbms-planted-vulnerable==1.0.0"])
    assert findings == []
    assert skipped == ["tbms-planted-vulnerable==1.0.0"]  # not on PyPI: returned for the fallback, not passed


@pytest.mark.req("N22", partial=True)
def test_every_image_compose_pins_has_a_review_record_that_is_not_too_old() -> None:
    catalogue = audit.tomllib.loads(audit.IMAGES_FILE.read_text(encoding="utf-8"))
    images = audit.pinned_images()
    assert {"keycloak", "nats", "minio", "meilisearch", "clamav"} <= set(images)
    assert {"postgres:16", "python:3.11-slim-bookworm"} <= set(images.values())  # bases the Dockerfiles build on
    findings, problems = audit.image_findings(images, catalogue, TODAY)
    assert problems == []
    assert audit.judge(findings, audit.read_accepted(), problems, TODAY).ok


@pytest.mark.req("N22", partial=True)
def test_an_unlisted_image_a_stale_review_and_a_listed_advisory_each_fail() -> None:
    catalogue = {
        "review_max_age_days": 30,
        "image": [
            {"image": "postgres:16", "reviewed": date(2026, 11, 2)},
            {
                "image": "clamav/clamav:1.4",
                "reviewed": date(2026, 11, 30),
                "advisories": [{"id": "CVE-2099-0002", "fixed_in": "1.4.9", "summary": "parser overflow"}],
            },
        ],
    }
    images = {"postgres": "postgres:16", "clamav": "clamav/clamav:1.4", "nats": "nats:9.9"}
    findings, problems = audit.image_findings(images, catalogue, TODAY)
    assert len(problems) == 2
    assert "nats:9.9" in problems[0]
    assert "31 日" in problems[1]
    assert [finding.vulnerability for finding in findings] == ["CVE-2099-0002"]
    assert len(audit.judge(findings, [], problems, TODAY).failures) == 3


def test_an_acceptance_without_a_reason_or_a_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "accepted.toml"
    path.write_text('[[accepted]]\nid = "CVE-2099-0001"\ncomponent = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="reason, until"):
        audit.read_accepted(path)


@pytest.mark.req("N22", partial=True)
def test_the_command_exits_non_zero_on_a_planted_pin(index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TBMS_PYPI_URL", index)
    assert audit.main(["--requirement", "tbms-planted-vulnerable==1.0.0"]) == 1
    assert audit.main(["--requirement", "tbms-planted-clean==2.0.0"]) == 0
    assert audit.main(["--requirement", "tbms-planted-behind==2.9.0", "--strict"]) == 1
