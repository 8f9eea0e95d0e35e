"""`tbms backup`: every database, every object version, Keycloak's store and the configuration, encrypted (R31, N06).

The backup is written into `<target>/.partial-<id>/` and renamed to `<target>/<id>/` only when every part and the
manifest are on disk: a directory named `tbms-…` is always a complete backup, and a failed run leaves no
directory that could pass for a good one.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tbms_tools import config
from tbms_tools.backup import crypt, document_keys, keycloak_store, manifest, objects, patient_sample, pg
from tbms_tools.backup.settings import BackupSettings, with_keycloak_database

LAST_RESULT = "last-result.json"
ALERT_PREFIX = "ALERT tbms-backup:"


class BackupError(Exception):
    """The backup could not be completed (nothing that looks finished was left behind)."""


@dataclass
class _Sealed:
    """An open encrypted part file."""

    name: str
    kind: str
    relative: str
    path: Path
    handle: Any
    writer: crypt.EncryptingWriter
    started: float

    def finish(self, **extra: Any) -> dict[str, Any]:
        """Closes the part; returns its manifest entry."""
        self.writer.close()
        self.handle.close()
        return {
            "name": self.name,
            "kind": self.kind,
            "file": self.relative,
            "size": self.writer.sealed_size,
            "sha256": self.writer.sealed_sha.hexdigest(),
            "plain_size": self.writer.plain_size,
            "plain_sha256": self.writer.plain_sha.hexdigest(),
            "seconds": round(time.monotonic() - self.started, 3),
            **extra,
        }


def _open_part(directory: Path, name: str, kind: str, suffix: str, key: bytes) -> _Sealed:
    relative = f"parts/{name}{suffix}.enc"
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("wb")
    return _Sealed(name, kind, relative, path, handle, crypt.EncryptingWriter(handle, key), time.monotonic())


def alert(message: str) -> None:
    """One line an operator's log watcher (and the operations page) can find."""
    print(f"{ALERT_PREFIX} {message}", file=sys.stderr, flush=True)


def write_last_result(target: Path, result: dict[str, Any]) -> None:
    """Notes the outcome of the last backup or drill at the target's top (what `status()` reads)."""
    target.mkdir(parents=True, exist_ok=True)
    temporary = target / (LAST_RESULT + ".tmp")
    temporary.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    temporary.replace(target / LAST_RESULT)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=config.repo_root(), capture_output=True, text=True, check=False
        )
    except (OSError, RuntimeError):
        return None
    return out.stdout.strip() or None


