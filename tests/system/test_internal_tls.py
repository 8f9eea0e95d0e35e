"""MinIO and Keycloak's back channel as docker-compose runs them: HTTPS only, with the certificates of
deploy/certs/make-internal-certs.sh, and their clients verify them against the internal CA (N16 in transit).

A scratch MinIO (`--certs-dir`, as compose) and a scratch Keycloak (compose's settings: HTTP off, HTTPS with the
internal certificate, health on the management port in plain HTTP) run from the local stack's binaries. The
clients are the services' own: `tbms_core.object_store.s3_client` (reports, identity's anchors, the backup job)
and `ssl_context`, which identity's Keycloak admin client verifies with (its wiring: services/identity/tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from tbms_core.object_store import s3_client, ssl_context
from tbms_testing.scratch import free_port, internal_certificates, wait_for_port
from tbms_tools import config
from tbms_tools.components import java_home

S3_USER, S3_SECRET = "scratch-tls", "scratch-tls-secret"


@pytest.fixture(scope="module")
def certs() -> Iterator[tuple[Path, Path]]:
    """The internal CA with its certificates, and another CA's (an impostor's)."""
    with internal_certificates() as both:
        yield both


@pytest.fixture(scope="module")
def minio(certs: tuple[Path, Path]) -> Iterator[str]:
    """MinIO with the internal certificate in its certs folder, as compose mounts it; yields its endpoint."""
    cached = config.cache_dir() / "bin" / "minio"
    binary = cached if cached.is_file() else config.find_binary("minio")
    if binary is None:
        pytest.fail("minio not found (run scripts/bootstrap.sh)")
    with tempfile.TemporaryDirectory(prefix="tbms-minio-tls-") as scratch:
        folder = Path(scratch) / "certs"
        folder.mkdir()
        shutil.copy(certs[0] / "minio.crt", folder / "public.crt")
        shutil.copy(certs[0] / "minio.key", folder / "private.key")
        port, console = free_port(), free_port()
        argv = [str(binary), "server", str(Path(scratch) / "data"), "--certs-dir", str(folder)]
        argv += ["--address", f"127.0.0.1:{port}", "--console-address", f"127.0.0.1:{console}"]
        env = {**os.environ, "MINIO_ROOT_USER": S3_USER, "MINIO_ROOT_PASSWORD": S3_SECRET, "MINIO_UPDATE": "off"}
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, process, 60)
            yield f"localhost:{port}"
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.mark.req("N16", partial=True)
def test_the_s3_client_stores_and_reads_over_https_verifying_minio(minio: str, certs: tuple[Path, Path]) -> None:
    client = s3_client(minio, S3_USER, S3_SECRET, secure=True, ca_file=str(certs[0] / "ca.crt"))
    bucket = f"tls-{uuid.uuid4().hex[:8]}"
    deadline = time.monotonic() + 30
    while True:  # MinIO listens a moment before it answers
        try:
            client.make_bucket(bucket)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    client.put_object(bucket, "doc.pdf", BytesIO(b"%PDF-1.7 synthetic"), 18)
    response = client.get_object(bucket, "doc.pdf")
    try:
        assert response.read() == b"%PDF-1.7 synthetic"
    finally:
        response.close()
        response.release_conn()


@pytest.mark.req("N16", partial=True)
def test_a_minio_not_signed_by_the_internal_ca_is_refused(minio: str, certs: tuple[Path, Path]) -> None:
    """Trusting another CA (or only the public CAs), the client sends nothing to the server."""
    for ca_file in (str(certs[1] / "ca.crt"), ""):
        client = s3_client(minio, S3_USER, S3_SECRET, secure=True, ca_file=ca_file)
        client._http.connection_pool_kw["retries"] = 0  # fail at once instead of after minio's retries
        with pytest.raises(Exception, match=r"(?i)certificate verify failed"):
            client.list_buckets()


@pytest.mark.req("N16", partial=True)
def test_the_backup_job_reads_the_ca_from_its_environment(
    minio: str, certs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tbms_tools.backup.settings import S3

    monkeypatch.setenv("TBMS_BACKUP_S3_ENDPOINT", minio)
    monkeypatch.setenv("TBMS_BACKUP_S3_ACCESS_KEY", S3_USER)
    monkeypatch.setenv("TBMS_BACKUP_S3_SECRET_KEY", S3_SECRET)
    monkeypatch.setenv("TBMS_BACKUP_S3_SECURE", "true")
    monkeypatch.setenv("TBMS_BACKUP_S3_CA_FILE", str(certs[0] / "ca.crt"))
    assert isinstance(S3().client().list_buckets(), list)


@pytest.fixture(scope="module")
def keycloak(certs: tuple[Path, Path]) -> Iterator[int]:
    """Keycloak with compose's TLS settings, from a copy of the local distribution (its build is rewritten by
    these options, which must not touch the running stack's); yields its HTTPS port."""
    home = config.keycloak_home()
    if not (home / "bin" / "kc.sh").is_file():
        pytest.fail("Keycloak not found (run scripts/bootstrap.sh)")
    with tempfile.TemporaryDirectory(prefix="tbms-keycloak-tls-") as scratch:
        copy = Path(scratch) / "keycloak"
        shutil.copytree(home, copy, ignore=shutil.ignore_patterns("h2", "import", "tmp", "*.log"))
        port, management = free_port(), free_port()
        env = {
            **os.environ,
            "KC_BOOTSTRAP_ADMIN_USERNAME": "scratch-admin",
            "KC_BOOTSTRAP_ADMIN_PASSWORD": "scratch-admin-pw",
            # the settings docker-compose.yml gives Keycloak
            "KC_HTTP_ENABLED": "false",
            "KC_HTTPS_CERTIFICATE_FILE": str(certs[0] / "keycloak.crt"),
            "KC_HTTPS_CERTIFICATE_KEY_FILE": str(certs[0] / "keycloak.key"),
            "KC_HTTP_MANAGEMENT_SCHEME": "http",
            "KC_HEALTH_ENABLED": "true",
        }
        if java := java_home():
            env["JAVA_HOME"] = java
        argv = [str(copy / "bin" / "kc.sh"), "start-dev", "--db=dev-mem", "--http-host=127.0.0.1"]
        argv += [f"--https-port={port}", f"--http-management-port={management}", "--hostname-strict=false"]
        log = (Path(scratch) / "keycloak.log").open("wb")
        process = subprocess.Popen(argv, env=env, cwd=copy, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    pytest.fail(f"Keycloak ended: {(Path(scratch) / 'keycloak.log').read_text()[-3000:]}")
                try:  # health on the management port, in plain HTTP as the compose healthcheck reads it
                    if httpx.get(f"http://127.0.0.1:{management}/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(1)
            else:
                pytest.fail("Keycloak was not ready within 240 s")
            yield port
        finally:
            process.terminate()
            process.wait(timeout=60)
            log.close()


async def _admin_user_id(port: int, ca_file: str) -> str:
    """What identity's Keycloak admin client does (identity.keycloak.KeycloakAdmin: httpx with
    `verify=ssl_context(keycloak_ca_file)`): a token from the admin realm, then a call to the admin API."""
    async with httpx.AsyncClient(base_url=f"https://localhost:{port}", verify=ssl_context(ca_file)) as client:
        token = await client.post(
            "/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli"}
            | {"username": "scratch-admin", "password": "scratch-admin-pw"},
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        users = await client.get("/admin/realms/master/users", params={"username": "scratch-admin"}, headers=headers)
        users.raise_for_status()
        return str(users.json()[0]["id"])


@pytest.mark.req("N16", partial=True)
async def test_keycloaks_back_channel_is_https_verified_against_the_internal_ca(
    keycloak: int, certs: tuple[Path, Path]
) -> None:
    assert await _admin_user_id(keycloak, str(certs[0] / "ca.crt"))
    async with httpx.AsyncClient(timeout=5) as plain:
        with pytest.raises(httpx.TransportError):  # HTTP is off on the main port
            await plain.get(f"http://localhost:{keycloak}/realms/master")


@pytest.mark.req("N16", partial=True)
async def test_a_keycloak_not_signed_by_the_internal_ca_is_refused(keycloak: int, certs: tuple[Path, Path]) -> None:
    for ca_file in (str(certs[1] / "ca.crt"), ""):
        with pytest.raises(httpx.ConnectError, match=r"(?i)certificate verify failed"):
            await _admin_user_id(keycloak, ca_file)
