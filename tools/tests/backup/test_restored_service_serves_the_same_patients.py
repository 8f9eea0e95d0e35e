"""After `tbms backup`, the loss of the database and `tbms restore`, the service itself serves the same patients (R31).

The patients service runs in its own process (this code, tbms_testing.services.service_process) on a scratch
database; synthetic patients are registered and corrected through its API as a nurse; the database is backed up
while the service runs, then dropped with the service stopped (the data lost), restored under its own name with the
`tbms restore --into-live` command, and a new process of the service on the restored database answers every patient,
its edit history and the list exactly as before. Only tbms_bk_<random>_patients is written; it is dropped at the end.

The daily drill does the same with a sample: the backup opens a few patients through the running service and keeps
their digests; the drill opens them through a patients service started on the restored scratch database (a restored
copy, never connected to NATS) and finds a patient whose row differs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from tbms_testing import auth_headers, services
from tbms_tools import cli
from tbms_tools.backup import backup, drill, manifest, patient_sample, pg
from tbms_tools.backup.settings import S3, BackupSettings

pytestmark = pytest.mark.req("R31", partial=True)
PATIENT = {
    "name": "復元 花子",
    "name_kana": "ﾌｸｹﾞﾝ ﾊﾅｺ",
    "sex": "female",
    "birth_date": "S52.7.7",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町4-5-6",
    "district": "世田谷",
}


@asynccontextmanager
async def _service_on(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The patients service in its own process on an existing database (its start migrates: nothing to do here)."""
    env = await asyncio.to_thread(services.test_env, "patients", database)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "--factory", "patients.main:create_app", "--port", str(port)]
    server = await asyncio.create_subprocess_exec(
        *command, "--host", "127.0.0.1", "--log-level", "warning", env={**os.environ, **env}
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as api:
            for _ in range(300):
                try:
                    if (await api.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            yield api
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=20)


async def _served(api: httpx.AsyncClient, ids: list[str]) -> dict[str, Any]:
    """What the service answers about the patients: each one, its edit history, and the list."""
    headers = auth_headers("nurse1")
    answers: dict[str, Any] = {}
    for patient_id in ids:
        for path in (f"/patients/{patient_id}", f"/patients/{patient_id}/history"):
            response = await api.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
            answers[path] = response.json()
    listing = await api.get("/patients", headers=headers)
    assert listing.status_code == 200, listing.text
    answers["/patients"] = listing.json()
    return answers


async def test_the_restored_service_serves_the_same_patients_and_their_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = f"tbms_bk_{secrets.token_hex(3)}_patients"
    settings = BackupSettings(
        target=tmp_path / "target",
        key_file=tmp_path / "keys" / "backup.key",
        databases={"patients": database},
        buckets=[],
        keycloak_h2=None,
        config_paths=[],
        s3=S3(),
        copy_bucket=None,
    )
    try:
        async with services.service_process("patients", database) as api:
            headers = auth_headers("nurse1")
            ids = []
            for number in range(3):
                created = await api.post("/patients", json={**PATIENT, "name": f"復元 花子{number}"}, headers=headers)
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            first = (await api.get(f"/patients/{ids[0]}", headers=headers)).json()
            moved = {"address": "東京都世田谷区試験町7-8-9"}
            change = {"version": first["version"], "changes": moved, "reason": "転居"}
            corrected = await api.patch(f"/patients/{ids[0]}", json=change, headers=headers)
            assert corrected.status_code == 200, corrected.text
            before = await _served(api, ids)
            taken = await backup.create(settings)  # while the service runs
            # service_process drops the database when the service stops: the data is lost
        assert database not in await pg.existing_databases(settings)
        assert len(before[f"/patients/{ids[0]}/history"]["items"]) >= 1

        monkeypatch.setenv("TBMS_BACKUP_KEYFILE", str(settings.key_file))
        argv = ["restore", taken.name, "--target", str(settings.target), "--into-live"]
        assert await asyncio.to_thread(cli.main, argv) == 0  # asyncio.run inside, as from a shell
        assert manifest.read(taken)["databases"]["patients"]["database"] == database

        async with _service_on(database) as restored:
            after = await _served(restored, ids)
        assert after == before
    finally:
        await services.drop_database(database)


@dataclasses.dataclass
class Sampled:
    """A backup of a scratch patients database whose sample was opened through its own running service."""

    settings: BackupSettings
    directory: Path
    ids: list[str]
    unreachable: dict[str, Any]  # the sample as a backup takes it when the service does not answer


def _settings(root: Path, database: str) -> BackupSettings:
    return BackupSettings(
        target=root / "target",
        key_file=root / "keys" / "backup.key",
        databases={"patients": database},
        buckets=[],
        keycloak_h2=None,
        config_paths=[],
        s3=S3(),
        copy_bucket=None,
    )


@pytest.fixture(scope="module")
async def sampled(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sampled]:
    """Three synthetic patients registered through a patients service on a scratch database, backed up while it
    runs (the sample opened through it); the database is dropped when the service stops."""
    database = f"tbms_bk_{secrets.token_hex(3)}_patients"
    settings = _settings(tmp_path_factory.mktemp("sampled"), database)
    try:
        async with services.service_process("patients", database) as api:
            headers = auth_headers("nurse1")
            ids = []
            for number in range(3):
                created = await api.post("/patients", json={**PATIENT, "name": f"見本 花子{number}"}, headers=headers)
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            settings.patients_url = str(api.base_url).rstrip("/")
            directory = await backup.create(settings)
            away = dataclasses.replace(settings, patients_url="http://127.0.0.1:9")
            unreachable = await patient_sample.take(away, database)
        yield Sampled(settings, directory, ids, unreachable)
    finally:
        await services.drop_database(database)


@pytest.fixture
def altered_before_the_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Changes one sampled patient's address in the restored scratch database just before the drill opens it."""
    altered: list[str] = []
    original = patient_sample.restored_service

    @asynccontextmanager
    async def altering(settings: BackupSettings, database: str) -> AsyncIterator[str]:
        conn = await asyncpg.connect(settings.dsn(database))
        try:
            row = await conn.fetchrow(
                "UPDATE patients SET address = '改ざん県改ざん市1-1' "
                "WHERE id = (SELECT id FROM patients ORDER BY id LIMIT 1) RETURNING id::text AS id"
            )
            altered.append(row["id"])
        finally:
            await conn.close()
        async with original(settings, database) as base_url:
            yield base_url

    monkeypatch.setattr(patient_sample, "restored_service", altering)
    yield altered


def _sample_check(report: drill.Report) -> drill.Check:
    return next(check for check in report.checks if check.what == patient_sample.WHAT)


@pytest.mark.req("N06", partial=True)
class TestTheDrillOpensSampledPatients:
    """The drill opens the patients sampled at the backup through a restored patients service."""

    def test_the_backup_keeps_each_sampled_patients_version_and_digest(self, sampled: Sampled) -> None:
        sample = manifest.read(sampled.directory)["patient_sample"]
        assert sample["taken"], sample
        assert sorted(patient["id"] for patient in sample["patients"]) == sorted(sampled.ids)
        assert all(patient["version"] >= 1 and len(patient["sha256"]) == 64 for patient in sample["patients"])

    async def test_the_restored_service_answers_every_sampled_patient_as_at_the_backup(self, sampled: Sampled) -> None:
        report = await drill.run(sampled.directory, sampled.settings)
        assert report.ok, report.text()
        check = _sample_check(report)
        assert check.ok is True and "患者 3 名を開き、バックアップ時の内容と一致" in check.detail
        assert "[OK] 復元した患者サービスで患者を開く" in (sampled.directory / manifest.DRILL_TEXT).read_text("utf-8")
        assert report.scratch["databases"]["patients"] not in await pg.existing_databases(sampled.settings)

    async def test_a_patient_altered_in_the_restored_database_is_found(
        self, sampled: Sampled, altered_before_the_read: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        report = await drill.run(sampled.directory, sampled.settings)
        check = _sample_check(report)
        assert check.ok is False and not report.ok
        assert f"{altered_before_the_read[0]}: 版 " in check.detail and "の内容が違う" in check.detail
        assert f"ALERT tbms-backup: drill {sampled.directory.name}: {patient_sample.WHAT}" in capsys.readouterr().err
        assert [c.what for c in report.differences] == [patient_sample.WHAT]  # the tables matched at the restore

    async def test_a_sample_the_backup_could_not_take_is_reported_as_not_made(self, sampled: Sampled) -> None:
        taken = sampled.unreachable
        assert taken["taken"] is False and "接続できません" in taken["reason"]
        database = sampled.settings.databases["patients"]
        ok, detail = await patient_sample.check(sampled.settings, {"patient_sample": taken}, database)
        assert ok is None and "見本を取れませんでした" in detail
        report = drill.Report("x", manifest.times(datetime.now(UTC)))
        report.add(patient_sample.WHAT, ok, detail)
        assert report.ok and "[未確認]" in report.text() and "確認できなかった項目あり" in report.text()
