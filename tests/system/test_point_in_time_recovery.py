"""Point-in-time recovery (N06): WAL archived continuously with pgBackRest to an S3 bucket, and a cluster restored to
a moment between two commits has the row committed before it and not the one after.

The configuration is the deployed one: deploy/postgres/pgbackrest.conf unchanged (the file docker-compose.yml mounts
into `postgres` and `pgbackrest`), the archive_command of compose's `postgres`, and values for exactly the PGBACKREST_*
variables compose gives it (the repository's bucket, endpoint, keys and cipher pass); on top only where the scratch
cluster keeps things (its data folder, port and socket, the scratch store's port and CA, lock and spool folders).
A scratch PostgreSQL archives every WAL segment into a scratch MinIO over HTTPS verified against the internal CA,
encrypted; the `pgbackrest` service's script (deploy/postgres/pgbackrest-schedule.sh, run once) creates the stanza,
checks archiving and takes the day's full base backup; one row is committed, the moment noted, a second row
committed; then a new data folder is restored to that moment and started. Nothing of the shared stack is touched.
Needs pgbackrest (Debian's package) and the stack's MinIO binary.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml
from tbms_core.object_store import s3_client
from tbms_testing.scratch import free_port, internal_certificates, wait_for_port
from tbms_tools import config
from tbms_tools.backup import commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED_CONFIG = ROOT / "deploy/postgres/pgbackrest.conf"
SCHEDULE = ROOT / "deploy/postgres/pgbackrest-schedule.sh"
S3_USER, S3_SECRET = "scratch-pitr", "scratch-pitr-secret"
BUCKET = "tbms-wal-pitr"


def _compose_postgres() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose["services"]["postgres"]


def _deployed_archive_command() -> str:
    """The archive_command compose starts PostgreSQL with."""
    (setting,) = [item for item in _compose_postgres()["command"] if str(item).startswith("archive_command=")]
    return str(setting).split("=", 1)[1]


def _deployed_stanza() -> str:
    (stanza,) = [
        word.split("=", 1)[1] for word in shlex.split(_deployed_archive_command()) if word.startswith("--stanza=")
    ]
    return stanza


def _repository_environment(s3_port: int, ca: Path) -> dict[str, str]:
    """Scratch values for exactly the PGBACKREST_* variables compose gives `postgres`, plus the scratch store's port
    and CA (compose reaches a store on 443 with a publicly trusted certificate)."""
    values = {
        "PGBACKREST_REPO1_S3_BUCKET": BUCKET,
        "PGBACKREST_REPO1_S3_ENDPOINT": "localhost",
        "PGBACKREST_REPO1_S3_REGION": "ap-northeast-1",
        "PGBACKREST_REPO1_S3_URI_STYLE": "path",
        "PGBACKREST_REPO1_S3_KEY": S3_USER,
        "PGBACKREST_REPO1_S3_KEY_SECRET": S3_SECRET,
        "PGBACKREST_REPO1_CIPHER_PASS": "scratch-pitr-cipher-pass",
    }
    deployed = {name for name in _compose_postgres()["environment"] if name.startswith("PGBACKREST_")}
    assert deployed == set(values), f"compose gives {sorted(deployed)}, the test fills {sorted(values)}"
    return {**values, "PGBACKREST_REPO1_STORAGE_PORT": str(s3_port), "PGBACKREST_REPO1_STORAGE_CA_FILE": str(ca)}


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        _as_postgres(argv), capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ, **env}
    )
    assert result.returncode == 0, f"{' '.join(argv)}: {result.stdout}\n{result.stderr}"
    return result


@dataclass
class Scratch:
    """The scratch cluster, the environment that points the deployed configuration at it, and where it keeps things."""

    root: Path
    bindir: Path
    data: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)

    def pgbackrest(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(["pgbackrest", f"--stanza={_deployed_stanza()}", *args], self.env)

    def schedule_once(self, state: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The `pgbackrest` service's script (a copy the postgres user can read) run once: stanza-create, check, the
        day's backup and expiry; its outcome file goes to `state` under the scratch root."""
        folder = self.root / state
        folder.mkdir()
        script = self.root / "pgbackrest-schedule.sh"
        shutil.copy(SCHEDULE, script)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
            shutil.chown(script, "postgres", "postgres")
        environment = {**os.environ, **self.env, "TBMS_PGBACKREST_STATE": str(folder), **env}
        argv = _as_postgres(["sh", str(script), "once"])
        return subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, env=environment)

    async def query(self, sql: str, *, port: int | None = None) -> list[asyncpg.Record]:
        """Runs one statement on the cluster (or the restored one on `port`) over its Unix socket."""
        conn = await asyncpg.connect(host=str(self.root), port=port or self.port, user="tbms", database="postgres")
        try:
            return await conn.fetch(sql)
        finally:
            await conn.close()


