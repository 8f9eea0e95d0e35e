"""People's document keys kept apart from the backup generations (N17, N16): a generation holds no key; a restore
takes the keys from the key store beside the generations; once a person is erased and the next backup has run,
restoring an older generation gives back their sealed files but no key to open them, while others' files open.

Everything lives in a scratch reports database (tbms_bk_<random>_reports) and a scratch bucket, dropped at the end.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from tbms_core import document_sealing as sealing
from tbms_tools import cli, config
from tbms_tools.backup import backup, crypt, document_keys, drill, erase, export, manifest, objects, pg, restore
from tbms_tools.backup.settings import S3, BackupSettings

pytestmark = [pytest.mark.req("N17", partial=True), pytest.mark.req("N16", partial=True)]
PDF = b"%PDF-1.7 a synthetic form of a synthetic person"


@dataclass
class Person:
    """A person with a data key and one sealed file in the scratch bucket."""

    id: uuid.UUID
    key_id: bytes
    key: bytes
    object_key: str


@dataclass
class Scratch:
    """The scratch reports database and bucket, and the settings that back them up."""

    settings: BackupSettings
    database: str
    bucket: str
    people: list[Person]


def _migrate(database: str) -> None:
    env = {**os.environ, **config.service_env("reports")}
    env["TBMS_REPORTS_DATABASE_URL"] = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"
    ini = config.repo_root() / "services" / "reports" / "alembic.ini"
    argv = [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"]
    subprocess.run(argv, env=env, check=True, cwd=config.repo_root(), capture_output=True)


async def _add_person(settings: BackupSettings, database: str, bucket: str) -> Person:
    """A key row wrapped as reports wraps it, and a file sealed with the key, as reports stores it."""
    person = Person(uuid.uuid4(), sealing.new_key_id(), sealing.new_key(), f"patients/{uuid.uuid4()}/F03/x.pdf")
    wrapped = sealing.wrap(sealing.kek_from_hex(settings.document_kek), person.id, person.key)
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        await conn.execute(
            "INSERT INTO document_keys (person_id, key_id, wrapped, created_at) VALUES ($1, $2, $3, now())",
            person.id,
            person.key_id.hex(),
            wrapped,
        )
        await conn.execute(  # the printed form's row, with the SHA-256 of the PDF as reports records it
            "INSERT INTO documents (id, kind, patient_id, owner_type, owner_id, object_key, version_id, sha256, "
            "size, content_type, template_version, created_by, created_by_name, created_at) "
            "VALUES ($1, 'F03', $2, 'patient', $2, $3, NULL, $4, $5, 'application/pdf', 't1', 'u1', '試験', now())",
            uuid.uuid4(),
            person.id,
            person.object_key,
            hashlib.sha256(PDF).hexdigest(),
            len(PDF),
        )
    finally:
        await conn.close()
    sealed = sealing.seal(person.key_id, person.key, PDF)
    settings.s3.client().put_object(bucket, person.object_key, io.BytesIO(sealed), len(sealed), "application/pdf")
    return person


async def _erase(settings: BackupSettings, database: str, person: Person) -> None:
    """What reports does on the person's erasure: the key row goes, the erasure is recorded."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        await conn.execute("DELETE FROM document_keys WHERE person_id = $1", person.id)
        await conn.execute(
            "INSERT INTO document_key_erasures (person_id, key_id, erased_at, reason) VALUES ($1, $2, now(), '試験')",
            person.id,
            person.key_id.hex(),
        )
    finally:
        await conn.close()


async def _keys(settings: BackupSettings, database: str) -> dict[uuid.UUID, bytes]:
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        rows = await conn.fetch("SELECT person_id, wrapped FROM document_keys")
    finally:
        await conn.close()
    kek = sealing.kek_from_hex(settings.document_kek)
    return {row["person_id"]: sealing.unwrap(kek, row["person_id"], bytes(row["wrapped"])) for row in rows}


