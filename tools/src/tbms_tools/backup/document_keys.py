"""The people's document keys kept apart from the backup generations (N17 crypto-shredding in backups).

Every file about a person is sealed in the store with that person's data key (reports' `document_keys`, wrapped with
the deployment's key-encryption key). The generations never hold those keys: reports' dump leaves the table's rows
out, and each backup instead rewrites one key store beside the generations (`document-keys.enc`, sealed with the
backup key), the old one shredded. A restore of any generation takes the keys from the key store as it is now. So
once a person is erased (their key deleted in the live system) and the next backup has run, no copy of their key
exists anywhere: every generation's copy of their files stays unreadable, whatever is restored.

The second location (TBMS_BACKUP_COPY_BUCKET) gets the key store too, at its top beside the generations copied there,
so a restore from that bucket alone opens the documents; the versions it replaces there are removed (a bucket whose
object lock still holds them refuses, and they are counted: they go when their retention ends).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import asyncpg
from minio import Minio
from minio.error import S3Error
from tbms_core import document_sealing

from tbms_tools.backup import crypt
from tbms_tools.backup.settings import BackupSettings

ROLE = "reports"
TABLE = "document_keys"
STORE = "document-keys.enc"
COLUMNS = "person_id::text AS person_id, key_id, encode(wrapped, 'hex') AS wrapped, created_at::text AS created_at"


def store_path(target: Path) -> Path:
    """Where the key store lives: at the top of the backup target, outside every generation."""
    return target / STORE


def dump_arguments(role: str) -> list[str]:
    """pg_dump arguments that keep the data keys out of a generation (the table itself is dumped, empty)."""
    return [f"--exclude-table-data=public.{TABLE}"] if role == ROLE else []


async def _has_table(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval(f"SELECT to_regclass('public.{TABLE}') IS NOT NULL"))


async def save(settings: BackupSettings, database: str, key: bytes) -> int:
    """Rewrites the key store from the live table (the previous one shredded); returns how many keys it holds."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        found = await conn.fetch(f"SELECT {COLUMNS} FROM {TABLE}") if await _has_table(conn) else []  # noqa: S608
        rows = [dict(r) for r in found]
    finally:
        await conn.close()
    path = store_path(settings.target)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as handle, crypt.EncryptingWriter(handle, key) as writer:
        for row in rows:
            writer.write(json.dumps(row, sort_keys=True).encode() + b"\n")
    if path.exists():
        shred(path)
    temporary.replace(path)
    return len(rows)


def read(target: Path, key: bytes) -> list[dict[str, Any]]:
    """The keys in the store (none when there is no store)."""
    path = store_path(target)
    if not path.exists():
        return []
    return [json.loads(line) for line in crypt.decrypt_bytes(path, key).splitlines() if line.strip()]


async def load(settings: BackupSettings, database: str, target: Path, key: bytes) -> int:
    """Puts the key store's keys into a restored reports database (never one of a person erased there)."""
    rows = read(target, key)
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        if not await _has_table(conn):
            return 0
        loaded = 0
        async with conn.transaction():
            for row in rows:
                status = await conn.execute(
                    f"INSERT INTO {TABLE} (person_id, key_id, wrapped, created_at)"  # noqa: S608 - constant name
                    " SELECT $1::uuid, $2, decode($3, 'hex'), $4::text::timestamptz"
                    " WHERE NOT EXISTS (SELECT 1 FROM document_key_erasures WHERE person_id = $1::uuid)"
                    " ON CONFLICT DO NOTHING",
                    row["person_id"],
                    row["key_id"],
                    row["wrapped"],
                    row["created_at"],
                )
                loaded += int(status.split()[-1])
    finally:
        await conn.close()
    return loaded


def copy_store(client: Minio, bucket: str, target: Path) -> dict[str, Any]:
    """Uploads the key store to the top of the second bucket and removes the versions it replaces there."""
    path = store_path(target)
    if not path.exists():
        return {"copied": False, "superseded_removed": 0, "superseded_left": 0}
    written = client.fput_object(bucket, STORE, str(path))
    removed, left = _remove_versions(client, bucket, keep=written.version_id)
    return {"copied": True, "superseded_removed": removed, "superseded_left": left}


def fetch_store(client: Minio, bucket: str, target: Path) -> bool:
    """Downloads the second bucket's key store into a target that has none; True when it did."""
    path = store_path(target)
    if path.exists():
        return False
    try:
        client.stat_object(bucket, STORE)
    except S3Error as exc:
        if exc.code in ("NoSuchKey", "NoSuchObject"):
            return False
        raise
    temporary = path.with_suffix(".fetching")
    client.fget_object(bucket, STORE, str(temporary))
    temporary.replace(path)
    return True


def remove_copies(client: Minio, bucket: str) -> tuple[int, int]:
    """Removes every version of the key store from the second bucket; returns (removed, refused by object lock)."""
    return _remove_versions(client, bucket, keep=None)


def _remove_versions(client: Minio, bucket: str, *, keep: str | None) -> tuple[int, int]:
    removed = left = 0
    for item in list(client.list_objects(bucket, prefix=STORE, include_version=True)):
        if item.object_name != STORE or (keep is not None and item.version_id in (keep, None, "null")):
            continue
        try:
            client.remove_object(bucket, STORE, version_id=item.version_id)
            removed += 1
        except S3Error:
            left += 1
    return removed, left


def shred(path: Path) -> None:
    """Overwrites a file with random bytes (synced) and removes it."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(secrets.token_bytes(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


async def data_keys(settings: BackupSettings, database: str) -> dict[bytes, bytes]:
    """The people's document keys of a (restored) reports database, key id → key, unwrapped with the deployment's
    key-encryption key (TBMS_REPORTS_DOCUMENT_KEK)."""
    kek = document_sealing.kek_from_hex(settings.document_kek)
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        rows = await conn.fetch(f"SELECT person_id, key_id, wrapped FROM {TABLE}") if await _has_table(conn) else []  # noqa: S608
    finally:
        await conn.close()
    return {
        bytes.fromhex(row["key_id"]): document_sealing.unwrap(kek, row["person_id"], bytes(row["wrapped"]))
        for row in rows
    }


def opened(data: bytes, keys: dict[bytes, bytes]) -> bytes | None:
    """A file as the user stored it: a sealed one opened with its person's key (None once that key is gone)."""
    if not document_sealing.is_sealed(data):
        return data
    key = keys.get(document_sealing.key_id_of(data))
    return document_sealing.open_sealed(key, data) if key is not None else None
