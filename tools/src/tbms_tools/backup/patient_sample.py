"""A sample of patients opened through the patients service's API: at the backup from the live service, in the
drill from a patients service started on the restored database (R31: the restored services answer as before).

At the backup a few patients are chosen at random and each is opened with `GET /patients/{id}`; the manifest keeps
their id, version and the SHA-256 of the answer (without `age`, the one field computed from today). The drill
starts this code's patients service as a restored copy (`TBMS_PATIENTS_RESTORED_COPY`: never connects to NATS),
opens the same patients and compares the digests of the same versions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tbms_tools import config, service_account
from tbms_tools.backup.settings import BackupSettings
from tbms_tools.procs import tail

ROLE = "patients"
SIZE = 5
READ = "GET /patients/{id}"
LOCAL_USER = "nurse1"  # without the deployment's service account, a local demo user with 患者管理の参照
TODAY_FIELDS = ("age",)  # computed from Japan's today, not from the database
START_SECONDS = 90.0
WHAT = "復元した患者サービスで患者を開く（patients API）"
SHAPE = """
SELECT count(*) = 2 FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = 'patients'
  AND ((column_name = 'id' AND data_type = 'uuid') OR (column_name = 'version' AND data_type = 'integer'))
"""


class SampleError(Exception):
    """The sample could not be taken or opened."""


def digest(answer: dict[str, Any]) -> str:
    """SHA-256 of a patient as the API answers it, the fields computed from today left out."""
    kept = {name: value for name, value in answer.items() if name not in TODAY_FIELDS}
    return hashlib.sha256(
        json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def _client(base_url: str) -> httpx.Client:
    """The deployment's service account (`TBMS_RECONCILE_*`, 患者管理の参照) when configured, else a demo user."""
    if service_account.configured():
        auth, headers = service_account.from_env(), {}
    else:
        from tbms_tools.keycloak import auth_headers

        auth, headers = None, auth_headers(LOCAL_USER)
    return httpx.Client(
        base_url=base_url, auth=auth, headers=headers, timeout=30, verify=service_account.verify(), trust_env=False
    )