@pytest.fixture(scope="module")
async def scratch(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Scratch]:
    tag = secrets.token_hex(3)
    root = tmp_path_factory.mktemp("document-keys")
    database, bucket = f"tbms_bk_{tag}_reports", f"tbms-bk-{tag}"
    settings = BackupSettings(
        target=root / "target",
        key_file=root / "keys" / "backup.key",
        databases={"reports": database},
        buckets=[bucket],
        keycloak_h2=None,
        config_paths=[],
        s3=S3(),
        copy_bucket=None,
    )
    try:
        await pg.create_database(settings, database, replace=True)
        _migrate(database)
        objects.ensure_bucket(settings.s3.client(), bucket)
        people = [await _add_person(settings, database, bucket) for _ in range(2)]
        yield Scratch(settings, database, bucket, people)
    finally:
        await pg.drop_database(settings, database)
        objects.remove_bucket(settings.s3.client(), bucket)


async def _restored_keys(scratch: Scratch, directory: Path, suffix: str) -> tuple[dict[uuid.UUID, bytes], dict]:
    """Restores a generation beside the system; returns the keys the restored reports holds and the bucket's files."""
    plan = restore.scratch_plan(manifest.read(directory), suffix=suffix)
    try:
        await restore.restore(directory, scratch.settings, plan)
        keys = await _keys(scratch.settings, plan.databases["reports"])
        client = scratch.settings.s3.client()
        files = {}
        for person in scratch.people:
            response = client.get_object(plan.buckets[scratch.bucket], person.object_key)
            try:
                files[person.id] = response.read()
            finally:
                response.close()
                response.release_conn()
        return keys, files
    finally:
        await drill.cleanup(scratch.settings, plan)


async def test_an_erased_persons_files_in_an_older_generation_never_open_again(scratch: Scratch) -> None:
    settings, (erased, kept) = scratch.settings, scratch.people
    older = await backup.create(settings, now=datetime.now(UTC) - timedelta(days=1))
    assert manifest.read(older)["databases"]["reports"]["document_keys_apart"]["keys"] == 2
    report = await drill.run(older, settings)  # the drill opens each sealed form with its restored key
    assert report.ok, report.text()
    assert "2 件の文書が復元先で開け" in report.text()

    # the generation itself holds no key: without the key store, a restore gives back none
    store = document_keys.store_path(settings.target)
    store.rename(store.with_suffix(".aside"))
    keys, _ = await _restored_keys(scratch, older, "_a")
    assert keys == {}
    store.with_suffix(".aside").rename(store)

    keys, files = await _restored_keys(scratch, older, "_b")
    assert set(keys) == {erased.id, kept.id}
    assert all(sealing.open_sealed(keys[p.id], files[p.id]) == PDF for p in scratch.people)

    await _erase(settings, scratch.database, erased)
    await backup.create(settings)

    keys, files = await _restored_keys(scratch, older, "_c")
    assert set(keys) == {kept.id} and sealing.open_sealed(keys[kept.id], files[kept.id]) == PDF
    assert files[erased.id].startswith(sealing.MAGIC)  # the file came back, sealed, with no key anywhere
    for key in keys.values():
        with pytest.raises(sealing.SealError):
            sealing.open_sealed(key, files[erased.id])
    report = await drill.run(older, settings)  # the older generation's row of the erased person no longer opens
    assert not report.ok and "本人の鍵がなく復号できない" in report.text()
    backup_key = crypt.load_or_create_key(settings.key_file, create=False)
    assert {row["person_id"] for row in document_keys.read(settings.target, backup_key)} == {str(kept.id)}


@pytest.mark.req("N24", partial=True)
async def test_the_hand_back_gives_each_file_as_the_user_stored_it(scratch: Scratch, tmp_path: Path) -> None:
    """Sealed files are opened for the hand-back; one whose person was erased is listed as unreadable."""
    settings, out = scratch.settings, tmp_path / "hand-back"
    erased, kept = scratch.people
    if erased.id in await _keys(settings, scratch.database):  # this test alone: erase the first person here
        await _erase(settings, scratch.database, erased)

    await export.export_all(settings, out)

    listing = json.loads((out / "objects" / scratch.bucket / "versions.json").read_text(encoding="utf-8"))
    by_key = {entry["key"]: entry for entry in listing}
    assert (out / "objects" / scratch.bucket / by_key[kept.object_key]["file"]).read_bytes() == PDF
    assert "file" not in by_key[erased.object_key] and "暗号化消去" in by_key[erased.object_key]["erased"]


