"""Kill recovery (R28, N07 in part): under a steady write load, processes killed with SIGKILL one at a time and
two at once come back, and afterwards every committed write has exactly one effect in every read model.

Everything runs on scratch components of its own, never the shared stack: a scratch PostgreSQL cluster (its own data
folder and port), a scratch three-node JetStream cluster with the local users and permissions (every stream with
three replicas), and identity, patients, search, reports, contacts and the gateway each in its own uvicorn process of
this code. Patients' process publishes nothing itself: its outbox relay runs as a process of its own
(`python -m tbms_core.relay_process patients`), as a site may run it. The gateway keeps its sessions in the scratch
PostgreSQL; a browser logs in to it through the local Keycloak (password and TOTP), which also gives the load's tokens.

A load writes about two changes a second through the APIs (registrations, lab results, new contacts of a registered
patient) and reads patients back (reads that are audited). One after another a patients process, patients' relay,
search, reports, contacts, the gateway, PostgreSQL (the whole cluster, restarted on the same data folder: crash
recovery) and the NATS node leading the patients' stream are killed with SIGKILL and started again; then patients and
search at once. For each kill the time until every kind of write succeeds again and until the read models hold every
write committed so far is measured and printed (docs/recovery.md keeps them). No write fails while only the relay is
down, and the browser's session survives the gateway's kill and every kill after it, PostgreSQL's included.
At the end every registered patient is found exactly once by search with its newest version, is held once with the
newest version by reports' and contacts' read models, every new contact is indexed once, nothing is parked but the
two poison messages the test injected (a registration whose payload is no event: each read model's consumers park
it once, and the events behind it flow) and no outbox row by a relay, every outbox row was published, identity's
operation history holds one creation per committed registration and contact, and its chain verifies.
It lives outside tests/system on purpose: it needs no shared stack and starts or restarts none of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest
from tbms_core import nats_access, parking
from tbms_core.clock import today
from tbms_core.events import PARKED_STREAM
from tbms_testing.browser import keycloak_browser, log_in
from tbms_testing.keycloak import auth_headers
from tbms_testing.scratch import free_port
from tbms_testing.services import migrate
from tbms_tools import audit, config
from tbms_tools.scratch_nats import ScratchCluster

pytestmark = [
    pytest.mark.req("R28", partial=True),
    pytest.mark.req("N07", partial=True),
]

SERVICES = ("identity", "patients", "search", "reports", "contacts")  # identity keeps the operation history
REPLICATED = {"patients": 2}  # processes of a service, as compose's replicas (uvicorn workers on one port here)
RELAYED = "patients"  # its processes publish nothing: a relay process of its own does (killed in turn)
NOWHERE = "http://127.0.0.1:9"  # the gateway's back ends the test does not run (its pages say they cannot be reached)
NATS_NODES = 3  # a JetStream cluster, every stream with three replicas, as compose runs it
WRITES_PER_SECOND = 2.0
READS_PER_WRITE = 1
SETTLE_SECONDS = 3.0  # load before the first kill and between kills
DOWN_SECONDS = 1.0  # how long a killed component stays down before it is started again
CATCH_UP_LIMIT = 60.0
RESULTS_FILE_VARIABLE = "TBMS_KILL_RESULTS"  # where to write the measured times as JSON (optional)


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    """A scratch PostgreSQL cluster started as its own process group, so a SIGKILL takes the whole cluster."""

    def __init__(self, root: Path) -> None:
        bindir = config.postgres_bindir()
        if bindir is None:
            pytest.fail("PostgreSQL binaries not found (run scripts/bootstrap.sh)")
        self.bindir = bindir
        self.root = root
        self.data = root / "pg"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.data, "postgres", "postgres")
        initdb = [str(self.bindir / "initdb"), "-D", str(self.data), "-U", config.PG_USER, "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres([*initdb, "--locale=C.UTF-8"]), check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        argv = [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.root)]
        argv += ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
        log = (self.root / "postgres.log").open("ab")
        # the postmaster is our own child (no runuser in between), so its death is reaped and its lock file released
        owner = {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}
        self.process = subprocess.Popen(argv, stdout=log, stderr=log, start_new_session=True, **owner)  # type: ignore[call-overload]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
            if subprocess.run(ready, check=False).returncode == 0:
                return
            if self.process.poll() is not None:
                pytest.fail(f"scratch PostgreSQL ended: {(self.root / 'postgres.log').read_text()[-2000:]}")
            time.sleep(0.2)
        pytest.fail("scratch PostgreSQL did not accept connections within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 20  # the backends notice their postmaster's death and end
        while time.monotonic() < deadline and _postgres_pids(self.data):
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def dsn(self, database: str) -> str:
        return f"postgresql://{config.PG_USER}@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL the services and tools take."""
        return f"postgresql+asyncpg://{config.PG_USER}@127.0.0.1:{self.port}/{database}"


