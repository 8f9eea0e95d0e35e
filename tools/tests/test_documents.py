"""`tbms documents seal-existing` on a scratch reports database and bucket: a form stored in plaintext before is
sealed with its person's key (the plaintext version deleted); a second run finds nothing left to do."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tbms_core import document_sealing as sealing
from tbms_tools import config, documents
from tbms_tools.backup import objects, pg
from tbms_tools.backup.settings import S3, BackupSettings

PDF = b"%PDF-1.7 a form stored before sealing (synthetic)"


@pytest.fixture
async def scratch() -> AsyncIterator[tuple[BackupSettings, str, str]]:
    tag = secrets.token_hex(3)
    database, bucket = f"tbms_seal_{tag}_reports", f"tbms-seal-{tag}"
    settings = BackupSettings(databases={"reports": database}, buckets=[bucket], s3=S3())
    try:
        await pg.create_database(settings, database, replace=True)
        env = {**os.environ, **config.service_env("reports")}
        env["TBMS_REPORTS_DATABASE_URL"] = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"
        ini = config.repo_root() / "services" / "reports" / "alembic.ini"
        argv = [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"]
        subprocess.run(argv, env=env, check=True, cwd=config.repo_root(), capture_output=True)
        objects.ensure_bucket(settings.s3.client(), bucket)
        yield settings, database, bucket
    finally:
        await pg.drop_database(settings, database)
        objects.remove_bucket(settings.s3.client(), bucket)


@pytest.mark.req("N16", partial=True)
async def test_a_plaintext_form_is_sealed_once(scratch: tuple[BackupSettings, str, str]) -> None:
    settings, database, bucket = scratch
    client, person = settings.s3.client(), uuid.uuid4()
    key = f"patients/{person}/F03/{uuid.uuid4()}.pdf"
    put = client.put_object(bucket, key, io.BytesIO(PDF), len(PDF), "application/pdf")
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        await conn.execute(
            "INSERT INTO documents (id, kind, patient_id, owner_type, owner_id, object_key, version_id, sha256, "
            "size, content_type, template_version, created_by, created_by_name, created_at) "
            "VALUES ($1, 'F03', $2, 'patient', $2, $3, $4, $5, $6, 'application/pdf', 't1', 'u1', '試験', now())",
            uuid.uuid4(),
            person,
            key,
            put.version_id,
            hashlib.sha256(PDF).hexdigest(),
            len(PDF),
        )
    finally:
        await conn.close()
    url = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"

    first = documents.seal_existing(database_url=url, bucket=bucket)
    second = documents.seal_existing(database_url=url, bucket=bucket)

    assert first.returncode == 0, first.stderr
    assert "帳票: 暗号化 1 件、暗号化済み 0 件" in first.stdout and "削除した暗号化前の版: 1 件" in first.stdout
    assert second.returncode == 0 and "帳票: 暗号化 0 件、暗号化済み 1 件" in second.stdout
    stored = [item for item in client.list_objects(bucket, prefix=key, include_version=True)]
    assert len(stored) == 1
    response = client.get_object(bucket, key)
    try:
        assert response.read().startswith(sealing.MAGIC)
    finally:
        response.close()
        response.release_conn()
