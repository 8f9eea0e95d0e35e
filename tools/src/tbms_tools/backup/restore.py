"""`tbms restore <backup>`: checks every part first, then restores beside the running system or into an empty one.

Nothing is restored from a backup in which one part's size or SHA-256 differs from the manifest, or whose
manifest was changed: the message names the part. Into the real databases and bucket only when they are empty,
unless --force (which replaces them).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import shutil
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from tbms_tools.backup import crypt, document_keys, manifest, objects, pg
from tbms_tools.backup.settings import BackupSettings

# reports' rows that name a stored version (the printed forms, users' files, packages for sending)
VERSIONED_ROWS = (
    ("documents", "version_id"),
    ("attachment_files", "object_version_id"),
    ("document_packages", "version_id"),
)


class RestoreError(Exception):
    """The backup is refused, or the place to restore to is not empty."""


@dataclass
class Plan:
    """Where each part goes."""

    databases: dict[str, str]  # role → database to restore into
    buckets: dict[str, str]  # source bucket → bucket to restore into
    keycloak_h2: Path | None = None  # directory to write Keycloak's H2 files into
    config_dir: Path | None = None  # directory to unpack the configuration into


@dataclass
class Outcome:
    """What a restore did and how long each step took."""

    backup: str
    plan: Plan
    seconds: dict[str, float] = field(default_factory=dict)
    version_map: dict[tuple[str, str], str | None] = field(default_factory=dict)
    remapped_documents: int = 0
    document_keys: int = 0  # people's document keys put back from the key store kept apart


def bucket_name(name: str) -> str:
    """A valid S3 bucket name (lower case, digits, hyphens; 3–63 characters)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return cleaned[:63]


def scratch_plan(document: dict[str, Any], *, prefix: str = "", suffix: str = "", base: Path | None = None) -> Plan:
    """Scratch names beside the running system: <prefix><database><suffix>, and the same for buckets."""
    if not prefix and not suffix:
        raise RestoreError("作業用の名前には --prefix か --suffix が必要です（本番のデータベースには --into-live）。")
    databases = {role: f"{prefix}{state['database']}{suffix}" for role, state in document["databases"].items()}
    buckets = {
        bucket: bucket_name(f"{prefix}{bucket}{suffix}")
        for bucket, state in document["buckets"].items()
        if state.get("exists")
    }
    keycloak = base / "keycloak-h2" if base and document["keycloak"]["kind"] == "h2" else None
    return Plan(databases, buckets, keycloak, base / "config" if base else None)


def live_plan(document: dict[str, Any], *, keycloak_h2: Path | None = None, config_dir: Path | None = None) -> Plan:
    """The names the backup was taken from (a new machine, or a system whose data was lost)."""
    databases = {role: state["database"] for role, state in document["databases"].items()}
    buckets = {bucket: bucket for bucket, state in document["buckets"].items() if state.get("exists")}
    return Plan(databases, buckets, keycloak_h2, config_dir)


def verify(directory: Path, key: bytes) -> dict[str, Any]:
    """The manifest, once its signature and every part's size and SHA-256 are right; RestoreError naming the rest."""
    try:
        document = manifest.read(directory, key)
    except manifest.ManifestError as exc:
        raise RestoreError(str(exc)) from exc
    if document["key_id"] != crypt.key_id(key).hex():
        raise RestoreError("このバックアップは別の鍵で暗号化されています（鍵ファイルを確認してください）。")
    problems = manifest.check_parts(directory, document)
    if problems:
        lines = "\n".join(f"  - {problem.message}" for problem in problems)
        raise RestoreError(f"バックアップ {directory.name} は復元できません。次の部品が目録と一致しません:\n{lines}")
    return document


def find_part(document: dict[str, Any], **match: str) -> dict[str, Any] | None:
    """The first part of the manifest whose fields match (kind, role, bucket …)."""
    for part in document["parts"]:
        if all(part.get(name) == value for name, value in match.items()):
            return part
    return None


def _plain_chunks(directory: Path, part: dict[str, Any], key: bytes) -> Iterator[bytes]:
    """The plaintext of a part; at the end, checks it against the manifest's plaintext SHA-256."""
    digest = hashlib.sha256()
    with (directory / part["file"]).open("rb") as source:
        try:
            for chunk in crypt.decrypt_chunks(source, key):
                digest.update(chunk)
                yield chunk
        except crypt.DecryptError as exc:
            raise RestoreError(f"部品 {part['name']}: {exc}") from exc
    if digest.hexdigest() != part["plain_sha256"]:
        raise RestoreError(f"部品 {part['name']}: 復号した内容が目録の SHA-256 と一致しません。")


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self.chunks, self.pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def reader(directory: Path, part: dict[str, Any], key: bytes) -> io.BufferedReader:
    """A readable stream over a part's checked plaintext."""
    return io.BufferedReader(_ChunkReader(_plain_chunks(directory, part, key)), buffer_size=1024 * 1024)


async def check_targets(settings: BackupSettings, plan: Plan, *, force: bool) -> None:
    """Refuses databases that hold tables and buckets that hold objects, unless forced."""
    if force:
        return
    existing = await pg.existing_databases(settings)
    full = [name for name in plan.databases.values() if name in existing and await pg.user_tables(settings, name)]
    client = settings.s3.client() if plan.buckets else None
    full += [f"バケット {bucket}" for bucket in plan.buckets.values() if not objects.is_empty(client, bucket)]
    if plan.keycloak_h2 is not None and any(plan.keycloak_h2.glob("*.mv.db")):
        full.append(str(plan.keycloak_h2))
    if full:
        raise RestoreError(
            f"復元先が空ではありません: {', '.join(full)}。上書きするには --force を付けてください"
            "（上書きした内容は戻せません）。"
        )