def _postgres_pids(data: Path) -> list[int]:
    """Processes still running the cluster of `data` (found by their command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(data).encode() in environ and b"postgres" in environ:
                found.append(int(entry.name))
    return found


def _children(parent: int) -> list[int]:
    """Pids of the live processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


@dataclass
class Service:
    """One service in its own uvicorn process (its own process group) on the scratch PostgreSQL and NATS."""

    name: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    relay_of: str = ""  # a relay process of that service (tbms_core.relay_process), its metrics on `port`
    workers: int = 1  # uvicorn processes sharing the port, the database and the durable consumers (replicas)

    def start(self) -> None:
        if self.relay_of:
            command = [sys.executable, "-m", "tbms_core.relay_process", self.relay_of, "--metrics-port", str(self.port)]
        else:
            command = [sys.executable, "-m", "uvicorn", "--factory", f"{self.name}.main:create_app"]
            command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
            command += ["--workers", str(self.workers)] if self.workers > 1 else []
        log = self.log.open("ab")
        environment = {**os.environ, **self.env}
        self.process = subprocess.Popen(command, env=environment, stdout=log, stderr=log, start_new_session=True)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes serving the port (the children of its supervisor)."""
        assert self.process is not None
        return _children(self.process.pid)

    def kill_one_worker(self) -> None:
        """SIGKILLs one of the workers; its supervisor starts another, while the others keep serving."""
        os.kill(self.worker_pids()[0], signal.SIGKILL)

    def workers_back(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < self.workers:
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: uvicorn did not replace its killed worker within {timeout} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _service_env(service: str, root: Path, pg: Postgres, broker: ScratchCluster) -> dict[str, str]:
    env = config.service_env(service, root / "state")
    key = f"TBMS_{service.upper()}_"
    env[f"{key}DATABASE_URL"] = pg.url(f"tbms_{service}")
    credentials = env[f"{key}NATS_URL"].removeprefix("nats://").rpartition("@")[0]  # the service's NATS user
    env[f"{key}NATS_URL"] = broker.urls(credentials)  # every node: the client moves on when its node dies
    env[f"{key}NATS_STREAM_REPLICAS"] = "3"
    for unwatched in ("SPAN_FILE_DIR", "HEALTH_TARGETS", "MAINTENANCE_SCHEDULE_URL"):
        env.pop(f"{key}{unwatched}", None)
    return env


def _gateway_env(root: Path, pg: Postgres, services: dict[str, Service]) -> dict[str, str]:
    """The gateway on the scratch services, its sessions in the scratch PostgreSQL. Its public URL stays the one the
    local realm knows (Keycloak sends the browser back there), and the test hands the callback to this process."""
    env = config.service_env("gateway", root / "state")
    env["TBMS_GATEWAY_DATABASE_URL"] = pg.url("tbms_gateway")
    env["TBMS_GATEWAY_SESSION_STORE"] = "postgres"
    for backend in config.SERVICES:
        if backend != "gateway":
            env[f"TBMS_GATEWAY_{backend.upper()}_URL"] = services[backend].url if backend in services else NOWHERE
    env.pop("TBMS_GATEWAY_SPAN_FILE_DIR", None)
    return env


@pytest.fixture(scope="module")
def scratch() -> Iterator[tuple[Postgres, ScratchCluster, dict[str, Service]]]:
    root = Path(tempfile.mkdtemp(prefix="tbms-kill-"))
    root.chmod(0o755)
    pg, broker = Postgres(root / "pgroot"), ScratchCluster(root / "nats", NATS_NODES)
    (root / "pgroot").mkdir()
    services: dict[str, Service] = {}
    try:
        pg.init()
        pg.start()
        broker.start()

        async def create_databases() -> None:
            conn = await asyncpg.connect(pg.dsn("postgres"))
            try:
                for service in (*SERVICES, "gateway"):
                    await conn.execute(f'CREATE DATABASE "tbms_{service}"')
            finally:
                await conn.close()

        asyncio.run(create_databases())
        for service in SERVICES:
            env = _service_env(service, root, pg, broker)
            migrate(service, env)
            if service == RELAYED:
                env[f"TBMS_{service.upper()}_OUTBOX_RELAY"] = "false"
                relay = Service(f"{service}-relay", env, root / f"{service}-relay.log", relay_of=service)
                services[relay.name] = relay
            services[service] = Service(service, env, root / f"{service}.log", workers=REPLICATED.get(service, 1))
        services["gateway"] = Service("gateway", _gateway_env(root, pg, services), root / "gateway.log")
        migrate("gateway", services["gateway"].env)
        for service in services.values():
            service.start()
        for service in services.values():
            _wait_healthy(service)
        yield pg, broker, services
    finally:
        for service in services.values():
            service.stop()
        broker.stop()
        pg.stop()
        logs = {path.name: path.read_text(errors="replace")[-3000:] for path in root.glob("*.log")}
        if os.environ.get("TBMS_KILL_KEEP"):
            print(f"scratch kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        del logs


def _wait_healthy(service: Service, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{service.url}/health/live", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if service.process is not None and service.process.poll() is not None:
            pytest.fail(f"{service.name} ended with {service.process.returncode}: {service.log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"{service.name} did not answer within {timeout} s")


@dataclass
class Committed:
    """What the APIs answered 2xx to: the patients registered, the lab results and the contacts created."""

    patients: dict[str, int] = field(default_factory=dict)  # id -> version answered at registration
    registration_no: dict[str, str] = field(default_factory=dict)
    lab_results: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    failures: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> answer (or error) -> how many
    outcomes: list[tuple[str, float, str]] = field(default_factory=list)  # kind, monotonic time, "2xx" or the answer


PATIENT = {
    "name_kana": "ｼｹﾝ ﾀﾛｳ",
    "sex": "male",
    "birth_date": "S50.4.1",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町1-2-3",
    "district": "世田谷",
}


class Load:
    """About two writes a second through the APIs, each followed by an audited read, kept running in a thread."""

    def __init__(self, services: dict[str, Service]) -> None:
        self.services = services
        self.committed = Committed()
        self.running = False
        self.number = 0
        self.headers = auth_headers("nurse1")
        self.headers_at = time.monotonic()

    def _auth(self) -> dict[str, str]:
        if time.monotonic() - self.headers_at > 120:  # tokens live five minutes
            self.headers, self.headers_at = auth_headers("nurse1"), time.monotonic()
        return self.headers

    def _ok(self, kind: str, response: httpx.Response | None) -> bool:
        ok = response is not None and 200 <= response.status_code < 300
        answer = "2xx" if ok else "no answer" if response is None else str(response.status_code)
        self.committed.outcomes.append((kind, time.monotonic(), answer))
        if not ok:
            counts = self.committed.failures.setdefault(kind, {})
            counts[answer] = counts.get(answer, 0) + 1
        return ok

    def _post(self, service: str, path: str, body: dict[str, Any]) -> httpx.Response | None:
        try:
            return httpx.post(f"{self.services[service].url}{path}", json=body, headers=self._auth(), timeout=10)
        except httpx.HTTPError:
            return None

    def register(self) -> None:
        self.number += 1
        body = {**PATIENT, "name": f"障害 太郎{self.number}"}
        response = self._post("patients", "/patients", body)
        if self._ok("registration", response):
            assert response is not None
            answer = response.json()
            self.committed.patients[answer["id"]] = answer["version"]
            self.committed.registration_no[answer["id"]] = answer["registration_no"]

    def lab_result(self, patient_id: str) -> None:
        body = {"kind": "smear", "specimen": "喀痰", "collected_on": today().isoformat(), "details": {"grade": "1+"}}
        response = self._post("patients", f"/patients/{patient_id}/lab-results", body)
        if self._ok("lab_result", response):
            assert response is not None
            self.committed.lab_results.append(str(response.json().get("id")))

    def contact(self, patient_id: str) -> None:
        exposure = {
            "index_patient_id": patient_id,
            "setting": "workplace",
            "hours": 2,
            "last_contact_on": today().isoformat(),
            "infectiousness": "low",
        }
        body = {"name": "接触 次郎", "name_kana": "セッショク ジロウ", "birth_date": "1985-06-01"}
        body["exposures"] = [exposure]
        response = self._post("contacts", "/contacts", body)
        if self._ok("contact", response):
            assert response is not None
            self.committed.contacts.append(response.json()["id"])

    def read(self, patient_id: str) -> None:
        try:
            response = httpx.get(
                f"{self.services['patients'].url}/patients/{patient_id}", headers=self._auth(), timeout=10
            )
        except httpx.HTTPError:
            response = None
        self._ok("read", response)

    def step(self, turn: int) -> None:
        known = list(self.committed.patients)
        if turn % 3 == 0 or not known:
            self.register()
        elif turn % 3 == 1:
            self.lab_result(random.choice(known))
        else:
            self.contact(random.choice(known[: max(1, len(known) // 2)]))  # a patient contacts surely know by now
        if known:
            self.read(random.choice(known))

    async def run(self) -> None:
        self.running = True
        turn = 0
        interval = 1 / WRITES_PER_SECOND
        began = time.monotonic()
        while self.running:
            await asyncio.to_thread(self.step, turn)
            turn += 1  # on a fixed schedule: a slow answer is made up for by the next turns
            await asyncio.sleep(max(0.0, began + turn * interval - time.monotonic()))


async def _read_models(pg: Postgres) -> dict[str, dict[str, int]]:
    """Patient id -> version held by search's ledger, reports' and contacts' read models; contact ids in search."""
    found: dict[str, dict[str, int]] = {}
    queries = {
        "search": (
            "tbms_search",
            "SELECT record_id::text, version FROM indexed_versions WHERE record_type = 'patient'",
        ),
        "search_contacts": (
            "tbms_search",
            "SELECT record_id::text, version FROM indexed_versions WHERE record_type = 'contact'",
        ),
        "reports": ("tbms_reports", "SELECT id::text, version FROM patient_summaries"),
        "contacts": ("tbms_contacts", "SELECT patient_id::text, version FROM index_cases"),
    }
    for name, (database, sql) in queries.items():
        conn = await asyncpg.connect(pg.dsn(database), timeout=5)
        try:
            found[name] = {row[0]: row[1] for row in await conn.fetch(sql)}
        finally:
            await conn.close()
    return found