def _add_tree(
    archive: tarfile.TarFile, path: Path, listing: list[dict[str, Any]], relative_to: Path | None = None
) -> None:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        data = file.read_bytes()
        name = str(file.relative_to(relative_to)) if relative_to else str(file.resolve()).lstrip("/")
        archive.addfile(_member(name, len(data), file.stat().st_mtime), io.BytesIO(data))
        listing.append({"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.size, member.mtime, member.mode = size, int(mtime), 0o600
    return member


def _tar_part(
    directory: Path, name: str, kind: str, key: bytes, paths: list[Path], relative_to: Path | None = None
) -> dict[str, Any]:
    part = _open_part(directory, name, kind, ".tar", key)
    listing: list[dict[str, Any]] = []
    with tarfile.open(fileobj=part.writer, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for path in paths:
            _add_tree(archive, path, listing, relative_to)
    return part.finish(files=listing)


def _keycloak_h2_part(work: Path, key: bytes, source: Path) -> dict[str, Any]:
    """Copies the store files first (one moment for all of them), seals the copies, then opens them to count users
    and credentials: a copy that does not open is reported in the manifest, and the drill flags it."""
    with tempfile.TemporaryDirectory(prefix="tbms-kc-") as scratch:
        copies = []
        for file in sorted(source.glob("*.mv.db")):
            copies.append(Path(scratch) / file.name)
            shutil.copyfile(file, copies[-1])
        part = _tar_part(work, "keycloak-h2", "keycloak-h2", key, copies, relative_to=Path(scratch))
        store = Path(scratch) / "keycloakdb.mv.db"
        try:
            part["store"] = (
                keycloak_store.summary(store) if store.is_file() else {"error": "keycloakdb.mv.db がありません"}
            )
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            part["store"] = {"error": str(exc)}
    return part


async def _databases(settings: BackupSettings) -> dict[str, str]:
    existing = await pg.existing_databases(settings)
    databases = with_keycloak_database(settings.databases, existing)
    missing = sorted(name for name in databases.values() if name not in existing)
    if missing:
        raise BackupError(f"データベース {', '.join(missing)} がありません。")
    return databases


async def create(settings: BackupSettings, *, now: datetime | None = None) -> Path:
    """Takes one backup into the settings' target; returns its directory."""
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    target = settings.target
    target.mkdir(parents=True, exist_ok=True)
    key = crypt.load_or_create_key(settings.key_file, forbidden=target)
    name = manifest.backup_id(started)
    if (target / name).exists():
        raise BackupError(f"バックアップ {name} は既にあります。")
    work = target / f"{manifest.PARTIAL_PREFIX}{name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        document = await _collect(settings, key, work, name, started)
        document["seconds"] = round(time.monotonic() - clock, 3)
        document["finished_at"] = manifest.times(datetime.now(UTC))
        manifest.write(work, document, key)
        work.rename(target / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target / name


async def _collect(settings: BackupSettings, key: bytes, work: Path, name: str, started: datetime) -> dict[str, Any]:
    version_num, version_text = await pg.server_version(settings)
    bindir = pg.bindir_for(version_num)
    parts: list[dict[str, Any]] = []
    databases: dict[str, Any] = {}
    sample: dict[str, Any] | None = None
    for role, database in (await _databases(settings)).items():
        part = _open_part(work, f"db-{role}", "database", ".dump", key)
        state = await pg.dump(settings, database, bindir, part.writer, extra=document_keys.dump_arguments(role))
        parts.append(part.finish(role=role, database=database))
        databases[role] = state
        if role == document_keys.ROLE:
            state["document_keys_apart"] = {
                "store": document_keys.STORE,
                "keys": await document_keys.save(settings, database, key),
            }
        if role == patient_sample.ROLE:  # right after the dump: few saves come between
            sample = await patient_sample.take(settings, database)
    buckets: dict[str, Any] = {}
    client = settings.s3.client() if settings.buckets else None
    for bucket in settings.buckets:
        assert client is not None
        if not await asyncio.to_thread(client.bucket_exists, bucket):
            buckets[bucket] = {"exists": False}
            continue
        part = _open_part(work, f"s3-{bucket}", "bucket", ".tar", key)
        summary = await asyncio.to_thread(objects.backup_bucket, client, bucket, part.writer)
        parts.append(part.finish(bucket=bucket))
        buckets[bucket] = {"exists": True, **summary}
    keycloak: dict[str, Any] = {"kind": "database" if "keycloak" in databases else "none"}
    if settings.keycloak_h2 is not None and settings.keycloak_h2.is_dir():
        parts.append(_keycloak_h2_part(work, key, settings.keycloak_h2))
        keycloak = {"kind": "h2", "source": str(settings.keycloak_h2), "store": parts[-1].get("store")}
    if settings.config_paths:
        parts.append(_tar_part(work, "config", "config", key, settings.config_paths))
    return {
        "format": manifest.FORMAT,
        "id": name,
        "started_at": manifest.times(started),
        "key_id": crypt.key_id(key).hex(),
        "encryption": "AES-256-GCM, 1 MiB chunks, key file outside the backup",
        "source": {
            "host": socket.gethostname(),
            "git_commit": _git_commit(),
            "postgres_server": version_text,
            "pg_dump": str(bindir / "pg_dump"),
            "keycloak_version": config.keycloak_version(),
        },
        "parts": parts,
        "databases": databases,
        "buckets": buckets,
        "keycloak": keycloak,
        **({"patient_sample": sample} if sample is not None else {}),
    }


def copy_to_bucket(directory: Path, settings: BackupSettings, bucket: str) -> int:
    """Uploads a finished backup to a second S3 bucket (another site, or one with object lock), then the people's
    document key store beside it (the versions it replaces removed where the bucket allows); returns files sent."""
    client = settings.s3.client()
    if not client.bucket_exists(bucket):
        raise BackupError(f"複製先のバケット {bucket} がありません（オブジェクトロック付きで事前に作成してください）。")
    sent = 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        client.fput_object(bucket, f"{directory.name}/{path.relative_to(directory)}", str(path))
        sent += 1
    keys = document_keys.copy_store(client, bucket, settings.target)
    if keys["superseded_left"]:
        print(
            f"第二の保管先の以前の文書の鍵の保管庫 {keys['superseded_left']} 版は、オブジェクトロックの保存期間が"
            "終わるまで削除できません。"
        )
    return sent + int(keys["copied"])


def fetch_from_bucket(settings: BackupSettings, bucket: str, name: str | None) -> Path:
    """Downloads one generation (the newest when none is named) from the second bucket into the target, and the
    people's document key store when the target has none (a new machine); returns the generation's folder."""
    client = settings.s3.client()
    if not client.bucket_exists(bucket):
        raise BackupError(f"第二の保管先のバケット {bucket} がありません。")
    names = sorted(
        item.object_name.rstrip("/")
        for item in client.list_objects(bucket)
        if item.is_dir and item.object_name.startswith("tbms-")
    )
    chosen = Path(name).name if name else (names[-1] if names else None)
    if chosen is None or chosen not in names:
        raise BackupError(f"第二の保管先 {bucket} にバックアップ {chosen or ''} がありません。")
    settings.target.mkdir(parents=True, exist_ok=True)
    directory = settings.target / chosen
    if not (directory / manifest.MANIFEST).is_file():
        partial = settings.target / f".partial-fetch-{chosen}"
        shutil.rmtree(partial, ignore_errors=True)
        for item in client.list_objects(bucket, prefix=f"{chosen}/", recursive=True):
            client.fget_object(bucket, item.object_name, str(partial / item.object_name[len(chosen) + 1 :]))
        shutil.rmtree(directory, ignore_errors=True)
        partial.rename(directory)
    if document_keys.fetch_store(client, bucket, settings.target):
        print(f"文書の鍵の保管庫を第二の保管先 {bucket} から取得しました。")
    return directory
