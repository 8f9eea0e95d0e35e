"""Point-in-time recovery (N06): WAL archived continuously with pgBackRest to an S3 bucket, and a cluster restored to
a moment between two commits has the row committed before it and not the one after.

A scratch PostgreSQL archives every WAL segment (archive_command = pgbackrest archive-push) into a scratch MinIO over
HTTPS verified against the internal CA, encrypted (aes-256-cbc, repo1-cipher-pass); a base backup is taken, one row
committed, the moment noted, a second row committed; then a new data folder is restored to that moment and started.
Nothing of the shared stack is touched. Needs pgbackrest (Debian's package) and the stack's MinIO binary.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from tbms_core.object_store import s3_client
from tbms_testing.scratch import free_port, internal_certificates, wait_for_port
from tbms_tools import config

S3_USER, S3_SECRET = "scratch-pitr", "scratch-pitr-secret"
BUCKET, STANZA = "tbms-wal-pitr", "tbms"


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(_as_postgres(argv), capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(argv)}: {result.stdout}\n{result.stderr}"
    return result


@dataclass
class Scratch:
    """The scratch cluster, its pgBackRest configuration and where it keeps things."""

    root: Path
    bindir: Path
    config: Path
    data: Path
    port: int

    def pgbackrest(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(["pgbackrest", f"--config={self.config}", f"--stanza={STANZA}", *args])

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


def _pgbackrest_config(root: Path, data: Path, port: int, s3_port: int, ca: Path) -> Path:
    path = root / "pgbackrest.conf"
    path.write_text(
        "\n".join(
            [
                "[global]",
                "repo1-type=s3",
                "repo1-path=/tbms/pg",
                f"repo1-s3-bucket={BUCKET}",
                "repo1-s3-endpoint=localhost",
                f"repo1-storage-port={s3_port}",
                f"repo1-storage-ca-file={ca}",
                "repo1-s3-region=ap-northeast-1",
                "repo1-s3-uri-style=path",
                f"repo1-s3-key={S3_USER}",
                f"repo1-s3-key-secret={S3_SECRET}",
                "repo1-cipher-type=aes-256-cbc",
                "repo1-cipher-pass=scratch-pitr-cipher-pass",
                "repo1-retention-full=2",
                "compress-type=zst",
                f"log-path={root / 'log'}",
                f"lock-path={root / 'lock'}",
                f"spool-path={root / 'spool'}",
                "log-level-console=warn",
                "log-level-file=info",
                "",
                f"[{STANZA}]",
                f"pg1-path={data}",
                f"pg1-port={port}",
                f"pg1-socket-path={root}",
                "pg1-user=tbms",
                "",
            ]
        )
    )
    return path


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
    for folder in (root / "log", root / "lock", root / "spool"):
        folder.mkdir(parents=True)
    data.mkdir(mode=0o700)
    s3_port, ca = minio
    shutil.copy(ca, root / "ca.crt")  # where the postgres user can read it
    scratch = Scratch(root, bindir, _pgbackrest_config(root, data, port, s3_port, root / "ca.crt"), data, port)
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(root)], check=True)
    _run([str(bindir / "initdb"), "-D", str(data), "-U", "tbms", "--auth=trust", "-E", "UTF8"])
    archive = f"pgbackrest --config={scratch.config} --stanza={STANZA} archive-push %p"
    options = [
        f"-p {port} -k {root} -c listen_addresses=''",
        "-c wal_level=replica -c archive_mode=on",
        f"-c archive_command='{archive}'",
        "-c archive_timeout=60",
    ]
    _run([str(bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", " ".join(options), "-l", str(root / "pg.log")])
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
    cluster.pgbackrest("stanza-create")
    cluster.pgbackrest("--type=full", "backup")
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
    _run([*start, "-l", str(cluster.root / "restored.log")])
    deadline = time.monotonic() + 120
    while (await cluster.query("SELECT pg_is_in_recovery() AS r", port=port))[0]["r"]:
        assert time.monotonic() < deadline, "the restored cluster did not finish its recovery"
        await asyncio.sleep(0.5)

    rows = await cluster.query("SELECT id, note FROM visits ORDER BY id", port=port)
    assert [(row["id"], row["note"]) for row in rows] == [(1, "訪問（目標時刻の前）")]
    assert (await cluster.query("SELECT count(*) AS n FROM visits"))[0]["n"] == 2  # the source still has both