async def _caught_up(pg: Postgres, committed: Committed, patients: dict[str, int], contacts: list[str]) -> bool:
    try:
        held = await _read_models(pg)
    except (OSError, asyncpg.PostgresError):
        return False
    for model in ("search", "reports", "contacts"):
        if any(held[model].get(pid, -1) < version for pid, version in patients.items()):
            return False
    return all(cid in held["search_contacts"] for cid in contacts)


WRITES = ("registration", "lab_result", "contact")


def _writes_back(outcomes: list[tuple[str, float, str]], killed_at: float) -> float | None:
    """Seconds from the kill until every kind of write succeeded after its last failure (0 when none failed), once
    every kind has succeeded twice in a row since the restart; None until then."""
    back = 0.0
    for kind in WRITES:
        since = [(at, answer == "2xx") for k, at, answer in outcomes if k == kind and at >= killed_at]
        if len(since) < 2 or not (since[-1][1] and since[-2][1]):
            return None
        failures = [at for at, ok in since if not ok]
        if failures:
            first_ok = next(at for at, ok in since if ok and at > failures[-1])
            back = max(back, first_ok - killed_at)
    return back


async def _recover(
    kill_name: str, kill: Any, restart: Any, load: Load, pg: Postgres, wait_for: list[Service]
) -> dict[str, float]:
    """Kills, waits DOWN_SECONDS, restarts; measures from the kill until every kind of write succeeds again and until
    the read models hold every write committed up to then."""
    killed_at = time.monotonic()
    await asyncio.to_thread(kill)
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(restart)
    for service in wait_for:
        await asyncio.to_thread(_wait_healthy, service)
    while (writes_back := _writes_back(load.committed.outcomes, killed_at)) is None:
        if time.monotonic() - killed_at > CATCH_UP_LIMIT:
            pytest.fail(f"after killing {kill_name}, writes did not succeed again: {load.committed.failures}")
        await asyncio.sleep(0.05)
    patients = dict(load.committed.patients)
    contacts = list(load.committed.contacts)
    while not await _caught_up(pg, load.committed, patients, contacts):
        if time.monotonic() - killed_at > CATCH_UP_LIMIT:
            held = await _read_models(pg)
            missing = {m: [p for p in patients if p not in held[m]] for m in ("search", "reports", "contacts")}
            pytest.fail(f"after killing {kill_name}, read models did not catch up: {missing}")
        await asyncio.sleep(0.1)
    caught_up = time.monotonic() - killed_at
    failed: dict[str, int] = {}  # the answers other than 2xx while this component was down, writes and reads
    for _, at, answer in load.committed.outcomes:
        if killed_at <= at <= killed_at + caught_up and answer != "2xx":
            failed[answer] = failed.get(answer, 0) + 1
    return {"writes": round(writes_back, 1), "read_models": round(caught_up, 1), "failed": failed}


