"""A whole system comes back after `tbms backup`, the loss of every data folder and `tbms restore` (R31, N06).

The test builds a small system of its own beside the running stack: a PostgreSQL cluster (initdb) holding every
service's database migrated to head, a MinIO with the documents' bucket, a NATS with JetStream, and a Keycloak (a
copy of the local distribution) that imported the local realm and holds a new user with a password and a TOTP
authenticator, in the 保健師 and 管理者 groups (patients registration and マスタ管理 更新, what nurse1 and admin1 do
in `tbms demo-data`). The patients, reports and masters services run as processes of this code on those, and trust
that Keycloak's tokens. With the user's own login (password + TOTP) the system is loaded as `make dev` loads the
stack: the synthetic master rows of `tbms demo-data` through the masters API and its 30 synthetic patients through
the patients API, by the same functions that command uses; then three more patients are registered, one corrected,
and a document is stored; the operations' audit records go into identity's hash chain. Then `tbms backup` runs
(with its drill); every server is stopped and its data folder deleted; empty ones start on the same ports;
`tbms restore` puts the backup into them; and the user logs in again with a code computed from their secret, the
services started again answer the same 33 patients, their histories, the patient list, every master list loaded
and the districts, the document opens with the same bytes, and the chain verifies.
The shared stack is not used: only the local configuration's values are read; nothing of it is started or written.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pyotp
import pytest
from tbms_testing.scratch import free_port
from tbms_tools import audit, cli, config, demo, demo_masters
from tbms_tools.backup import manifest
from tbms_tools.backup.settings import BackupSettings
from tbms_tools.components import java_home, write_development_realm

pytestmark = [pytest.mark.req("R31", partial=True), pytest.mark.req("N06", partial=True)]
USER, PASSWORD = "restore-nurse", "Restore-Pass-2026!"
ADMIN = ("scratch-admin", "scratch-admin-pw")
SERVED = ("patients", "reports", "masters")
DEMO_PATIENTS = 30  # what `make dev` registers (`tbms demo-data`)
PATIENT = {
    "name": "全体 復元",
    "name_kana": "ｾﾞﾝﾀｲ ﾌｸｹﾞﾝ",
    "sex": "female",
    "birth_date": "S55.3.3",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町1-2-3",
    "district": "世田谷",
}
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
FEED_AUDIT = """
import asyncio, json, sys
import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from tbms_core.events import Envelope
from identity.audit_log.consumers import on_operation_recorded

