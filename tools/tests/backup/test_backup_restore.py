"""`tbms backup`, `tbms restore` and the drill against the real PostgreSQL and MinIO, on a scratch system.

Proves: backup → restore gives the same tables and objects (and documents open at their new version ids); a
corrupted part is refused by restore and found by the drill; a deleted row is found by the comparison; the key
stays outside the backup and the parts cannot be read without it.

The live databases tbms_<service> and the live bucket are only ever read (the identity history's first rows);
everything a test writes, restores or breaks lives in tbms_bk_<random>_* databases and tbms-bk-<random> buckets,
dropped at the end.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from tbms_testing.scratch import free_port
from tbms_tools import cli, config
from tbms_tools.backup import (
    backup,
    commands,
    crypt,
    drill,
    erase,
    export,
    keycloak_store,
    manifest,
    objects,
    patient_sample,
    pg,
    restore,
)
from tbms_tools.backup.settings import S3, BackupSettings

LIVE_IDENTITY = f"postgresql://{config.PG_USER}@{config.HOST}:{config.PG_PORT}/tbms_identity"
HISTORY_ROWS = 5
SECRET_MARKER = "ヒミツの内容-PLAINTEXT-MARKER"


@dataclass
class Source:
    """The scratch system: settings that back it up, and what it holds."""

    tag: str
    settings: BackupSettings
    bucket: str
    root: Path

    @property
    def databases(self) -> dict[str, str]:
        """Role → scratch database."""
        return self.settings.databases


def _migrate(service: str, database: str) -> None:
    env = {**os.environ, **config.service_env(service)}
    env[f"TBMS_{service.upper()}_DATABASE_URL"] = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"
    ini = config.repo_root() / "services" / service / "alembic.ini"
    argv = [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"]
    subprocess.run(argv, env=env, check=True, cwd=config.repo_root(), capture_output=True)


async def _copy_history(database: str) -> None:
    """The live stack's first operation-history rows (read only) into a migrated scratch identity database."""
    live = await asyncpg.connect(LIVE_IDENTITY)
    try:
        checkpoint = await live.fetchrow("SELECT seq, hash FROM audit_chain_checkpoint")
        query = "SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        rows = await live.fetch(query, checkpoint["seq"], HISTORY_ROWS)
    finally:
        await live.close()
    if not rows:
        pytest.skip("the running stack has no operation history yet")
    conn = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:55432/{database}")
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
            await conn.copy_records_to_table("audit_events", records=rows, columns=list(rows[0].keys()))
            await conn.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")
            mark = ("UPDATE audit_chain_checkpoint SET seq = $1, hash = $2", checkpoint["seq"], checkpoint["hash"])
            await conn.execute(*mark)
            await conn.execute("UPDATE audit_chain_head SET seq = $1, hash = $2", rows[-1]["seq"], rows[-1]["hash"])
    finally:
        await conn.close()


async def _fill_patients(database: str, count: int = 300) -> None:
    conn = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:55432/{database}")
    try:
        await conn.execute(
            "CREATE TABLE patients (id serial PRIMARY KEY, name text NOT NULL, kana text, born date, "
            "details jsonb, updated_at timestamptz DEFAULT now())"
        )
        await conn.execute("CREATE TABLE patient_history (id bigserial PRIMARY KEY, patient_id int, change text)")
        insert = "INSERT INTO patients (name, kana, born, details) VALUES ($1, $2, make_date(1950 + $3, 4, 1), $4)"
        details = json.dumps({"district": "第1地区", "note": SECRET_MARKER}, ensure_ascii=False)
        await conn.executemany(insert, [(f"試験 太郎{i}", f"シケン タロウ{i}", i % 60, details) for i in range(count)])
        await conn.execute("INSERT INTO patient_history (patient_id, change) SELECT id, 'registered' FROM patients")
    finally:
        await conn.close()