def open_patients(base_url: str, ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """Each patient as the service at `base_url` answers it (None: not found)."""
    answers: dict[str, dict[str, Any] | None] = {}
    with _client(base_url) as client:
        for patient_id in ids:
            response = client.get(f"/patients/{patient_id}")
            if response.status_code == 404:
                answers[patient_id] = None
                continue
            response.raise_for_status()
            answers[patient_id] = response.json()
    return answers


async def _choose(settings: BackupSettings, database: str, size: int) -> list[str]:
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        if not await conn.fetchval(SHAPE):
            raise SampleError("患者の表（patients の id と version）がありません")
        rows = await conn.fetch("SELECT id::text AS id FROM patients ORDER BY random() LIMIT $1", size)
    finally:
        await conn.close()
    return [row["id"] for row in rows]


async def take(settings: BackupSettings, database: str, *, size: int = SIZE) -> dict[str, Any]:
    """Right after the dump: opens `size` random patients through the live service; what could not be taken is
    recorded with its reason (the drill then reports the check as not made)."""
    base_url, started = settings.patients_url, time.monotonic()
    try:
        ids = await _choose(settings, database, size)
        answers = await asyncio.to_thread(open_patients, base_url, ids) if ids else {}
    except Exception as exc:  # a sample not taken is recorded; it never costs the backup itself
        return {"taken": False, "service": base_url, "reason": _reason(exc)}
    if ids and all(answer is None for answer in answers.values()):  # one deleted since the dump is merely left out
        reason = f"患者サービスが見本の患者 {len(ids)} 名を知りません（別のデータベースを見ていませんか）"
        return {"taken": False, "service": base_url, "reason": reason}
    patients = [
        {"id": patient_id, "version": answer["version"], "sha256": digest(answer)}
        for patient_id, answer in answers.items()
        if answer is not None
    ]
    seconds = round(time.monotonic() - started, 3)
    return {"taken": True, "service": base_url, "read": READ, "seconds": seconds, "patients": patients}


def _reason(exc: Exception) -> str:
    if isinstance(exc, SampleError):
        return str(exc)
    if isinstance(exc, httpx.HTTPStatusError):
        return f"患者サービスが {exc.response.status_code} を返しました"
    if isinstance(exc, httpx.HTTPError | OSError):
        return f"患者サービスに接続できません（{exc.__class__.__name__}）"
    return f"{exc.__class__.__name__}: {exc}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((config.HOST, 0))
        return int(probe.getsockname()[1])


def restored_copy_env(settings: BackupSettings, database: str) -> dict[str, str]:
    """The patients service's environment on a restored database, as a restored copy that never reaches NATS."""
    env = {**config.service_env(ROLE), **os.environ}  # the deployment's own settings (its issuer) win
    env.pop("TBMS_PATIENTS_SPAN_FILE_DIR", None)  # not into the live service's trace files
    env["TBMS_PATIENTS_DATABASE_URL"] = settings.sqlalchemy_url(database)
    env["TBMS_PATIENTS_RESTORED_COPY"] = "true"
    # a code without the switch could not reach a broker either: it fails to start instead of publishing
    env["TBMS_PATIENTS_NATS_URL"] = "nats://127.0.0.1:9"
    env["TBMS_PATIENTS_DB_POOL_SIZE"] = "2"
    return env


@asynccontextmanager
async def restored_service(settings: BackupSettings, database: str) -> AsyncIterator[str]:
    """This code's patients service in its own uvicorn process on a restored database; yields its base URL."""
    port = _free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", "patients.main:create_app", "--host", config.HOST]
    argv += ["--port", str(port), "--log-level", "warning"]
    with tempfile.TemporaryDirectory(prefix="tbms-drill-patients-") as scratch:
        log_file = Path(scratch) / "patients.log"
        with log_file.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *argv,
                env=restored_copy_env(settings, database),
                stdout=out,
                stderr=out,
                stdin=asyncio.subprocess.DEVNULL,
            )
        try:
            base_url = f"http://{config.HOST}:{port}"
            await _wait_live(process, base_url, log_file)
            yield base_url
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=20)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait_live(process: asyncio.subprocess.Process, base_url: str, log_file: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=base_url, timeout=2, trust_env=False) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise SampleError(f"患者サービスが起動しませんでした: {tail(log_file, 5)}")
            try:
                if (await http.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SampleError(f"患者サービスが {START_SECONDS:.0f} 秒で起動しませんでした: {tail(log_file, 5)}")


def compare(sample: list[dict[str, Any]], answers: dict[str, dict[str, Any] | None]) -> tuple[bool | None, str]:
    """The sampled patients against what the restored service answers: same version, same digest."""
    matched, changed, bad = 0, 0, []
    for patient in sample:
        answer = answers.get(patient["id"])
        if answer is None:
            bad.append(f"{patient['id']}: 復元先にいない")
        elif answer["version"] < patient["version"]:
            changed += 1  # saved between the dump and the sample's read: the dump holds the earlier version
        elif answer["version"] != patient["version"]:
            bad.append(f"{patient['id']}: 版 {patient['version']} → {answer['version']}")
        elif digest(answer) != patient["sha256"]:
            bad.append(f"{patient['id']}: 版 {answer['version']} の内容が違う")
        else:
            matched += 1
    note = f"（取得中に更新された {changed} 名は比較せず）" if changed else ""
    if bad:
        return False, f"不一致 {len(bad)} 名: " + "; ".join(bad[:5]) + note
    if not matched:
        return None, "比較できる患者がいませんでした" + note
    return True, f"患者 {matched} 名を開き、バックアップ時の内容と一致" + note


async def check(settings: BackupSettings, document: dict[str, Any], database: str) -> tuple[bool | None, str]:
    """The drill's check: None when the backup holds no sample to compare (not a pass)."""
    taken = document.get("patient_sample")
    if taken is None:
        return None, "このバックアップには患者の見本の記録がありません"
    if not taken["taken"]:
        return None, f"バックアップ時に見本を取れませんでした: {taken['reason']}"
    if not taken["patients"]:
        return None, "バックアップ時に患者がいませんでした"
    try:
        async with restored_service(settings, database) as base_url:
            ids = [patient["id"] for patient in taken["patients"]]
            answers = await asyncio.to_thread(open_patients, base_url, ids)
    except Exception as exc:  # whatever stops the restored service from answering fails the check, not the drill
        return False, _reason(exc)
    return compare(taken["patients"], answers)