@pytest.fixture(scope="module")
def minio() -> Iterator[tuple[int, Path]]:
    """A scratch MinIO over HTTPS with the internal certificate; yields its port and the CA's certificate."""
    binary = config.cache_dir() / "bin" / "minio"
    binary = binary if binary.is_file() else config.find_binary("minio")
    if binary is None:
        pytest.fail("minio not found (run scripts/bootstrap.sh)")
    with internal_certificates() as (certs, _), tempfile.TemporaryDirectory(prefix="tbms-pitr-s3-") as scratch:
        folder = Path(scratch) / "certs"
        folder.mkdir()
        shutil.copy(certs / "minio.crt", folder / "public.crt")
        shutil.copy(certs / "minio.key", folder / "private.key")
        ca = Path(scratch) / "ca.crt"
        shutil.copy(certs / "ca.crt", ca)
        ca.chmod(0o644)
        port, console = free_port(), free_port()
        argv = [str(binary), "server", str(Path(scratch) / "data"), "--certs-dir", str(folder)]
        argv += ["--address", f"127.0.0.1:{port}", "--console-address", f"127.0.0.1:{console}"]
        env = {**os.environ, "MINIO_ROOT_USER": S3_USER, "MINIO_ROOT_PASSWORD": S3_SECRET, "MINIO_UPDATE": "off"}
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, process, 60, "scratch MinIO")
            s3_client(f"localhost:{port}", S3_USER, S3_SECRET, secure=True, ca_file=str(ca)).make_bucket(BUCKET)
            yield port, ca
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def cluster(minio: tuple[int, Path]) -> Iterator[Scratch]:
    """A scratch cluster archiving its WAL with pgBackRest into the scratch bucket."""
    if shutil.which("pgbackrest") is None:
        pytest.fail("pgbackrest not found (apt-get install pgbackrest; scripts/bootstrap.sh)")
    bindir = config.postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL binaries not found (run scripts/bootstrap.sh)")
    root = Path(tempfile.mkdtemp(prefix="tbms-pitr-", dir="/tmp"))
    data, port = root / "pg", free_port()
    for folder in (root / "lock", root / "spool"):
        folder.mkdir(parents=True)
    data.mkdir(mode=0o700)
    s3_port, ca = minio
    shutil.copy(ca, root / "ca.crt")  # where the postgres user can read them
    shutil.copy(DEPLOYED_CONFIG, root / "pgbackrest.conf")
    assert (root / "pgbackrest.conf").read_bytes() == DEPLOYED_CONFIG.read_bytes()
    env = {
        "PGBACKREST_CONFIG": str(root / "pgbackrest.conf"),
        **_repository_environment(s3_port, root / "ca.crt"),
        # where the scratch cluster keeps things (compose: /var/lib/postgresql/data, /var/run/postgresql, 5432)
        "PGBACKREST_PG1_PATH": str(data),
        "PGBACKREST_PG1_PORT": str(port),
        "PGBACKREST_PG1_SOCKET_PATH": str(root),
        "PGBACKREST_LOCK_PATH": str(root / "lock"),
        "PGBACKREST_SPOOL_PATH": str(root / "spool"),
    }
    scratch = Scratch(root, bindir, data, port, env)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(root)], check=True)
    _run([str(bindir / "initdb"), "-D", str(data), "-U", "tbms", "--auth=trust", "-E", "UTF8"], env)
    # the server settings compose gives `postgres` for archiving, the archive_command among them as it is there
    archiving = [
        str(item)
        for item in _compose_postgres()["command"]
        if str(item).split("=", 1)[0] in {"wal_level", "archive_mode", "archive_command", "archive_timeout"}
    ]
    assert len(archiving) == 4, archiving
    options = [f"-p {port} -k {root} -c listen_addresses=''"]
    options += [f"-c {shlex.quote(setting)}" for setting in archiving]
    _run(
        [str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", " ".join(options), "-l", str(root / "pg.log")],
        env,
    )
    try:
        yield scratch
    finally:
        for folder in (data, root / "restored"):
            if (folder / "postmaster.pid").exists():
                subprocess.run(
                    _as_postgres([str(bindir / "pg_ctl"), "stop", "-D", str(folder), "-m", "immediate"]), check=False
                )
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.req("N06", partial=True)
async def test_a_restore_to_a_moment_has_the_row_before_it_and_not_the_one_after(cluster: Scratch) -> None:
    today = time.strftime("%u")  # ISO weekday, as the script's `date +%u`: today is the full backup's day
    scheduled = cluster.schedule_once("state", TBMS_PGBACKREST_FULL_DAY=today)
    assert scheduled.returncode == 0, scheduled.stderr
    outcome = (cluster.root / "state" / "last-result").read_text()
    assert outcome.startswith("ok ") and "backup --type=full" in outcome, outcome
    assert commands.base_backups(cluster.root / "state" / "last-result", datetime.now(UTC))["ok"] is True
    (info,) = json.loads(cluster.pgbackrest("info", "--output=json").stdout)
    assert [backup["type"] for backup in info["backup"]] == ["full"]
    await asyncio.sleep(2)  # pgBackRest records the backup's stop time in whole seconds: the target must be after it
    await cluster.query("CREATE TABLE visits (id int PRIMARY KEY, note text)")
    await cluster.query("INSERT INTO visits VALUES (1, '訪問（目標時刻の前）')")
    target = (await cluster.query("SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US+00') AS t"))[0]["t"]
    await asyncio.sleep(1.5)
    await cluster.query("INSERT INTO visits VALUES (2, '訪問（目標時刻の後）')")
    cluster.pgbackrest("check")  # switches the WAL segment and waits until it is in the bucket

    restored, port = cluster.root / "restored", free_port()
    restored.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(restored, "postgres", "postgres")
    cluster.pgbackrest(
        f"--pg1-path={restored}", "--type=time", f"--target={target}", "--target-action=promote", "restore"
    )
    options = f"-p {port} -k {cluster.root} -c listen_addresses='' -c archive_mode=off"
    start = [str(cluster.bindir / "pg_ctl"), "start", "-w", "-D", str(restored), "-o", options]
    # the restore_command pgBackRest wrote runs with the same configuration, pointed at the restored folder
    restored_env = {**cluster.env, "PGBACKREST_PG1_PATH": str(restored), "PGBACKREST_PG1_PORT": str(port)}
    _run([*start, "-l", str(cluster.root / "restored.log")], restored_env)
    deadline = time.monotonic() + 120
    while (await cluster.query("SELECT pg_is_in_recovery() AS r", port=port))[0]["r"]:
        assert time.monotonic() < deadline, "the restored cluster did not finish its recovery"
        await asyncio.sleep(0.5)

    rows = await cluster.query("SELECT id, note FROM visits ORDER BY id", port=port)
    assert [(row["id"], row["note"]) for row in rows] == [(1, "訪問（目標時刻の前）")]
    assert (await cluster.query("SELECT count(*) AS n FROM visits"))[0]["n"] == 2  # the source still has both


@pytest.mark.req("N06", partial=True)
def test_a_failing_scheduled_backup_alerts_and_says_so(cluster: Scratch) -> None:
    """A repository that refuses the key: the script exits non-zero, prints the alert line and records the failure."""
    scheduled = cluster.schedule_once("state-failing", PGBACKREST_REPO1_S3_KEY_SECRET="not-the-secret")
    assert scheduled.returncode != 0
    assert "ALERT tbms-pgbackrest: stanza-create failed" in scheduled.stderr
    assert (cluster.root / "state-failing" / "last-result").read_text().startswith("failed ")
    assert commands.base_backups(cluster.root / "state-failing" / "last-result", datetime.now(UTC))["ok"] is False
