"""After `tbms backup`, the loss of the database and `tbms restore`, the service itself serves the same patients (R31).

The patients service runs in its own process (this code, tbms_testing.services.service_process) on a scratch
database; synthetic patients are registered and corrected through its API as a nurse; the database is backed up
while the service runs, then dropped with the service stopped (the data lost), restored under its own name with the
`tbms restore --into-live` command, and a new process of the service on the restored database answers every patient,
its edit history and the list exactly as before. Only tbms_bk_<random>_patients is written; it is dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tbms_testing import auth_headers, services
from tbms_tools import cli
from tbms_tools.backup import backup, manifest, pg
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
