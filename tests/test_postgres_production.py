"""PostgreSQL as docker-compose runs it: TLS with the internal certificate, no connection from the network
without it (N16), and the databases and Keycloak's own role its init scripts make (N09). A scratch cluster of our
own takes the compose settings, deploy/postgres/pg_hba.conf's rules for the network and deploy/postgres/init's
scripts; the clients are the services' own (SQLAlchemy with asyncpg, the relay's asyncpg, libpq's pg_dump),
configured by the same variables compose sets (PGSSLMODE, PGSSLROOTCERT).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from tbms_core.db import Database
from tbms_testing.scratch import free_port
from tbms_tools import config

ROOT = Path(__file__).resolve().parents[1]
CERT_SCRIPT = ROOT / "deploy" / "certs" / "make-internal-certs.sh"
HBA = ROOT / "deploy" / "postgres" / "pg_hba.conf"
INIT = ROOT / "deploy" / "postgres" / "init"
KEYCLOAK_PASSWORD = "scratch-keycloak-pw"
PASSWORD = "scratch-tls-pw"


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _network_rules() -> str:
    """pg_hba.conf as a client in the compose network meets it: the container's own loopback lines left out."""
    lines = HBA.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if "127.0.0.1/32" not in line and "::1/128" not in line) + "\n"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, Path]]:
    """A scratch cluster with compose's TLS settings; yields its port and the internal CA's certificate."""
    bindir = config.postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL binaries not found (run scripts/bootstrap.sh)")
    root = Path(tempfile.mkdtemp(prefix="tbms-pgtls-", dir="/tmp"))
    root.chmod(0o755)
    certs, data = root / "certs", root / "pg"
    subprocess.run(["sh", str(CERT_SCRIPT), str(certs)], check=True, capture_output=True)
    data.mkdir(mode=0o700)
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD)
    tls = root / "tls"
    tls.mkdir()
    shutil.copy(certs / "postgres.crt", tls / "server.crt")
    shutil.copy(certs / "postgres.key", tls / "server.key")
    (tls / "server.key").chmod(0o600)
    (root / "pg_hba.conf").write_text(_network_rules())
    if os.geteuid() == 0:
        for path in (data, tls, tls / "server.crt", tls / "server.key", pwfile, root / "pg_hba.conf"):
            shutil.chown(path, "postgres", "postgres")
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "tbms", "--pwfile", str(pwfile), "-E", "UTF8"]
    subprocess.run(_as_postgres([*initdb, "--auth-host=scram-sha-256"]), check=True, capture_output=True)
    port = free_port()
    settings = [
        f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
        "-c ssl=on",
        f"-c ssl_cert_file={tls / 'server.crt'} -c ssl_key_file={tls / 'server.key'}",
        "-c ssl_min_protocol_version=TLSv1.2",
        f"-c hba_file={root / 'pg_hba.conf'}",
    ]
    start = [str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", " ".join(settings), "-l", str(data / "log")]
    subprocess.run(_as_postgres(start), check=True, capture_output=True)
    try:
        _run_init_scripts({"PGHOST": str(data), "PGPORT": str(port)})
        yield port, certs / "ca.crt"
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"]), check=False)
        shutil.rmtree(root, ignore_errors=True)


def _run_init_scripts(connection: dict[str, str], *, only: str = "") -> None:
    """docker-entrypoint-initdb.d's scripts in order (or the one named `only`), as the image runs them: psql as
    the superuser, with the variables compose gives the postgres container."""
    bindir = config.postgres_bindir()
    assert bindir is not None
    env = {
        **connection,
        "POSTGRES_USER": "tbms",
        "TBMS_KEYCLOAK_DB_PASSWORD": KEYCLOAK_PASSWORD,
        "PATH": f"{bindir}:{os.environ['PATH']}",
    }
    for script in sorted(INIT.iterdir()):
        if only and script.name != only:
            continue
        if script.suffix == ".sql":
            argv = ["psql", "-v", "ON_ERROR_STOP=1", "-U", "tbms", "-d", "postgres", "-f", str(script)]
        else:
            argv = ["sh", str(script)]
        passed = [f"{key}={value}" for key, value in env.items()]
        subprocess.run(_as_postgres(["env", *passed, *argv]), check=True, capture_output=True)


@pytest.fixture
def verify_full(server: tuple[int, Path], monkeypatch: pytest.MonkeyPatch) -> str:
    """The variables compose gives every service; returns the database URL it connects with."""
    port, ca = server
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    monkeypatch.setenv("PGSSLROOTCERT", str(ca))
    return f"postgresql+asyncpg://tbms:{PASSWORD}@127.0.0.1:{port}/postgres"


@pytest.mark.req("N16", partial=True)
async def test_the_services_connect_over_tls_verifying_the_server(verify_full: str) -> None:
    db = Database(verify_full)
    try:
        async with db.session() as session:
            encrypted = await session.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert encrypted is True
    finally:
        await db.dispose()
    # the outbox relay's own listener connection (asyncpg directly)
    conn = await asyncpg.connect(verify_full.replace("postgresql+asyncpg", "postgresql"))
    try:
        assert await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") is True
    finally:
        await conn.close()


@pytest.mark.req("N16", partial=True)
def test_backups_and_migrations_tools_connect_over_tls(server: tuple[int, Path], verify_full: str) -> None:
    """libpq (pg_dump of `tbms backup`) reads the same variables."""
    port, _ = server
    bindir = config.postgres_bindir()
    assert bindir is not None
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    argv = [str(bindir / "pg_dump"), "-h", "127.0.0.1", "-p", str(port), "-U", "tbms", "--schema-only", "postgres"]
    subprocess.run(argv, env=env, check=True, capture_output=True)


@pytest.mark.req("N16", partial=True)
async def test_a_connection_without_tls_or_trusting_another_ca_is_refused(
    server: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, _ = server
    url = f"postgresql://tbms:{PASSWORD}@127.0.0.1:{port}/postgres"
    monkeypatch.setenv("PGSSLMODE", "disable")
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match=r"pg_hba\.conf rejects"):
        await asyncpg.connect(url)
    other = Path(tempfile.mkdtemp(prefix="tbms-otherca-"))
    try:
        subprocess.run(["sh", str(CERT_SCRIPT), str(other)], check=True, capture_output=True)
        monkeypatch.setenv("PGSSLMODE", "verify-full")
        monkeypatch.setenv("PGSSLROOTCERT", str(other / "ca.crt"))  # a server not signed by this CA: an impostor
        with pytest.raises(OSError, match=r"(?i)certificate verify failed"):
            await asyncpg.connect(url)
    finally:
        shutil.rmtree(other, ignore_errors=True)


@pytest.mark.req("N09", partial=True)
async def test_keycloak_has_a_role_of_its_own_that_reaches_only_its_database(verify_full: str) -> None:
    """Keycloak owns database keycloak and is no superuser: it cannot reach a service's database."""
    keycloak = verify_full.replace("postgresql+asyncpg", "postgresql").replace(
        f"tbms:{PASSWORD}", f"keycloak:{KEYCLOAK_PASSWORD}"
    )
    conn = await asyncpg.connect(keycloak.replace("/postgres", "/keycloak"))
    try:
        await conn.execute("CREATE TABLE realm_probe (id int)")  # Keycloak creates its own tables
        assert await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    finally:
        await conn.close()
    for database in ("tbms_patients", "tbms_identity", "tbms_workflow"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(keycloak.replace("/postgres", f"/{database}"))


@pytest.mark.req("N09", partial=True)
async def test_an_existing_installation_hands_keycloaks_tables_to_its_role(
    server: tuple[int, Path], verify_full: str
) -> None:
    """docs/upgrade.md runs 02-keycloak-role.sh once more on an installation whose Keycloak tables the superuser
    owns: it runs again without error and the role then owns them."""
    superuser = verify_full.replace("postgresql+asyncpg", "postgresql").replace("/postgres", "/keycloak")
    conn = await asyncpg.connect(superuser)
    try:
        await conn.execute("CREATE TABLE legacy_realm (id int); CREATE SEQUENCE legacy_seq")
    finally:
        await conn.close()
    port, ca = server
    network = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGPASSWORD": PASSWORD}
    _run_init_scripts({**network, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": str(ca)}, only="02-keycloak-role.sh")
    conn = await asyncpg.connect(superuser)
    try:
        owners = await conn.fetch(
            "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'legacy_realm'"
            " UNION ALL SELECT sequenceowner FROM pg_sequences WHERE sequencename = 'legacy_seq'"
        )
    finally:
        await conn.close()
    assert [row["owner"] for row in owners] == ["keycloak", "keycloak"]
