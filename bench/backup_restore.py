"""Backup, restore and drill times for a 100,000-patient system, on scratch databases and a scratch bucket.

    nice uv run python bench/backup_restore.py [--patients 100000] [--objects 2000] [--keep]

Builds, beside the running stack (never touching tbms_<service> or the live bucket):
  tbms_bench_bk_patients  patients (one row per patient, the registration items as JSON), record_versions (three
                          edit-history rows per patient), lab_results (two per patient)
  tbms_bench_bk_contacts  contacts (three per patient) with their exposures as JSON
  tbms_bench_bk_audit     operation history (ten rows per patient)
  tbms-bench-bk           `--objects` PDF-sized files (40 KB each), a tenth of them with a second version
then runs `tbms backup` (which drills: restores into scratch databases and a bucket and compares everything) and
`tbms restore --prefix`, and prints the sizes and the seconds of each step. Everything is dropped at the end
unless --keep. The `tbms` command is run as an operator would (a bench does not import the tools).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from minio import Minio

ADMIN = "postgresql://tbms@127.0.0.1:55432/postgres"
DATABASES = {"patients": "tbms_bench_bk_patients", "contacts": "tbms_bench_bk_contacts", "audit": "tbms_bench_bk_audit"}
BUCKET = "tbms-bench-bk"
RESTORE_PREFIX = "tbms_bench_r_"
SURNAMES = ["試験", "架空", "見本", "仮野", "例田"]
GIVEN = ["太郎", "花子", "一郎", "次郎", "良子"]
CHUNK = 20_000


def dsn(database: str) -> str:
    return f"postgresql://tbms@127.0.0.1:55432/{database}"


def minio() -> Minio:
    return Minio("127.0.0.1:59000", access_key="tbms-local", secret_key="tbms-local-secret", secure=False)  # noqa: S106


async def recreate(name: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop(names: list[str]) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def copy_in(conn: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.copy_records_to_table(table, records=rows[start : start + CHUNK], columns=columns)


async def load_patients(count: int, rng: random.Random) -> list[uuid.UUID]:
    await recreate(DATABASES["patients"])
    conn = await asyncpg.connect(dsn(DATABASES["patients"]))
    try:
        await conn.execute(
            "CREATE TABLE patients (id uuid PRIMARY KEY, registration_no text UNIQUE, name text, name_kana text, "
            "birth_date date, sex text, district text, status text, items jsonb, version int, "
            "updated_at timestamptz);"
            "CREATE TABLE record_versions (id bigserial PRIMARY KEY, patient_id uuid, version int, changed_by text, "
            "changed_at timestamptz, content jsonb);"
            "CREATE TABLE lab_results (id uuid PRIMARY KEY, patient_id uuid, kind text, taken_on date, result text, "
            "detail jsonb);"
        )
        ids = [uuid.uuid4() for _ in range(count)]
        now = datetime.now(UTC)
        patients, versions, labs = [], [], []
        for n, pid in enumerate(ids):
            items = {
                "address": f"東京都架空区見本町{n % 999}-{n % 37}",
                "phone": f"03-5555-{n % 10000:04d}",
                "diagnosis": rng.choice(["肺結核", "肺外結核", "潜在性結核感染症"]),
                "notified_on": (date(2016, 1, 1) + timedelta(days=n % 3650)).isoformat(),
                "institution": f"見本病院{n % 300}",
                "note": "服薬支援継続中。" * (1 + n % 4),
            }
            name = f"{SURNAMES[n % 5]} {GIVEN[n // 5 % 5]}{n % 1000}"
            born = date(1930, 1, 1) + timedelta(days=n * 7 % 30000)
            patients.append(
                (
                    pid,
                    f"{2016 + n % 10}-{n:06d}",
                    name,
                    "シケン タロウ",
                    born,
                    "M" if n % 2 else "F",
                    f"第{n % 9}地区",
                    "登録中",
                    json.dumps(items, ensure_ascii=False),
                    3,
                    now,
                )
            )
            for version in (1, 2, 3):
                content = {**items, "version": version}
                versions.append((pid, version, "nurse1", now, json.dumps(content, ensure_ascii=False)))
            for kind in ("smear", "culture"):
                labs.append((uuid.uuid4(), pid, kind, born + timedelta(days=20000), "陰性", '{"grade": "-"}'))
        await copy_in(
            conn,
            "patients",
            "id registration_no name name_kana birth_date sex district status items version updated_at".split(),
            patients,
        )
        await copy_in(conn, "record_versions", "patient_id version changed_by changed_at content".split(), versions)
        await copy_in(conn, "lab_results", "id patient_id kind taken_on result detail".split(), labs)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return ids


async def load_contacts(ids: list[uuid.UUID], rng: random.Random) -> None:
    await recreate(DATABASES["contacts"])
    conn = await asyncpg.connect(dsn(DATABASES["contacts"]))
    try:
        await conn.execute(
            "CREATE TABLE contacts (id uuid PRIMARY KEY, index_patient_id uuid, name text, relation text, "
            "last_contact_on date, exposures jsonb)"
        )
        rows = [
            (
                uuid.uuid4(),
                pid,
                f"接触 {GIVEN[k]}{n % 100}",
                rng.choice(["家族", "職場", "学校"]),
                date(2025, 1, 1),
                json.dumps([{"setting": "household", "hours": 8 + k}], ensure_ascii=False),
            )
            for n, pid in enumerate(ids)
            for k in range(3)
        ]
        await copy_in(conn, "contacts", "id index_patient_id name relation last_contact_on exposures".split(), rows)
    finally:
        await conn.close()


async def load_audit(ids: list[uuid.UUID]) -> None:
    await recreate(DATABASES["audit"])
    conn = await asyncpg.connect(dsn(DATABASES["audit"]))
    try:
        await conn.execute(
            "CREATE TABLE operation_history (seq bigint PRIMARY KEY, occurred_at timestamptz, username text, "
            "operation text, person_id text, record_type text, hash text)"
        )
        now = datetime.now(UTC)
        rows = [
            (seq, now, "nurse1", "read", str(ids[seq % len(ids)]), "patient", f"{seq:064x}")
            for seq in range(1, 10 * len(ids) + 1)
        ]
        columns = "seq occurred_at username operation person_id record_type hash".split()
        await copy_in(conn, "operation_history", columns, rows)
    finally:
        await conn.close()


def load_objects(count: int, size: int) -> int:
    client = minio()
    remove_bucket(client)
    client.make_bucket(BUCKET)
    from minio.versioningconfig import ENABLED, VersioningConfig

    client.set_bucket_versioning(BUCKET, VersioningConfig(ENABLED))
    total = 0
    for n in range(count):
        for _version in range(2 if n % 10 == 0 else 1):
            data = b"%PDF-1.7\n" + os.urandom(size)
            client.put_object(
                BUCKET, f"forms/F03/{n:06d}.pdf", io.BytesIO(data), len(data), content_type="application/pdf"
            )
            total += len(data)
    return total


def remove_bucket(client: Minio, bucket: str = BUCKET) -> None:
    if not client.bucket_exists(bucket):
        return
    for item in client.list_objects(bucket, recursive=True, include_version=True):
        client.remove_object(bucket, item.object_name, version_id=item.version_id)
    client.remove_bucket(bucket)


async def database_sizes() -> dict[str, int]:
    conn = await asyncpg.connect(ADMIN)
    try:
        return {name: await conn.fetchval("SELECT pg_database_size($1)", name) for name in DATABASES.values()}
    finally:
        await conn.close()


def tbms(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run(["uv", "run", "tbms", *args], env=env, capture_output=True, text=True, check=False)  # noqa: S603, S607
    return time.monotonic() - started, done


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=2_000)
    parser.add_argument("--object-kb", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(20261203)  # noqa: S311 - synthetic data
    work = Path(tempfile.mkdtemp(prefix="tbms-bench-backup-"))
    target, keys = work / "target", work / "keys"
    env = {
        **os.environ,
        "TBMS_BACKUP_DATABASES": ",".join(f"{role}={name}" for role, name in DATABASES.items()),
        "TBMS_BACKUP_BUCKETS": BUCKET,
        "TBMS_BACKUP_KEYFILE": str(keys / "backup.key"),
        "TBMS_BACKUP_KEYCLOAK_H2": "",
    }
    try:
        started = time.monotonic()
        ids = await load_patients(args.patients, rng)
        await load_contacts(ids, rng)
        await load_audit(ids)
        object_bytes = await asyncio.to_thread(load_objects, args.objects, args.object_kb * 1024)
        print(f"dataset built in {time.monotonic() - started:.0f} s")
        sizes = await database_sizes()
        for name, size in sizes.items():
            print(f"  {name}: {size / 2**20:.0f} MiB")
        print(
            f"  {BUCKET}: {args.objects} files, {args.objects // 10} with a second version, "
            f"{object_bytes / 2**20:.0f} MiB"
        )

        elapsed, done = tbms(["backup", "--target", str(target)], env)
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:])
            raise SystemExit("backup or drill failed")
        backup = sorted(target.glob("tbms-*"))[-1]
        manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
        drill = json.loads((backup / "drill-report.json").read_text(encoding="utf-8"))
        encrypted = sum(part["size"] for part in manifest["parts"])
        print(f"backup: {manifest['seconds']:.1f} s, {len(manifest['parts'])} parts, {encrypted / 2**20:.0f} MiB")
        for part in manifest["parts"]:
            print(f"  {part['name']}: {part['seconds']:.1f} s, {part['size'] / 2**20:.1f} MiB")
        print(f"drill: {drill['seconds']['total']:.1f} s, {len(drill['checks'])} checks, ok={drill['ok']}")
        for step, seconds in drill["seconds"].items():
            print(f"  {step}: {seconds:.1f} s")
        print(f"tbms backup (backup + drill, wall clock with process start): {elapsed:.1f} s")

        elapsed, done = tbms(["restore", str(backup), "--prefix", RESTORE_PREFIX], env)
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:])
            raise SystemExit("restore failed")
        print(f"tbms restore --prefix (checksums, databases, objects; wall clock): {elapsed:.1f} s")
    finally:
        if not args.keep:
            await drop([*DATABASES.values(), *(RESTORE_PREFIX + name for name in DATABASES.values())])
            client = minio()
            remove_bucket(client)
            remove_bucket(client, (RESTORE_PREFIX + BUCKET).replace("_", "-"))
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