async def main(source: str, target: str) -> None:
    conn = await asyncpg.connect(source)
    try:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE subject LIKE 'tbms.audit.%' ORDER BY created_at")
    finally:
        await conn.close()
    engine = create_async_engine(target)
    async with async_sessionmaker(engine)() as session:
        for row in rows:
            payload = row["payload"]
            await on_operation_recorded(session, Envelope.model_validate(json.loads(payload)))
        await session.commit()
    await engine.dispose()
    print(len(rows))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def _bindir() -> Path:
    root = Path("/usr/lib/postgresql")
    bindir = root / sorted(os.listdir(root))[-1] / "bin" if root.is_dir() else root
    if not (bindir / "initdb").is_file():
        pytest.skip("no PostgreSQL server binaries (scripts/bootstrap.sh installs them)")
    return bindir


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    """An empty cluster in its own folder, on a given port (trust for the tbms superuser)."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port, self.bindir = data, port, _bindir()
        data.parent.mkdir(parents=True, exist_ok=True)
        data.parent.chmod(0o755)
        data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        initdb = [str(self.bindir / "initdb"), "-D", str(data), "-U", "tbms", "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
        start = [str(self.bindir / "pg_ctl"), "start", "-w", "-D", str(data), "-o", options, "-l", str(data / "log")]
        subprocess.run(_as_postgres(start), check=True, capture_output=True)

    def stop(self) -> None:
        stop = [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast"]
        subprocess.run(_as_postgres(stop), check=False, capture_output=True)


class Minio:
    """A MinIO server on its own folder and port, with its own KMS key (as `stack up` makes one)."""

    def __init__(self, root: Path, port: int) -> None:
        binary = config.cache_dir() / "bin" / "minio"
        if not binary.is_file():
            pytest.skip("no MinIO (scripts/bootstrap.sh installs it)")
        self.root, self.port = root, port
        env = {**os.environ, "MINIO_ROOT_USER": config.S3_ACCESS_KEY, "MINIO_ROOT_PASSWORD": config.S3_SECRET_KEY}
        env["MINIO_KMS_SECRET_KEY"] = config.minio_kms_secret_key(root)
        argv = [str(binary), "server", str(root / "s3"), "--address", f"127.0.0.1:{port}"]
        argv += ["--console-address", f"127.0.0.1:{free_port()}"]
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/minio/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                pytest.fail("the scratch MinIO did not start")
            time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Nats:
    """A nats-server with JetStream on its own folder and ports, with the local users and permissions."""

    def __init__(self, root: Path, port: int) -> None:
        binary = config.find_binary("nats-server", [Path(sys.executable).parent / "nats-server"])
        if binary is None:
            pytest.skip("no nats-server (scripts/bootstrap.sh installs it)")
        monitor = free_port()
        text = config.nats_server_config(root / "nats")
        text = text.replace(f"port: {config.NATS_PORT}", f"port: {port}")
        text = text.replace(f"http_port: {config.NATS_MONITOR_PORT}", f"http_port: {monitor}")
        text = text.replace("server_name: tbms-local", "server_name: tbms-scratch")
        (root / "nats").mkdir(parents=True)
        conf = root / "nats.conf"
        conf.write_text(text, encoding="utf-8")
        self.process = subprocess.Popen(
            [str(binary), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{monitor}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                pytest.fail("the scratch NATS did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Keycloak:
    """Keycloak from a distribution folder (its H2 store in data/h2), on fixed ports; imports what data/import holds
    only when asked to."""

    def __init__(self, home: Path, port: int, management: int, *, import_realm: bool) -> None:
        self.home, self.port = home, port
        env = {**os.environ, "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN[0], "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1]}
        if java := java_home():
            env["JAVA_HOME"] = java
        argv = [str(home / "bin" / "kc.sh"), "start-dev", "--http-host=127.0.0.1", f"--http-port={port}"]
        argv += [f"--http-management-port={management}", "--health-enabled=true", "--hostname-strict=false"]
        argv += ["--import-realm"] if import_realm else []
        self.log = (home / "scratch.log").open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=home, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Keycloak ended: {(home / 'scratch.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{management}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(1)
        self.stop()
        pytest.fail("Keycloak was not ready within 420 s")

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/realms/{config.REALM}"

    def stop(self) -> None:
        """Stops it: its H2 store closed and complete."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=90)
        self.log.close()

    def add_user(self, totp_secret: str) -> None:
        """A new user of the 保健師 and 管理者 groups (patients update, マスタ管理 更新) with a password and a TOTP
        authenticator, nothing pending."""
        token = httpx.post(
            f"http://127.0.0.1:{self.port}/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": ADMIN[0], "password": ADMIN[1]},
            timeout=30,
        )
        token.raise_for_status()
        otp = {"subType": "totp", "digits": 6, "counter": 0, "period": 30, "algorithm": "HmacSHA1"}
        user = {
            "username": USER,
            "enabled": True,
            "email": f"{USER}@example.test",
            "emailVerified": True,
            "firstName": "花子",
            "lastName": "復元",
            "groups": ["/保健師", "/管理者"],
            "requiredActions": [],
            "credentials": [
                {"type": "password", "value": PASSWORD, "temporary": False},
                {
                    "type": "otp",
                    "userLabel": "試験用",
                    "secretData": json.dumps({"value": totp_secret}),
                    "credentialData": json.dumps({**otp, "secretEncoding": "BASE32"}),
                },
            ],
        }
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        url = f"http://127.0.0.1:{self.port}/admin/realms/{config.REALM}/users"
        created = httpx.post(url, json=user, headers=headers, timeout=30)
        created.raise_for_status()
        user_url = f"{url}/{created.headers['location'].rsplit('/', 1)[1]}"
        # the realm's default actions (set up an authenticator, check the profile) are already done
        httpx.put(user_url, json={"requiredActions": []}, headers=headers, timeout=30).raise_for_status()

    def login(self, code: str) -> httpx.Response:
        """The password grant with the TOTP code, through the gateway's client (as the local realm allows)."""
        data = {"grant_type": "password", "username": USER, "password": PASSWORD, "totp": code, "scope": "openid"}
        return self._token(data)

    def refresh(self, refresh_token: str) -> httpx.Response:
        """A new access token of the same session (an access token lives 5 minutes in the local realm)."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token(self, data: dict[str, str]) -> httpx.Response:
        gateway = config.service_env("gateway")
        client = {
            "client_id": gateway["TBMS_GATEWAY_OIDC_CLIENT_ID"],
            "client_secret": gateway["TBMS_GATEWAY_OIDC_SECRET"],
        }
        return httpx.post(f"{self.issuer}/protocol/openid-connect/token", data={**client, **data}, timeout=30)


def _keycloak_home(where: Path) -> Path:
    """A copy of the local Keycloak distribution without any store (a new machine's installation)."""
    home = config.keycloak_home()
    if not (home / "bin" / "kc.sh").is_file():
        pytest.skip("Keycloak not found (run scripts/bootstrap.sh)")
    return Path(shutil.copytree(home, where, ignore=shutil.ignore_patterns("h2", "import", "tmp", "*.log")))


def _service_env(service: str, ports: dict[str, int]) -> dict[str, str]:
    """The service's local environment pointed at the scratch servers."""
    prefix = f"TBMS_{service.upper()}_"
    env = config.service_env(service)
    env[prefix + "DATABASE_URL"] = f"postgresql+asyncpg://tbms@127.0.0.1:{ports['pg']}/tbms_{service}"
    env[prefix + "NATS_URL"] = env[prefix + "NATS_URL"].replace(f":{config.NATS_PORT}", f":{ports['nats']}")
    env[prefix + "OIDC_ISSUER"] = f"http://127.0.0.1:{ports['keycloak']}/realms/{config.REALM}"
    if prefix + "S3_ENDPOINT" in env:
        env[prefix + "S3_ENDPOINT"] = f"127.0.0.1:{ports['s3']}"
    if prefix + "KEYCLOAK_URL" in env:
        env[prefix + "KEYCLOAK_URL"] = f"http://127.0.0.1:{ports['keycloak']}"
    env.pop(prefix + "SPAN_FILE_DIR", None)
    return env


def _migrate_every_service(ports: dict[str, int]) -> list[str]:
    """Every service's database created and migrated to head on the scratch cluster; returns the databases."""
    databases = []
    for service in config.SERVICES:
        database = f"tbms_{service}"
        create = ["psql", "-h", "127.0.0.1", "-p", str(ports["pg"]), "-U", "tbms", "-d", "postgres", "-c"]
        subprocess.run([*create, f'CREATE DATABASE "{database}"'], check=True, capture_output=True)
        databases.append(database)
        ini = config.repo_root() / "services" / service / "alembic.ini"
        if ini.is_file():
            argv = [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"]
            env = {**os.environ, **_service_env(service, ports)}
            subprocess.run(argv, env=env, check=True, cwd=config.repo_root(), capture_output=True)
    return databases


@asynccontextmanager
async def _services(ports: dict[str, int]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """The patients, reports and masters services of this code in their own processes on the scratch servers."""
    servers, clients = [], {}
    try:
        for service in SERVED:
            port = free_port()
            argv = [sys.executable, "-m", "uvicorn", "--factory", f"{service}.main:create_app", "--port", str(port)]
            env = {**os.environ, **_service_env(service, ports)}
            servers.append(
                await asyncio.create_subprocess_exec(*argv, "--host", "127.0.0.1", "--log-level", "warning", env=env)
            )
            clients[service] = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60)
        for service, api in clients.items():
            for _ in range(600):
                try:
                    if (await api.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"{service} did not answer")
        yield clients
    finally:
        for api in clients.values():
            await api.aclose()
        for server in servers:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=30)


def _load_masters(base_url: str, token: str, districts: list[dict[str, Any]]) -> list[demo_masters.MasterRow]:
    """The synthetic master rows `tbms demo-data` adds, through the masters API by that command's own functions."""
    rows = demo_masters.demo_masters(districts)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        added = demo_masters.create(client, rows)
    assert added == len(rows), (added, len(rows))
    return rows


def _register(base_url: str, token: str, people: list[dict[str, str]]) -> list[str]:
    """People registered through the patients API by `tbms demo-data`'s own function; returns their ids."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        return [str(created["id"]) for created in demo.register(client, people)]


async def _all_pages(api: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str) -> list[Any]:
    """Every item of a paged list (`items`, `total`), page after page of the most a page holds."""
    items: list[Any] = []
    while True:
        response = await api.get(path, params={**params, "limit": 500, "offset": len(items)}, headers=headers)
        assert response.status_code == 200, (path, response.text)
        page = response.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


async def _served(
    clients: dict[str, httpx.AsyncClient], token: str, ids: list[str], kinds: list[str], attachment: str
) -> Any:
    """What the services answer: each patient, its edit history, the patient list, each kind's master list (ended
    rows included) and the districts, the document and its bytes."""
    headers = {"Authorization": f"Bearer {token}"}
    answers: dict[str, Any] = {}
    for patient_id in ids:
        for path in (f"/patients/{patient_id}", f"/patients/{patient_id}/history"):
            response = await clients["patients"].get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
            answers[path] = response.json()
    answers["/patients"] = await _all_pages(clients["patients"], "/patients", headers)
    for kind in kinds:
        path = f"/masters/{kind}"
        answers[path] = await _all_pages(clients["masters"], path, headers, include_ended="true")
    districts = await clients["masters"].get("/districts", headers=headers)
    assert districts.status_code == 200, districts.text
    answers["/districts"] = districts.json()
    content = await clients["reports"].get(f"/attachments/{attachment}/content", headers=headers)
    assert content.status_code == 200, content.text
    answers["document"] = content.content
    return answers


def _feed_audit(ports: dict[str, int]) -> int:
    """The served services' audit records (their outboxes) appended to identity's hash chain by
    identity's own consumer code, as NATS would deliver them; returns how many."""
    env = {**os.environ, **_service_env("identity", ports)}
    identity = env["TBMS_IDENTITY_DATABASE_URL"]
    fed = 0
    for service in SERVED:
        source = f"postgresql://tbms@127.0.0.1:{ports['pg']}/tbms_{service}"
        argv = [sys.executable, "-c", FEED_AUDIT, source, identity]
        done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True, cwd=config.repo_root())
        fed += int(done.stdout.strip().splitlines()[-1])
    return fed


