"""The manifest of a backup: its parts with sizes and SHA-256, the source versions and what the source held.

The manifest is plain JSON (so an operator can read what a backup holds without its key) and carries an HMAC
under a key derived from the backup key: whoever edits it without the key is found out on restore.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tbms_core.clock import JST

FORMAT = "tbms-backup/1"
MANIFEST = "manifest.json"
DRILL_JSON = "drill-report.json"
DRILL_TEXT = "drill-report.txt"
PARTIAL_PREFIX = ".partial-"


class ManifestError(Exception):
    """The manifest is missing, not ours, or altered."""


def backup_id(moment: datetime) -> str:
    """A backup's name: tbms-YYYYmmddTHHMMSSZ (UTC), sortable."""
    return "tbms-" + moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def times(moment: datetime) -> dict[str, str]:
    """A moment in UTC and in Japan's time."""
    return {"utc": moment.astimezone(UTC).isoformat(), "jst": moment.astimezone(JST).isoformat()}


def _mac_key(key: bytes) -> bytes:
    return hashlib.sha256(b"tbms-backup-manifest" + key).digest()


def _canonical(document: dict[str, Any]) -> bytes:
    body = {name: value for name, value in document.items() if name != "mac"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(document: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The document with its HMAC-SHA256 under the backup key."""
    return {**document, "mac": hmac.new(_mac_key(key), _canonical(document), hashlib.sha256).hexdigest()}


def write(directory: Path, document: dict[str, Any], key: bytes) -> Path:
    """Writes manifest.json (sealed) into a backup directory."""
    path = directory / MANIFEST
    path.write_text(json.dumps(seal(document, key), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read(directory: Path, key: bytes | None = None) -> dict[str, Any]:
    """Reads a backup's manifest; with the key, also checks its HMAC."""
    path = directory / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{directory} に manifest.json がありません（完了していないバックアップです）。") from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path} が JSON として読めません（破損しています）。") from exc
    if document.get("format") != FORMAT:
        raise ManifestError(f"{path} は tbms のバックアップ目録ではありません。")
    if key is not None:
        expected = hmac.new(_mac_key(key), _canonical(document), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(document.get("mac", ""))):
            raise ManifestError(f"{path} が作成後に書き換えられています（署名が一致しません）。")
    return document


@dataclass(frozen=True)
class PartProblem:
    """A part whose file does not match the manifest."""

    part: str
    file: str
    reason: str

    @property
    def message(self) -> str:
        """Names the part for the operator."""
        return f"部品 {self.part}（{self.file}）: {self.reason}"


def check_parts(directory: Path, document: dict[str, Any]) -> list[PartProblem]:
    """Every part's size and SHA-256 against the manifest, before anything is restored."""
    from tbms_tools.backup.crypt import file_sha256

    problems = []
    for part in document["parts"]:
        path = directory / part["file"]
        if not path.is_file():
            problems.append(PartProblem(part["name"], part["file"], "ファイルがありません"))
        elif path.stat().st_size != part["size"]:
            size = path.stat().st_size
            problems.append(PartProblem(part["name"], part["file"], f"大きさが違います（{size} ≠ {part['size']}）"))
        elif file_sha256(path) != part["sha256"]:
            problems.append(PartProblem(part["name"], part["file"], "SHA-256 が一致しません（破損または改ざん）"))
    return problems


def list_backups(target: Path) -> list[Path]:
    """The finished backups in a target, oldest first (a `.partial-` directory is an unfinished one)."""
    if not target.is_dir():
        return []
    return sorted(
        path
        for path in target.iterdir()
        if path.is_dir() and path.name.startswith("tbms-") and (path / MANIFEST).is_file()
    )