POISON_SUBJECT = "tbms.patients.patient.registered.v1"  # every read model's consumers take it
POISONED_SERVICES = {"search", "reports", "contacts"}


async def _inject_poison(services: dict[str, Service], number: int) -> bytes:
    """Publishes, as patients would, a registration whose payload is no event at all; its bytes."""
    payload = json.dumps({"poison": number, "note": "injected by the kill test"}).encode()
    url = services["patients"].env["TBMS_PATIENTS_NATS_URL"]  # the patients user, on every node
    connection = await nats.connect(url.split(","), **nats_access.connect_options("patients"))  # its reply inbox
    try:
        headers = {"Nats-Msg-Id": f"kill-test-poison-{number}"}
        await connection.jetstream().publish(POISON_SUBJECT, payload, headers=headers, timeout=10)
    finally:
        await connection.close()
    return payload


async def _parked(broker: ScratchCluster) -> list[tuple[str, bytes]]:
    """Every parked message: the consumer that parked it and the payload it kept."""
    connection = await nats.connect(broker.urls().split(","))
    try:
        js = connection.jetstream()
        try:
            count = (await js.stream_info(PARKED_STREAM)).state.messages
        except nats.js.errors.NotFoundError:
            return []
        subscription = await js.subscribe("tbms.parked.>", ordered_consumer=True)
        found = []
        for _ in range(count):
            message = await subscription.next_msg(timeout=10)
            found.append(((message.headers or {}).get(parking.CONSUMER, ""), message.data))
        await subscription.unsubscribe()
        return found
    finally:
        await connection.close()