def _fill_bucket(settings: BackupSettings, bucket: str) -> list[tuple[str, str | None, bytes]]:
    """Two versions of one form, a second form later deleted (a delete marker), a third one."""
    client = settings.s3.client()
    objects.ensure_bucket(client, bucket)
    stored = []
    for key, data in (
        ("forms/F03/a.pdf", b"%PDF-1.7 first version " + SECRET_MARKER.encode()),
        ("forms/F03/a.pdf", b"%PDF-1.7 second version " + SECRET_MARKER.encode()),
        ("forms/F03/b.pdf", b"%PDF-1.7 to be deleted"),
        ("forms/F01/c.pdf", b"%PDF-1.7 " + os.urandom(2000)),
    ):
        result = client.put_object(
            bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type="application/pdf",
            metadata={"sha256": "x", "kind": "F03"},
        )
        stored.append((key, result.version_id, data))
    client.remove_object(bucket, "forms/F03/b.pdf")
    return stored


async def _fill_documents(database: str, stored: list[tuple[str, str | None, bytes]]) -> None:
    conn = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:55432/{database}")
    try:
        for key, version_id, data in (stored[1], stored[3]):  # the documents point at the newest versions
            await conn.execute(
                "INSERT INTO documents (id, kind, patient_id, owner_type, owner_id, object_key, version_id, sha256, "
                "size, content_type, template_version, created_by, created_by_name, created_at) "
                "VALUES ($1, 'F03', $2, 'patient', $2, $3, $4, $5, $6, 'application/pdf', 't1', 'u1', '試験', now())",
                uuid.uuid4(),
                uuid.uuid4(),
                key,
                version_id,
                hashlib.sha256(data).hexdigest(),
                len(data),
            )
    finally:
        await conn.close()


def _keycloak_store(directory: Path) -> Path:
    """A Keycloak-shaped H2 store (users, password and TOTP credentials) made with the distribution's H2 engine."""
    jar, java = keycloak_store.h2_jar(), keycloak_store.java()
    if jar is None or java is None:
        pytest.skip("no Keycloak distribution or Java (scripts/bootstrap.sh installs them)")
    directory.mkdir(parents=True)
    sql = (
        "CREATE TABLE USER_ENTITY(ID VARCHAR(36) PRIMARY KEY, USERNAME VARCHAR(255), REALM_ID VARCHAR(36));"
        "CREATE TABLE CREDENTIAL(ID VARCHAR(36) PRIMARY KEY, USER_ID VARCHAR(36), TYPE VARCHAR(255),"
        " SECRET_DATA VARCHAR(4000), CREDENTIAL_DATA VARCHAR(4000));"
        "INSERT INTO USER_ENTITY VALUES ('u1', 'nurse-test', 'tbms'), ('u2', 'admin-test', 'tbms');"
        "INSERT INTO CREDENTIAL VALUES ('c1', 'u1', 'password', '{\"value\":\"h1\"}', '{}'),"
        " ('c2', 'u1', 'otp', '{\"value\":\"JBSWY3DPEHPK3PXP\"}', '{}'), ('c3', 'u2', 'password', '{}', '{}'),"
        " ('c4', 'u2', 'otp', '{\"value\":\"KRSXG5CTMVRXEZLU\"}', '{}')"
    )
    url = f"jdbc:h2:file:{directory / 'keycloakdb'};NON_KEYWORDS=VALUE"
    argv = [java, "-cp", str(jar), "org.h2.tools.Shell", "-url", url, "-user", "", "-password", "", "-sql", sql]
    subprocess.run(argv, check=True, capture_output=True)
    return directory