@pytest.mark.req("N23", partial=True)
async def test_the_second_bucket_holds_the_key_store_and_a_restore_from_it_alone_opens_the_files(
    scratch: Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each copy to the second bucket carries the key store as it is now (the one it replaces removed there), and
    `tbms restore --from-bucket` on a machine with nothing (an empty backup target) fetches the generation and the
    key store and gives back files that open; a person erased before the last copy stays unreadable."""
    settings = scratch.settings
    client = settings.s3.client()
    second = f"{scratch.bucket}-second"
    objects.ensure_bucket(client, second)
    people = [await _add_person(settings, scratch.database, scratch.bucket) for _ in range(2)]
    erased, kept = people
    try:
        first = await backup.create(settings, now=datetime.now(UTC) - timedelta(hours=1))
        backup.copy_to_bucket(first, settings, second)
        await _erase(settings, scratch.database, erased)
        latest = await backup.create(settings)
        backup.copy_to_bucket(latest, settings, second)
        versions = list(client.list_objects(second, prefix=document_keys.STORE, include_version=True))
        assert len(versions) == 1, "the key store the last copy replaced is gone from the second bucket"

        # a new machine: an empty target, the backup key from the safe; the older generation is asked for by name
        monkeypatch.setenv("TBMS_BACKUP_KEYFILE", str(settings.key_file))
        new_machine = tmp_path / "new-machine"
        argv = ["restore", first.name, "--target", str(new_machine), "--from-bucket", second, "--suffix", "_nm"]
        assert await asyncio.to_thread(cli.main, argv) == 0  # asyncio.run inside, as from a shell
        assert (new_machine / first.name / manifest.MANIFEST).is_file()
        assert document_keys.store_path(new_machine).is_file()
        plan = restore.scratch_plan(manifest.read(new_machine / first.name), suffix="_nm")
        try:
            keys = await _keys(settings, plan.databases["reports"])
            for person in (erased, kept):
                response = client.get_object(plan.buckets[scratch.bucket], person.object_key)
                try:
                    sealed = response.read()
                finally:
                    response.close()
                    response.release_conn()
                if person is kept:
                    assert sealing.open_sealed(keys[person.id], sealed) == PDF
                else:
                    assert person.id not in keys and sealed.startswith(sealing.MAGIC)
        finally:
            await drill.cleanup(settings, plan)
        assert kept.id in keys and erased.id not in keys

        # without the key store in the second bucket the same restore gives back no key at all
        client.remove_object(second, document_keys.STORE, version_id=versions[0].version_id)
        bare = tmp_path / "bare-machine"
        argv = ["restore", "--target", str(bare), "--from-bucket", second, "--suffix", "_bm"]
        assert await asyncio.to_thread(cli.main, argv) == 0
        assert not document_keys.store_path(bare).exists()
        plan = restore.scratch_plan(manifest.read(bare / latest.name), suffix="_bm")
        try:
            assert await _keys(settings, plan.databases["reports"]) == {}
        finally:
            await drill.cleanup(settings, plan)

        # `tbms erase` (on copies of the target and the key) removes the key store's copies in the second bucket too
        backup.copy_to_bucket(latest, settings, second)
        doomed_root = tmp_path / "doomed"
        shutil.copytree(settings.target, doomed_root / "target")
        (doomed_root / "keys").mkdir()
        shutil.copy2(settings.key_file, doomed_root / "keys" / "backup.key")
        doomed = BackupSettings(
            **{
                **settings.__dict__,
                "target": doomed_root / "target",
                "key_file": doomed_root / "keys" / "backup.key",
                "copy_bucket": second,
            }
        )
        order = erase.Order("山田 管理者", "佐藤 課長", reason_without_export="試験（引き渡し不要の作業用データ）")
        certificate = erase.erase(doomed, order, doomed_root / "certificates")
        assert certificate["verification"]["second_location_document_key_store"] == {
            "removed": 1,
            "left": 0,
            "error": None,
        }
        assert not list(client.list_objects(second, prefix=document_keys.STORE, include_version=True))
        text = next((doomed_root / "certificates").glob("erasure-*.txt")).read_text(encoding="utf-8")
        assert f"第二の保管先の文書の鍵: 第二の保管先 {second} の保管庫 1 版を削除" in text
    finally:
        objects.remove_bucket(client, second)