async def _only_poison_parked(broker: ScratchCluster, poison: list[bytes]) -> None:
    """Each read model's consumers parked each poison message (once per consumer), and nothing else was parked."""
    deadline = time.monotonic() + CATCH_UP_LIMIT
    while True:
        parked = await _parked(broker)
        others = [(consumer, data[:200]) for consumer, data in parked if data not in poison]
        assert not others, f"events were parked besides the injected poison: {others}"
        by = {data: [consumer for consumer, kept in parked if kept == data] for data in poison}
        twice = {data: consumers for data, consumers in by.items() if len(consumers) != len(set(consumers))}
        assert not twice, f"a consumer parked the same poison twice: {twice}"
        missing = {
            data: POISONED_SERVICES - {consumer.split("-", 1)[0] for consumer in consumers}
            for data, consumers in by.items()
        }
        if not any(missing.values()):
            return
        assert time.monotonic() < deadline, f"poison not parked by these services: {missing}"
        await asyncio.sleep(0.5)


async def _leader(broker: ScratchCluster, stream: str) -> str:
    """The server name of the node leading a stream."""
    connection = await nats.connect(broker.urls().split(","))
    try:
        info = await connection.jetstream().stream_info(stream)
        assert info.cluster is not None and info.cluster.leader, f"{stream} has no leader"
        return info.cluster.leader
    finally:
        await connection.close()