@pytest.fixture(scope="module")
async def source(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Source]:
    """Scratch identity (real migrations, a copy of the live history's first rows), reports (real migrations,
    documents pointing at stored versions), patients (synthetic rows), a versioned bucket, a fake Keycloak H2 store
    and a configuration file; a backup target and a key file in separate temporary folders."""
    tag = secrets.token_hex(3)
    root = tmp_path_factory.mktemp("backup")
    databases = {role: f"tbms_bk_{tag}_{role}" for role in ("identity", "reports", "patients")}
    h2 = _keycloak_store(root / "keycloak-h2")
    settings_file = root / "deployment.env"
    settings_file.write_text("TBMS_EXAMPLE=1\n")
    settings = BackupSettings(
        target=root / "target",
        key_file=root / "keys" / "backup.key",
        databases=databases,
        buckets=[f"tbms-bk-{tag}"],
        keycloak_h2=h2,
        config_paths=[settings_file],
        s3=S3(),
        copy_bucket=None,
    )
    bucket = settings.buckets[0]
    try:
        for database in databases.values():
            await pg.create_database(settings, database, replace=True)
        _migrate("identity", databases["identity"])
        _migrate("reports", databases["reports"])
        await _copy_history(databases["identity"])
        await _fill_patients(databases["patients"])
        stored = _fill_bucket(settings, bucket)
        await _fill_documents(databases["reports"], stored)
        yield Source(tag, settings, bucket, root)
    finally:
        for database in databases.values():
            await pg.drop_database(settings, database)
        objects.remove_bucket(settings.s3.client(), bucket)


@pytest.fixture(scope="module")
async def taken(source: Source) -> Path:
    """One backup of the scratch system, drilled as `tbms backup` does."""
    directory, status = await commands.backup_and_drill(source.settings)
    assert status == 0
    assert directory is not None
    return directory


@pytest.fixture
async def restored(source: Source, taken: Path) -> AsyncIterator[restore.Outcome]:
    """The backup restored beside the system under a suffix; dropped afterwards."""
    document = manifest.read(taken)
    plan = restore.scratch_plan(document, suffix="_r", base=source.root / "restored")
    try:
        yield await restore.restore(taken, source.settings, plan)
    finally:
        await drill.cleanup(source.settings, plan)