async def restore_databases(
    directory: Path, document: dict[str, Any], key: bytes, settings: BackupSettings, plan: Plan, outcome: Outcome
) -> None:
    """Creates each target database (replacing it) and pg_restores its part into it; reports gets the people's
    document keys from the key store beside the generations."""
    version_num, _ = await pg.server_version(settings)
    bindir = pg.bindir_for(version_num)
    for role, database in plan.databases.items():
        part = find_part(document, kind="database", role=role)
        if part is None:
            raise RestoreError(f"目録に {role} のデータベース部品がありません。")
        started = time.monotonic()
        await pg.create_database(settings, database, replace=True)
        await asyncio.to_thread(pg.restore, settings, database, bindir, _plain_chunks(directory, part, key))
        outcome.seconds[f"db-{role}"] = round(time.monotonic() - started, 3)
    if document_keys.ROLE in plan.databases:  # the people's keys as they are now: never one of a person erased since
        database = plan.databases[document_keys.ROLE]
        outcome.document_keys = await document_keys.load(settings, database, directory.parent, key)


def restore_buckets(
    directory: Path, document: dict[str, Any], key: bytes, settings: BackupSettings, plan: Plan, outcome: Outcome
) -> None:
    """Replays each bucket's versions into its target bucket."""
    client = settings.s3.client()
    for source, bucket in plan.buckets.items():
        part = find_part(document, kind="bucket", bucket=source)
        if part is None:
            raise RestoreError(f"目録にバケット {source} の部品がありません。")
        started = time.monotonic()
        with reader(directory, part, key) as stream:
            outcome.version_map.update(objects.restore_bucket(client, bucket, stream))
        outcome.seconds[f"s3-{source}"] = round(time.monotonic() - started, 3)


async def remap_documents(settings: BackupSettings, plan: Plan, outcome: Outcome) -> int:
    """Points reports' documents at the version ids the restored store gave (a store cannot keep the old ids)."""
    database = plan.databases.get("reports")
    if database is None or not outcome.version_map:
        return 0
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        if not await conn.fetchval("SELECT to_regclass('public.documents') IS NOT NULL"):
            return 0
        tables = [
            (table, column)
            for table, column in VERSIONED_ROWS
            if await conn.fetchval(f"SELECT to_regclass('public.{table}') IS NOT NULL")
        ]
        changed = 0
        async with conn.transaction():
            for (object_key, old), new in outcome.version_map.items():
                for table, column in tables:
                    status = await conn.execute(
                        f"UPDATE {table} SET {column} = $3 WHERE object_key = $1 AND {column} = $2",  # noqa: S608
                        object_key,
                        old,
                        new,
                    )
                    changed += int(status.split()[-1])
    finally:
        await conn.close()
    outcome.remapped_documents = changed
    return changed


def unpack(directory: Path, part: dict[str, Any], key: bytes, destination: Path, *, flat: bool) -> list[str]:
    """Unpacks a tar part (Keycloak's H2 files flat, the configuration with its paths); returns the names."""
    destination.mkdir(parents=True, exist_ok=True)
    names = []
    with reader(directory, part, key) as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            data = handle.read() if handle else b""
            relative = Path(Path(member.name).name if flat else member.name)
            if relative.is_absolute() or ".." in relative.parts:
                raise RestoreError(f"部品 {part['name']} に不正なパス {member.name} があります。")
            path = destination / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            names.append(member.name)
    return names


def restore_files(directory: Path, document: dict[str, Any], key: bytes, plan: Plan, outcome: Outcome) -> None:
    """Writes Keycloak's H2 store and the configuration where the plan says."""
    h2 = find_part(document, kind="keycloak-h2")
    if h2 is not None and plan.keycloak_h2 is not None:
        started = time.monotonic()
        unpack(directory, h2, key, plan.keycloak_h2, flat=True)
        outcome.seconds["keycloak-h2"] = round(time.monotonic() - started, 3)
    settings_part = find_part(document, kind="config")
    if settings_part is not None and plan.config_dir is not None:
        started = time.monotonic()
        if plan.config_dir.exists():
            shutil.rmtree(plan.config_dir)
        unpack(directory, settings_part, key, plan.config_dir, flat=False)
        outcome.seconds["config"] = round(time.monotonic() - started, 3)


async def restore(directory: Path, settings: BackupSettings, plan: Plan, *, force: bool = False) -> Outcome:
    """Verifies the backup, checks the targets are empty (or forced), then restores every part of the plan."""
    key = crypt.load_or_create_key(settings.key_file, forbidden=directory, create=False)
    document = verify(directory, key)
    await check_targets(settings, plan, force=force)
    outcome = Outcome(document["id"], plan)
    started = time.monotonic()
    await restore_databases(directory, document, key, settings, plan, outcome)
    await asyncio.to_thread(restore_buckets, directory, document, key, settings, plan, outcome)
    await remap_documents(settings, plan, outcome)
    restore_files(directory, document, key, plan, outcome)
    outcome.seconds["total"] = round(time.monotonic() - started, 3)
    return outcome