async def _search_finds_once(service: Service, registration_no: str, patient_id: str, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        response = await client.get("/search", params={"q": registration_no, "limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    return sum(1 for item in response.json()["items"] if item["record_type"] == "patient" and item["id"] == patient_id)


@pytest.mark.timeout(420)
def test_killed_processes_recover_and_every_committed_write_has_one_effect(
    scratch: tuple[Postgres, ScratchCluster, dict[str, Service]],
) -> None:
    pg, broker, services = scratch
    results = asyncio.run(_scenario(pg, broker, services))
    print("\nkill recovery (seconds from SIGKILL): " + json.dumps(results, ensure_ascii=False))
    if target := os.environ.get(RESULTS_FILE_VARIABLE):
        Path(target).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


async def _logged_in(gateway: Service, keycloak: httpx.AsyncClient) -> httpx.AsyncClient:
    """A browser logged in to the gateway as nurse1 through the local Keycloak (password and TOTP)."""
    browser = httpx.AsyncClient(base_url=gateway.url, timeout=30)
    answer = await log_in(browser, keycloak, "nurse1")
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text[:500]
    return browser


async def _still_logged_in(browser: httpx.AsyncClient, after: str) -> None:
    """The browser's session cookie still opens the home page: no new login was asked for."""
    page = await browser.get("/")
    assert page.status_code == 200, f"after {after} the gateway asked for a login again: {page.headers}"
    assert "ログアウト" in page.text, f"after {after} the home page is not a logged-in one"


async def _scenario(pg: Postgres, broker: ScratchCluster, services: dict[str, Service]) -> dict[str, Any]:
    load = Load(services)
    running = asyncio.create_task(load.run())
    results: dict[str, Any] = {}
    started = time.monotonic()
    async with keycloak_browser() as keycloak:
        browser = await _logged_in(services["gateway"], keycloak)
    poison = [await _inject_poison(services, 1)]  # parked at once, the events behind it flow
    try:
        await asyncio.sleep(SETTLE_SECONDS * 2)
        replicas = services["patients"]
        results["one of 2 patients processes"] = await _recover(
            "one of 2 patients processes", replicas.kill_one_worker, replicas.workers_back, load, pg, [replicas]
        )
        await asyncio.sleep(SETTLE_SECONDS)
        for name in ("patients", f"{RELAYED}-relay", "search", "reports", "contacts", "gateway"):
            service = services[name]
            results[name] = await _recover(name, service.kill, service.start, load, pg, [service])
            await asyncio.sleep(SETTLE_SECONDS)
        assert results[f"{RELAYED}-relay"]["writes"] == 0, "writes failed while only the relay was down"
        poison.append(await _inject_poison(services, 2))
        await _still_logged_in(browser, "the gateway's SIGKILL and restart")
        results["postgres"] = await _recover("postgres", pg.kill, pg.start, load, pg, [])
        await asyncio.sleep(SETTLE_SECONDS)
        leader = broker.named(await _leader(broker, "PATIENTS"))  # the node every registration's event goes to
        results["nats node"] = await _recover("nats node", leader.kill, leader.start, load, pg, [])
        await asyncio.sleep(SETTLE_SECONDS)
        pair = [services["patients"], services["search"]]

        def kill_pair() -> None:
            for service in pair:
                service.kill()

        def start_pair() -> None:
            for service in pair:
                service.start()

        results["patients+search"] = await _recover("patients+search", kill_pair, start_pair, load, pg, pair)
        await asyncio.sleep(SETTLE_SECONDS)
        await _still_logged_in(browser, "every kill")  # PostgreSQL, which keeps the sessions, included
    finally:
        load.running = False
        await running
        await browser.aclose()
    results["load"] = {
        "seconds": round(time.monotonic() - started),
        "registrations": len(load.committed.patients),
        "lab_results": len(load.committed.lab_results),
        "contacts": len(load.committed.contacts),
        "failed_writes": load.committed.failures,
    }

    # every committed write, exactly one effect, newest version, in every read model; nothing parked
    headers = auth_headers("nurse1")
    current: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=services["patients"].url, timeout=10) as client:
        for patient_id in load.committed.patients:
            response = await client.get(f"/patients/{patient_id}", headers=headers)
            assert response.status_code == 200, response.text
            current[patient_id] = response.json()["version"]
    deadline = time.monotonic() + CATCH_UP_LIMIT
    while True:
        held = await _read_models(pg)
        stale = {m: {p: (v, held[m].get(p)) for p, v in current.items() if held[m].get(p) != v} for m in held}
        stale.pop("search_contacts")
        missing_contacts = [c for c in load.committed.contacts if c not in held["search_contacts"]]
        if not any(stale.values()) and not missing_contacts:
            break
        assert time.monotonic() < deadline, f"read models differ from patients: {stale}, contacts {missing_contacts}"
        await asyncio.sleep(0.2)
    for model in ("search", "reports", "contacts"):
        assert set(held[model]) == set(current), f"{model} holds patients nobody registered"
    assert set(held["search_contacts"]) == set(load.committed.contacts)
    for patient_id, registration_no in load.committed.registration_no.items():
        assert await _search_finds_once(services["search"], registration_no, patient_id, headers) == 1, registration_no
    await _only_poison_parked(broker, poison)
    deadline = time.monotonic() + CATCH_UP_LIMIT
    while True:
        parked_rows, pending_rows = await _outboxes(pg)
        if not pending_rows or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert parked_rows == 0 and pending_rows == 0, f"outbox rows parked: {parked_rows}, never published: {pending_rows}"

    # the operation history: one 'create' row for every committed registration and contact, and the chain verifies
    expected = {("patient", p) for p in load.committed.patients} | {("contact", c) for c in load.committed.contacts}
    deadline = time.monotonic() + CATCH_UP_LIMIT
    while not expected <= set(audited := await _audited_creations(pg)):
        assert time.monotonic() < deadline, f"{len(expected - set(audited))} committed writes have no audit row"
        await asyncio.sleep(0.2)
    twice = {key: count for key, count in audited.items() if key in expected and count != 1}
    assert not twice, f"audit rows not once each: {twice}"
    verified = await asyncio.to_thread(audit.verify, database_url=pg.url("tbms_identity"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    results["audit"] = {"creations": len(expected), "chain": verified.stdout.strip().splitlines()[-1:]}
    return results


async def _audited_creations(pg: Postgres) -> dict[tuple[str, str], int]:
    """(record type, id) -> how many 'create' rows identity's operation history holds for it."""
    conn = await asyncpg.connect(pg.dsn("tbms_identity"), timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT record_type, record_id, count(*) FROM audit_events WHERE operation = 'create'"
            " AND record_type IN ('patient', 'contact') GROUP BY record_type, record_id"
        )
    finally:
        await conn.close()
    return {(row[0], row[1]): row[2] for row in rows}


async def _outboxes(pg: Postgres) -> tuple[int, int]:
    """Outbox rows the relays parked and rows still waiting to be published, over the four services."""
    parked = pending = 0
    for service in SERVICES:
        conn = await asyncpg.connect(pg.dsn(f"tbms_{service}"), timeout=5)
        try:
            if await conn.fetchval("SELECT to_regclass('outbox') IS NOT NULL"):
                parked += await conn.fetchval("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL")
                pending += await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        finally:
            await conn.close()
    return parked, pending