def broken_copy(taken: Path, where: Path, part_name: str) -> Path:
    """A copy of the backup with one byte of one part flipped."""
    copy = where / taken.name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(taken, copy)
    document = manifest.read(copy)
    part = next(p for p in document["parts"] if p["name"] == part_name)
    path = copy / part["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return copy


@pytest.mark.req("R31", partial=True)
@pytest.mark.req("N06", partial=True)
class TestBackupAndRestore:
    """Every database, object version, Keycloak store and configuration file comes back as it was."""

    def test_the_backup_holds_every_part_with_its_checksum(self, source: Source, taken: Path) -> None:
        document = manifest.read(taken)
        names = {part["name"] for part in document["parts"]}
        assert names == {"db-identity", "db-reports", "db-patients", f"s3-{source.bucket}", "keycloak-h2", "config"}
        assert not manifest.check_parts(taken, document)
        assert document["databases"]["patients"]["tables"]["public.patients"]["rows"] == 300
        assert document["databases"]["reports"]["alembic_heads"]
        assert document["buckets"][source.bucket] | {"digest": ""} == {
            "exists": True,
            "versions": 4,
            "delete_markers": 1,
            "keys": 3,
            "digest": "",
            "bytes": document["buckets"][source.bucket]["bytes"],
        }
        store = document["keycloak"]["store"]
        assert (store["users"], store["credentials"]) == (2, {"otp": 2, "password": 2})
        assert document["started_at"]["jst"].endswith("+09:00")
        assert document["source"]["postgres_server"]

    def test_the_drill_after_the_backup_matched_everything(self, taken: Path) -> None:
        report = json.loads((taken / manifest.DRILL_JSON).read_text(encoding="utf-8"))
        assert report["ok"], report
        whats = [check["what"] for check in report["checks"]]
        assert "操作履歴のハッシュチェーン（identity）" in whats
        assert "文書（reports.documents → オブジェクト）" in whats
        assert "patients: public.patients" in whats
        assert "Keycloak の利用者と認証情報（パスワード・TOTP）" in whats
        sample = next(check for check in report["checks"] if check["what"] == patient_sample.WHAT)
        assert sample["ok"] is None  # the scratch patients table is no service's: not a pass, and no alert
        assert any(what.startswith("バケット ") for what in whats)
        assert "リストア訓練報告" in (taken / manifest.DRILL_TEXT).read_text(encoding="utf-8")
        assert report["seconds"]["total"] > 0

    async def test_a_restore_beside_the_system_is_identical(
        self, source: Source, taken: Path, restored: restore.Outcome
    ) -> None:
        document = manifest.read(taken)
        for role, database in restored.plan.databases.items():
            tables = await pg.table_fingerprints(source.settings, database)
            expected = document["databases"][role]["tables"]
            if role == "reports":  # the restored store gave new version ids, and the documents point at them
                assert tables.pop("public.documents")["rows"] == expected.pop("public.documents")["rows"] == 2
            assert tables == expected
        client = source.settings.s3.client()
        summary = objects.summarize(client, restored.plan.buckets[source.bucket])
        assert summary == {k: v for k, v in document["buckets"][source.bucket].items() if k != "exists"}
        assert restored.remapped_documents == 2
        assert (restored.plan.keycloak_h2 / "keycloakdb.mv.db").read_bytes() == (
            source.settings.keycloak_h2 / "keycloakdb.mv.db"
        ).read_bytes()

    async def test_a_restore_into_databases_that_hold_data_is_refused(self, source: Source, taken: Path) -> None:
        plan = restore.live_plan(manifest.read(taken))  # the scratch source's own databases: they hold data
        with pytest.raises(restore.RestoreError, match="復元先が空ではありません"):
            await restore.restore(taken, source.settings, plan)

    def test_backups_are_listed_and_the_status_says_how_old_the_last_good_one_is(
        self, source: Source, taken: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        state = commands.status(source.settings.target)
        assert state["ok"] and state["last_good_backup"] == taken.name and state["age_hours"] < 1
        assert cli.main(["backup", "--target", str(source.settings.target), "list"]) == 0
        assert "訓練一致" in capsys.readouterr().out
        assert cli.main(["backup", "--target", str(source.settings.target), "status", "--check", "--metrics"]) == 0
        assert "tbms_backup_ok 1" in capsys.readouterr().out


@pytest.mark.req("R31", partial=True)
@pytest.mark.req("N06", partial=True)
class TestTheDrillFindsDifferences:
    """A backup that would not restore, or a restore that lost something, is found and alerted."""

    async def test_a_corrupted_part_is_refused_by_restore_with_its_name(self, source: Source, taken: Path) -> None:
        copy = broken_copy(taken, source.root / "broken", "db-patients")
        plan = restore.scratch_plan(manifest.read(copy), prefix="tbms_never_")
        with pytest.raises(restore.RestoreError) as refused:
            await restore.restore(copy, source.settings, plan)
        assert "db-patients" in str(refused.value)
        assert "SHA-256 が一致しません" in str(refused.value)
        existing = await pg.existing_databases(source.settings)
        assert not any(name.startswith("tbms_never_") for name in existing)  # nothing was restored

    async def test_the_drill_finds_a_corrupted_part_and_alerts(
        self, source: Source, taken: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        copy = broken_copy(taken, source.root / "broken-drill", f"s3-{source.bucket}")
        report = await drill.run(copy, source.settings)
        assert not report.ok
        assert f"s3-{source.bucket}" in report.differences[0].detail
        assert backup.ALERT_PREFIX in capsys.readouterr().err
        assert json.loads((copy / manifest.DRILL_JSON).read_text(encoding="utf-8"))["ok"] is False

    async def test_a_part_altered_with_its_checksum_updated_still_fails_to_decrypt(
        self, source: Source, taken: Path
    ) -> None:
        copy = broken_copy(taken, source.root / "rehashed", "db-patients")
        document = json.loads((copy / manifest.MANIFEST).read_text(encoding="utf-8"))
        part = next(p for p in document["parts"] if p["name"] == "db-patients")
        part["sha256"] = crypt.file_sha256(copy / part["file"])
        (copy / manifest.MANIFEST).write_text(json.dumps(document), encoding="utf-8")
        report = await drill.run(copy, source.settings)
        assert not report.ok
        assert "書き換えられています" in report.differences[0].detail  # the manifest's signature no longer holds

    async def test_a_row_deleted_after_the_restore_is_found_by_the_comparison(
        self, source: Source, taken: Path, restored: restore.Outcome
    ) -> None:
        database = restored.plan.databases["patients"]
        conn = await asyncpg.connect(source.settings.dsn(database))
        try:
            await conn.execute("DELETE FROM patient_history WHERE id = (SELECT min(id) FROM patient_history)")
        finally:
            await conn.close()
        report = drill.Report(taken.name, manifest.times(datetime.now(UTC)))
        expected = manifest.read(taken)["databases"]["patients"]["tables"]
        drill.compare_tables("patients", expected, await pg.table_fingerprints(source.settings, database), report)
        assert [(c.what, c.detail) for c in report.differences] == [
            ("patients: public.patient_history", "行数 300 → 299")
        ]

    async def test_a_changed_value_is_found_even_when_the_count_is_the_same(
        self, source: Source, taken: Path, restored: restore.Outcome
    ) -> None:
        database = restored.plan.databases["patients"]
        conn = await asyncpg.connect(source.settings.dsn(database))
        try:
            await conn.execute("UPDATE patients SET kana = 'カイザン' WHERE id = 7")
        finally:
            await conn.close()
        report = drill.Report(taken.name, manifest.times(datetime.now(UTC)))
        expected = manifest.read(taken)["databases"]["patients"]["tables"]
        drill.compare_tables("patients", expected, await pg.table_fingerprints(source.settings, database), report)
        assert [c.what for c in report.differences] == ["patients: public.patients"]
        assert "チェックサム" in report.differences[0].detail


@pytest.mark.req("N16", partial=True)
@pytest.mark.req("N23", partial=True)
class TestTheKeyStaysApart:
    """Backups are encrypted; the key is not in them, and without it they cannot be read."""

    def test_the_key_file_is_outside_the_backup_and_private(self, source: Source, taken: Path) -> None:
        key_file = source.settings.key_file
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert source.settings.target.resolve() not in key_file.resolve().parents
        key = crypt.load_or_create_key(key_file, create=False)
        needles = (key, key.hex().encode(), key_file.read_bytes().strip())
        for path in (p for p in source.settings.target.rglob("*") if p.is_file()):
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path

    def test_a_key_file_inside_the_backup_target_is_refused(self, source: Source) -> None:
        with pytest.raises(crypt.KeyError_, match="バックアップの外に置いてください"):
            crypt.load_or_create_key(source.settings.target / "backup.key", forbidden=source.settings.target)

    def test_the_parts_hold_no_plaintext(self, taken: Path) -> None:
        for part in manifest.read(taken)["parts"]:
            data = (taken / part["file"]).read_bytes()
            assert SECRET_MARKER.encode() not in data
            assert b"%PDF" not in data

    def test_without_the_key_the_parts_do_not_open(self, source: Source, taken: Path) -> None:
        other = crypt.load_or_create_key(source.root / "other-keys" / "other.key")
        for part in manifest.read(taken)["parts"]:
            with pytest.raises(crypt.DecryptError, match="別の鍵"):
                crypt.decrypt_bytes(taken / part["file"], other)

    async def test_a_restore_with_another_key_is_refused(self, source: Source, taken: Path) -> None:
        other = BackupSettings(**{**source.settings.__dict__, "key_file": source.root / "k2" / "k.key"})
        crypt.load_or_create_key(other.key_file)
        with pytest.raises(restore.RestoreError):
            await restore.restore(taken, other, restore.scratch_plan(manifest.read(taken), prefix="tbms_never_"))

    def test_a_copy_goes_to_a_second_bucket(self, source: Source, taken: Path) -> None:
        client = source.settings.s3.client()
        second = f"tbms-bk-{source.tag}-copy"
        objects.ensure_bucket(client, second)
        try:
            sent = backup.copy_to_bucket(taken, source.settings, second)
            names = {item.object_name for item in client.list_objects(second, recursive=True)}
            assert f"{taken.name}/{manifest.MANIFEST}" in names
            assert len(names) == sent
        finally:
            objects.remove_bucket(client, second)


def test_a_failed_backup_leaves_no_backup_and_the_status_says_so(
    source: Source, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = BackupSettings(**{**source.settings.__dict__, "target": source.root / "failing"})
    settings.databases = {"patients": f"tbms_bk_{source.tag}_missing"}
    directory, status = asyncio.run(commands.backup_and_drill(settings))
    assert (directory, status) == (None, 1)
    assert not list(settings.target.glob("tbms-*")) and not list(settings.target.glob(".partial-*"))
    assert backup.ALERT_PREFIX in capsys.readouterr().err
    state = commands.status(settings.target)
    assert state["ok"] is False and "失敗" in state["message"]
    assert cli.main(["backup", "--target", str(settings.target), "status", "--check"]) == 1


@pytest.fixture(scope="module")
async def handed_back(source: Source) -> tuple[Path, dict]:
    """`tbms export-all` of the scratch system."""
    out = source.root / "hand-back"
    return out, await export.export_all(source.settings, out)


@pytest.mark.req("N24", partial=True)
class TestHandBack:
    """Every record with its history, every document version and the operation history, in open formats."""

    def test_the_export_holds_everything_a_backup_holds(
        self, source: Source, taken: Path, handed_back: tuple[Path, dict]
    ) -> None:
        out, document = handed_back
        backed_up = manifest.read(taken)
        for role, state in backed_up["databases"].items():
            counts = {table: info["rows"] for table, info in state["tables"].items()}
            assert document["databases"][role]["tables"] == counts
        versions = json.loads((out / "objects" / source.bucket / "versions.json").read_text(encoding="utf-8"))
        entries = [(v["key"], "delete-marker" if v["delete_marker"] else v["stored_sha256"]) for v in versions]
        assert objects.digest_of(entries) == backed_up["buckets"][source.bucket]["digest"]
        for version in versions:
            if not version["delete_marker"]:
                data = (out / "objects" / source.bucket / version["file"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == version["sha256"]

    def test_tables_are_csv_and_json_with_a_japanese_dictionary_and_checksums(
        self, handed_back: tuple[Path, dict]
    ) -> None:
        out, document = handed_back
        with (out / "databases" / "patients" / "public.patients.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 300 and rows[0]["name"].startswith("試験 太郎")
        assert json.loads(rows[0]["details"])["note"] == SECRET_MARKER
        history = json.loads((out / "databases" / "identity" / "public.audit_events.json").read_text("utf-8"))
        assert len(history) == HISTORY_ROWS and "hash" in history[0]
        assert (out / "config" / "deployment.env").read_text() == "TBMS_EXAMPLE=1\n"
        if document["keycloak"]["exported"]:  # the running stack's Keycloak: its users, never their secrets
            users = json.loads((out / "keycloak" / "users.json").read_text(encoding="utf-8"))
            assert users and all("credentialTypes" in user for user in users)
            assert "JBSWY3DPEHPK3PXP" not in (out / "keycloak" / "users.json").read_text(encoding="utf-8")
        dictionary = (out / "data-dictionary.md").read_text(encoding="utf-8")
        assert "データ辞書" in dictionary and "### public.patients（300 行）" in dictionary
        for entry in document["files"]:
            assert crypt.file_sha256(out / entry["path"]) == entry["sha256"]


@pytest.mark.req("N17", partial=True)
class TestCryptoErase:
    """Destroying the key makes every backup generation unreadable, on two people's word, after the hand-back."""

    @pytest.fixture
    def doomed(self, source: Source, taken: Path) -> BackupSettings:
        """A copy of the backups with a copy of their key, so the erasure leaves the other tests theirs."""
        root = source.root / f"erase-{secrets.token_hex(2)}"
        shutil.copytree(taken, root / "target" / taken.name)
        (root / "keys").mkdir(parents=True)
        shutil.copy2(source.settings.key_file, root / "keys" / "backup.key")
        return BackupSettings(
            **{**source.settings.__dict__, "target": root / "target", "key_file": root / "keys" / "backup.key"}
        )

    def test_one_person_alone_cannot_erase(self, doomed: BackupSettings, tmp_path: Path) -> None:
        with pytest.raises(erase.EraseRefused, match="別の人"):
            erase.erase(doomed, erase.Order("山田 管理者", "山田 管理者", reason_without_export="試験"), tmp_path)
        assert doomed.key_file.exists()

    def test_no_erasure_before_the_hand_back_unless_the_reason_is_recorded(
        self, doomed: BackupSettings, tmp_path: Path
    ) -> None:
        with pytest.raises(erase.EraseRefused, match="引き渡しデータ"):
            erase.erase(doomed, erase.Order("山田 管理者", "佐藤 課長"), tmp_path)
        assert doomed.key_file.exists()

    async def test_after_the_erasure_no_generation_opens_and_the_certificate_says_so(
        self, doomed: BackupSettings, handed_back: tuple[Path, dict], tmp_path: Path
    ) -> None:
        order = erase.Order("山田 管理者", "佐藤 課長", export_manifest=handed_back[0] / "manifest.json")
        certificate = erase.erase(doomed, order, tmp_path / "certificates")
        assert not doomed.key_file.exists()
        assert certificate["verification"]["all_unreadable"] is True
        assert certificate["ordered_by"] == "山田 管理者" and certificate["approved_by"] == "佐藤 課長"
        assert certificate["hand_back_export"]["confirmed"] is True
        assert len(certificate["copies"]["generations"]) == 1
        assert certificate["verification"]["document_key_store_removed"] is True
        assert "本人ごとのデータ鍵" in certificate["copies"]["live_system"]
        text = next((tmp_path / "certificates").glob("erasure-*.txt")).read_text(encoding="utf-8")
        assert "データ消去証明書" in text and "すべての世代が復号できないことを確認した" in text
        pdf = next((tmp_path / "certificates").glob("erasure-*.pdf")).read_bytes()
        assert pdf.startswith(b"%PDF")
        backup_dir = next(doomed.target.glob("tbms-*"))
        with pytest.raises(crypt.KeyError_, match="ありません"):
            await restore.restore(backup_dir, doomed, restore.scratch_plan(manifest.read(backup_dir), prefix="x_"))
        fresh = crypt.load_or_create_key(doomed.key_file)  # a new key does not bring the old backups back
        part = manifest.read(backup_dir)["parts"][0]
        with pytest.raises(crypt.DecryptError):
            crypt.decrypt_bytes(backup_dir / part["file"], fresh)


@pytest.mark.req("R31", partial=True)
async def test_the_restore_command_refuses_a_corrupted_backup_by_name_and_restores_a_good_one(
    source: Source, taken: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TBMS_BACKUP_KEYFILE", str(source.settings.key_file))
    copy = broken_copy(taken, source.root / "broken-cli", "db-identity")
    assert await asyncio.to_thread(cli.main, ["restore", str(copy), "--suffix", "_cli"]) == 1
    assert "部品 db-identity" in capsys.readouterr().err
    plan = restore.scratch_plan(manifest.read(taken), suffix="_cli")
    try:
        assert await asyncio.to_thread(cli.main, ["restore", str(taken), "--suffix", "_cli"]) == 0
        out = capsys.readouterr().out
        assert f"データベース patients → tbms_bk_{source.tag}_patients_cli" in out
        tables = await pg.table_fingerprints(source.settings, plan.databases["patients"])
        assert tables == manifest.read(taken)["databases"]["patients"]["tables"]
    finally:
        await drill.cleanup(source.settings, plan)


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def empty_system(source: Source) -> Iterator[BackupSettings]:
    """A new machine: an empty PostgreSQL cluster and an empty MinIO of our own, on free ports, removed afterwards."""
    bindir = Path("/usr/lib/postgresql") / sorted(os.listdir("/usr/lib/postgresql"))[-1] / "bin"
    minio_binary = config.cache_dir() / "bin" / "minio"
    if not (bindir / "initdb").is_file() or not minio_binary.is_file():
        pytest.skip("no PostgreSQL server binaries or MinIO (scripts/bootstrap.sh installs them)")
    root = Path(tempfile.mkdtemp(prefix="tbms-empty-", dir="/tmp"))
    root.chmod(0o755)
    data = root / "pg"
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    pg_port, s3_port = free_port(), free_port()
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "tbms", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {pg_port} -k {data} -c listen_addresses=127.0.0.1"
    start = [str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", options, "-l", str(data / "log")]
    subprocess.run(_as_postgres(start), check=True, capture_output=True)
    env = {**os.environ, "MINIO_ROOT_USER": config.S3_ACCESS_KEY, "MINIO_ROOT_PASSWORD": config.S3_SECRET_KEY}
    env["MINIO_KMS_SECRET_KEY"] = config.minio_kms_secret_key(root)  # the new machine's own key, as `stack up` makes
    minio_argv = [str(minio_binary), "server", str(root / "s3"), "--address", f"127.0.0.1:{s3_port}"]
    minio_argv += ["--console-address", f"127.0.0.1:{free_port()}"]
    minio_process = subprocess.Popen(minio_argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        settings = BackupSettings(
            **{**source.settings.__dict__, "pg_port": pg_port, "s3": S3(endpoint=f"127.0.0.1:{s3_port}")}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                settings.s3.client().list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield settings
    finally:
        minio_process.terminate()
        minio_process.wait(timeout=30)
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"]), check=False)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.req("R31", partial=True)
class TestRestoreOnANewMachine:
    """An empty PostgreSQL and an empty object store get back every record and document under their own names."""

    async def test_every_table_document_and_the_audit_chain_come_back(
        self, source: Source, taken: Path, empty_system: BackupSettings
    ) -> None:
        document = manifest.read(taken)
        plan = restore.live_plan(document, keycloak_h2=source.root / "new-machine" / "h2")
        outcome = await restore.restore(taken, empty_system, plan)
        assert plan.databases == source.databases  # the original names, on the new server
        for role, database in plan.databases.items():
            tables = await pg.table_fingerprints(empty_system, database)
            expected = document["databases"][role]["tables"]
            if role == "reports":  # documents now point at the version ids the new store gave
                assert tables.pop("public.documents")["rows"] == expected.pop("public.documents")["rows"]
            assert tables == expected
        assert outcome.remapped_documents == 2
        summary = objects.summarize(empty_system.s3.client(), source.bucket)
        assert summary == {k: v for k, v in document["buckets"][source.bucket].items() if k != "exists"}
        report = drill.Report(taken.name, manifest.times(datetime.now(UTC)))
        await drill.check_documents(empty_system, plan.databases["reports"], source.bucket, report)
        drill.check_audit_chain(empty_system, plan.databases["identity"], report)
        assert report.ok, report.text()
        restored_store = keycloak_store.summary(source.root / "new-machine" / "h2" / "keycloakdb.mv.db")
        assert restored_store == document["keycloak"]["store"]

    async def test_a_second_restore_into_the_now_full_system_is_refused(
        self, taken: Path, empty_system: BackupSettings
    ) -> None:
        with pytest.raises(restore.RestoreError, match="復元先が空ではありません"):
            await restore.restore(taken, empty_system, restore.live_plan(manifest.read(taken)))