async def _audit_rows(port: int) -> int:
    conn = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:{port}/tbms_identity")
    try:
        return int(await conn.fetchval("SELECT count(*) FROM audit_events"))
    finally:
        await conn.close()


def _renewed(keycloak: Keycloak, session: dict[str, Any]) -> str:
    """A new access token of the login's session (one lives 5 minutes in the local realm); keeps the session's new
    refresh token."""
    refreshed = keycloak.refresh(session["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    session.update(refreshed.json())
    return str(session["access_token"])


def _fresh_code(totp: pyotp.TOTP, used: set[int]) -> str:
    """A code of a time step not used before (Keycloak refuses a code used once)."""
    while int(time.time() // 30) in used:
        time.sleep(1)
    step = int(time.time() // 30)
    used.add(step)
    return totp.at(step * 30)


# two Keycloak starts (about 3 minutes each on two busy cores), migrations, the demo data, the drill
@pytest.mark.timeout(1800)
async def test_the_whole_system_comes_back_after_every_data_folder_was_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="tbms-whole-"))
    os.chmod(root, 0o755)  # noqa: S103 - the postgres user runs the cluster below it
    ports = {"pg": free_port(), "s3": free_port(), "keycloak": free_port(), "nats": free_port()}
    management = free_port()
    totp, used = pyotp.TOTP(pyotp.random_base32()), set[int]()
    target, key_file = root / "backups", root / "keys" / "backup.key"
    realm_file = root / "machine-1" / "realm" / "tbms-realm.json"
    for name, value in {
        "TBMS_BACKUP_TARGET": str(target),
        "TBMS_BACKUP_KEYFILE": str(key_file),
        "TBMS_BACKUP_PG_PORT": str(ports["pg"]),
        "TBMS_BACKUP_S3_ENDPOINT": f"127.0.0.1:{ports['s3']}",
        "TBMS_BACKUP_BUCKETS": config.S3_BUCKET,
        "TBMS_BACKUP_KEYCLOAK_H2": str(root / "machine-1" / "keycloak" / "data" / "h2"),
        "TBMS_BACKUP_KEYCLOAK_URL": "",
        "TBMS_BACKUP_CONFIG_PATHS": str(realm_file),
        "TBMS_BACKUP_COPY_BUCKET": "",
    }.items():
        monkeypatch.setenv(name, value)
    running: list[Any] = []
    try:
        # machine 1: the servers, every database migrated, Keycloak with the local realm and a new user
        running.append(Postgres(root / "machine-1" / "pg", ports["pg"]))
        running.append(Minio(root / "machine-1", ports["s3"]))
        running.append(Nats(root / "machine-1", ports["nats"]))
        databases = await asyncio.to_thread(_migrate_every_service, ports)
        home = _keycloak_home(root / "machine-1" / "keycloak")
        write_development_realm(realm_file)
        (home / "data" / "import").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(realm_file, home / "data" / "import" / "tbms-realm.json")
        keycloak = await asyncio.to_thread(Keycloak, home, ports["keycloak"], management, import_realm=True)
        running.append(keycloak)
        await asyncio.to_thread(keycloak.add_user, totp.secret)
        login = await asyncio.to_thread(keycloak.login, _fresh_code(totp, used))
        assert login.status_code == 200, login.text
        session: dict[str, Any] = login.json()
        token = session["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        async with _services(ports) as clients:
            # what `make dev` loads (`tbms demo-data`): the synthetic master rows, then the synthetic patients
            districts = (await clients["masters"].get("/districts", headers=headers)).raise_for_status().json()
            assert districts, "masters holds no districts"
            masters_url, patients_url = str(clients["masters"].base_url), str(clients["patients"].base_url)
            rows = await asyncio.to_thread(_load_masters, masters_url, token, districts)
            kinds = sorted({row.kind for row in rows} | {"district"})
            people = demo.demo_patients(DEMO_PATIENTS, districts=[str(district["name"]) for district in districts])
            token = await asyncio.to_thread(_renewed, keycloak, session)
            ids = await asyncio.to_thread(_register, patients_url, token, people)
            # and the user's own work on it: three more patients, one corrected, a document stored
            mine = [{**PATIENT, "name": f"全体 復元{number}"} for number in range(3)]
            ids += await asyncio.to_thread(_register, patients_url, token, mine)
            own = ids[DEMO_PATIENTS]
            token = await asyncio.to_thread(_renewed, keycloak, session)
            headers = {"Authorization": f"Bearer {token}"}
            first = (await clients["patients"].get(f"/patients/{own}", headers=headers)).json()
            change = {
                "version": first["version"],
                "changes": {"address": "東京都世田谷区試験町7-8-9"},
                "reason": "転居",
            }
            corrected = await clients["patients"].patch(f"/patients/{own}", json=change, headers=headers)
            assert corrected.status_code == 200, corrected.text
            form = {"owner_type": "patient", "owner_id": own, "person_id": own, "kind": "referral"}
            form |= {"title": "試験病院からの紹介状", "document_date": "R8.4.1"}
            files = [("files", ("紹介状.pdf", PDF, "application/pdf"))]
            stored = await clients["reports"].post("/attachments", data=form, files=files, headers=headers)
            assert stored.status_code == 201, stored.text
            attachment = stored.json()[0]["id"]
            before = await _served(clients, token, ids, kinds, attachment)
            assert before["document"] == PDF
            assert len(before[f"/patients/{own}/history"]["items"]) >= 1
            assert len(ids) == len(set(ids)) == DEMO_PATIENTS + 3
            assert {item["id"] for item in before["/patients"]} == set(ids)
            for kind in kinds:
                loaded = {row.code for row in rows if row.kind == kind}
                assert loaded <= {item["code"] for item in before[f"/masters/{kind}"]}, kind
            assert len(before["/masters/district"]) == len(districts)
            fed = await asyncio.to_thread(_feed_audit, ports)
            chained = await _audit_rows(ports["pg"])  # the services' starts go to the change log instead
            assert fed >= 5 and chained >= 5
            keycloak.stop()  # its H2 store is taken closed; the services keep running through the backup
            assert await asyncio.to_thread(cli.main, ["backup"]) == 0  # with its drill, as from a shell
        taken = sorted(p for p in target.iterdir() if (p / "manifest.json").is_file())[-1]
        document = manifest.read(taken)
        assert set(document["databases"]) >= set(config.SERVICES)
        assert document["keycloak"]["store"]["credentials"].get("otp", 0) >= 1

        # every data folder lost: the servers stopped, their folders deleted
        for server in reversed(running):
            server.stop()
        running.clear()
        shutil.rmtree(root / "machine-1")

        # machine 2: empty servers on the same ports, `tbms restore` into them, then Keycloak on the restored store
        running.append(Postgres(root / "machine-2" / "pg", ports["pg"]))
        running.append(Minio(root / "machine-2", ports["s3"]))
        running.append(Nats(root / "machine-2", ports["nats"]))
        home = _keycloak_home(root / "machine-2" / "keycloak")
        restore_started = time.monotonic()
        argv = ["restore", taken.name, "--into-live", "--keycloak-h2", str(home / "data" / "h2")]
        argv += ["--config-dir", str(root / "machine-2" / "config")]
        assert await asyncio.to_thread(cli.main, argv) == 0
        restore_seconds = time.monotonic() - restore_started
        keycloak = await asyncio.to_thread(Keycloak, home, ports["keycloak"], management, import_realm=False)
        running.append(keycloak)
        wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
        refused = await asyncio.to_thread(keycloak.login, wrong)
        assert refused.status_code in (400, 401), refused.text
        login = await asyncio.to_thread(keycloak.login, _fresh_code(totp, used))
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]

        async with _services(ports) as clients:
            after = await _served(clients, token, ids, kinds, attachment)
        assert after == before
        chain = await asyncio.to_thread(audit.verify, database_url=BackupSettings().sqlalchemy_url("tbms_identity"))
        assert chain.returncode == 0, chain.stdout + chain.stderr
        assert await _audit_rows(ports["pg"]) == chained
        conn = await asyncpg.connect(BackupSettings().dsn("postgres"))
        try:
            restored = {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
        finally:
            await conn.close()
        assert set(databases) <= restored
        print(f"whole system: restore {restore_seconds:.0f} s, test {time.monotonic() - started:.0f} s")
    finally:
        for server in reversed(running):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
