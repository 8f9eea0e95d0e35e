"""The scheduled reconciliation as compose runs it (deploy/reconcile/schedule.sh, one round): as the realm's
service account `tbms-reconcile` (client credentials, never a person), it finds a patient lost from reports' read
model, repairs it, keeps the run's report, and the services record its reads under the account's name; a wrong
secret makes the round an ALERT line, not a silent success (R28, N18)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from tbms_testing import wait_for
from tbms_testing.stack import REPO
from tbms_tools import config
from tbms_tools.keycloak import auth_headers

SCHEDULE = REPO / "deploy" / "reconcile" / "schedule.sh"
LOCAL_SECRET = "tbms-reconcile-local-secret"  # the realm file's local default for ${TBMS_RECONCILE_CLIENT_SECRET}
PATIENT = {
    "name_kana": "シケン テイキ",
    "sex": "male",
    "birth_date": "S60.6.6",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町8-8-8",
    "district": "世田谷",
}


def one_round(reports: Path, secret: str) -> subprocess.CompletedProcess[str]:
    """deploy/reconcile/schedule.sh once, with this checkout's `tbms` on the PATH and the service account's secret."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TBMS_RECONCILE_DIR": str(reports),
        "TBMS_RECONCILE_CLIENT_SECRET": secret,
    }
    shell = shutil.which("sh") or "/bin/sh"
    return subprocess.run(
        [shell, str(SCHEDULE), "once"], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def reports_kept(folder: Path) -> list[list[dict]]:  # type: ignore[type-arg]
    """The reports a round kept in its folder."""
    return [json.loads(path.read_text("utf-8")) for path in folder.glob("reconcile-*.json")]


async def reports_version(patient_id: str) -> int | None:
    connection = await asyncpg.connect(
        host=config.HOST, port=config.PG_PORT, user=config.PG_USER, database="tbms_reports"
    )
    try:
        return await connection.fetchval("SELECT version FROM patient_summaries WHERE id = $1", uuid.UUID(patient_id))
    finally:
        await connection.close()


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N18", partial=True)
async def test_a_scheduled_round_repairs_drift_as_the_service_account_and_keeps_its_report(tmp_path: Path) -> None:
    async with httpx.AsyncClient(base_url=config.service_url("patients"), timeout=30) as patients:
        registered = await patients.post(
            "/patients", json=PATIENT | {"name": "試験 定期"}, headers=auth_headers("nurse1")
        )
    assert registered.status_code == 201, registered.text
    patient_id = registered.json()["id"]
    await wait_for(lambda: _held(patient_id), timeout=30)
    connection = await asyncpg.connect(
        host=config.HOST, port=config.PG_PORT, user=config.PG_USER, database="tbms_reports"
    )
    try:
        await connection.execute("DELETE FROM patient_summaries WHERE id = $1", uuid.UUID(patient_id))
    finally:
        await connection.close()

    done = await asyncio.to_thread(one_round, tmp_path, LOCAL_SECRET)
    assert await reports_version(patient_id) == 1, "the lost patient is back in reports' read model"
    kept = await asyncio.to_thread(reports_kept, tmp_path)
    assert len(kept) == 1, "one report per day's run"
    found = {(d["read_model"], d["kind"]): d for d in kept[0]}
    assert patient_id in found["reports", "patients"]["missing"] and found["reports", "patients"]["repaired"] >= 1
    # Repaired drift is no alarm; drift only a person may decide (a read model ahead of patients, which other tests
    # on this stack may have left by restoring patients' database) is one, and only that.
    for_a_person = [d for d in kept[0] if d["ahead"] or d["unknown"]]
    assert ("ALERT tbms-reconcile:" in done.stderr) == bool(for_a_person), done.stderr

    async with httpx.AsyncClient(base_url=config.service_url("identity"), timeout=30) as identity:

        async def read_by_the_account() -> bool:
            account = {"person_id": patient_id, "user": "service-account-tbms-reconcile"}
            answer = await identity.get("/audit/events", params=account, headers=auth_headers("admin1"))
            assert answer.status_code == 200, answer.text
            return bool(answer.json()["items"])

        await wait_for(read_by_the_account, timeout=30)

    refused = await asyncio.to_thread(one_round, tmp_path / "wrong", "not-the-secret")
    assert "ALERT tbms-reconcile:" in refused.stderr, refused.stderr


async def _held(patient_id: str) -> bool:
    return await reports_version(patient_id) == 1
