"""NATS users: a service publishes only its own subjects and reads only the streams it consumes (N16, N09).

Scratch nats-servers run deploy/nats/nats.conf (the production file, passwords from their environment) as the
production three-node cluster on free ports; each service connects as its own user, as the services do.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from faststream.nats import NatsBroker
from nats.errors import Error as NatsError
from nats.js.api import ConsumerConfig, StreamConfig
from nats.js.errors import APIError
from opentelemetry.sdk.trace import TracerProvider
from tbms_core import nats_access
from tbms_core.app import Consumer, ServiceKit, subscribe
from tbms_core.db import Base, Database
from tbms_core.events import PARKED_STREAM, STREAMS, Envelope
from tbms_core.outbox import InboxMessage
from tbms_core.parking import parked_subject
from tbms_core.relay import ensure_streams
from tbms_core.settings import ServiceSettings
from tbms_testing.scratch import free_port
from tbms_testing.services import drop_database, recreate_database, wait_for
from tbms_testing.stack import ensure_infrastructure
from tbms_tools import config

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_CONF = ROOT / "deploy" / "nats" / "nats.conf"
CERT_SCRIPT = ROOT / "deploy" / "certs" / "make-internal-certs.sh"
PASSWORDS = {service: f"scratch-{service}-pw" for service in nats_access.SERVICES}


NODES = 3  # the production cluster: nats, nats-2 and nats-3 of docker-compose.yml


def node_config(production: str, certs: Path, index: int, route_ports: list[int]) -> str:
    """deploy/nats/nats.conf for one scratch node: certificates from `certs`, the routes on loopback ports instead
    of the compose host names (the certificate names 127.0.0.1 as well)."""
    text = production.replace("/etc/nats/certs", str(certs))
    text = text.replace("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{route_ports[index]}")
    for host, port in zip(("nats", "nats-2", "nats-3"), route_ports, strict=True):
        text = text.replace(f"nats-route://{host}:6222", f"nats-route://127.0.0.1:{port}")
    return text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """deploy/nats/nats.conf run as the production cluster: three nats-servers with JetStream, the users and the
    mutual-TLS routes, on free ports; yields the client port of the first node."""
    binary = config.find_binary("nats-server")
    if binary is None:
        pytest.fail("nats-server not found (run scripts/bootstrap.sh)")
    work = tmp_path_factory.mktemp("nats")
    subprocess.run(["sh", str(CERT_SCRIPT), str(work / "certs")], check=True, capture_output=True)
    production = PRODUCTION_CONF.read_text(encoding="utf-8")
    ports, route_ports = [free_port() for _ in range(NODES)], [free_port() for _ in range(NODES)]
    env = {**os.environ, **{nats_access.password_variable(s): p for s, p in PASSWORDS.items()}}
    processes = []
    global CA_FILE
    CA_FILE = str(work / "certs" / "ca.crt")
    try:
        for index, port in enumerate(ports):
            conf = work / f"nats-{index + 1}.conf"
            conf.write_text(node_config(production, work / "certs", index, route_ports))
            store = work / f"store-{index + 1}"
            argv = [
                str(binary),
                "-c",
                str(conf),
                "-a",
                "127.0.0.1",
                "-p",
                str(port),
                "-m",
                "0",
                "-js",
                "-sd",
                str(store),
            ]
            log = (work / f"nats-{index + 1}.log").open("wb")
            node_env = env | {"NATS_SERVER_NAME": f"scratch-nats-{index + 1}"}
            processes.append(subprocess.Popen(argv, env=node_env, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 30
        for process, port in zip(processes, ports, strict=True):
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    logs = "\n".join(p.read_text() for p in work.glob("nats-*.log"))
                    pytest.fail(f"nats-server refused the production config: {logs}")
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
        asyncio.run(_until_jetstream_is_clustered(ports[0]))
        yield ports[0]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


async def _until_jetstream_is_clustered(port: int) -> None:
    """Waits until the cluster has elected its JetStream meta leader (streams can be created)."""
    nc = await nats.connect(_url(port, "patients"), **_options("patients"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                await nc.jetstream(timeout=2).account_info()
                return
            except (NatsError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await nc.close()


CA_FILE = ""


def _url(port: int, service: str) -> str:
    return f"tls://{service}:{PASSWORDS[service]}@127.0.0.1:{port}"


def _options(service: str) -> dict[str, object]:
    """What a service passes to nats.connect: its reply subjects and TLS against the internal CA."""
    return nats_access.connect_options(service, CA_FILE)


class _Client:
    """A connection as one service's user that collects the server's permission errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    async def connect(self, port: int, service: str) -> nats.NATS:
        async def on_error(error: Exception) -> None:
            self.errors.append(str(error))

        return await nats.connect(_url(port, service), error_cb=on_error, **_options(service), max_reconnect_attempts=0)

    async def violations(self, nc: nats.NATS) -> list[str]:
        await nc.flush()
        await asyncio.sleep(0.2)  # the server reports a refused publish asynchronously
        return [e for e in self.errors if "permissions violation" in e.lower()]


@pytest.fixture
async def streams(server: int) -> AsyncIterator[int]:
    """Every stream, each created by its owner as the services do at start."""
    for service in nats_access.SERVICES:
        nc = await nats.connect(_url(server, service), **_options(service))
        await ensure_streams(nc.jetstream(), service=service)
        await nc.close()
    yield server


def test_committed_config_matches_the_permission_table() -> None:
    """deploy/nats/nats.conf carries exactly the users and permissions tbms_core.nats_access defines."""
    assert nats_access.authorization_block() in PRODUCTION_CONF.read_text(encoding="utf-8")


@pytest.mark.req("N16", partial=True)
async def test_a_connection_without_credentials_or_tls_is_refused(server: int) -> None:
    tls = nats_access.connect_options("patients", CA_FILE)["tls"]
    refused = {
        "no credentials": (f"tls://127.0.0.1:{server}", tls),
        "a wrong password": (f"tls://patients:wrong@127.0.0.1:{server}", tls),
        "a client that does not trust the internal CA": (_url(server, "patients"), None),
    }
    for why, (url, context) in refused.items():
        options = {"tls": context} if context else {}
        with pytest.raises((NatsError, OSError)):
            await nats.connect(url, max_reconnect_attempts=0, allow_reconnect=False, connect_timeout=3, **options)
            pytest.fail(f"connected with {why}")
    nc = await nats.connect(_url(server, "patients"), **_options("patients"))
    assert nc.is_connected
    await nc.close()


@pytest.mark.req("N16", partial=True)
async def test_a_service_publishes_its_own_events_and_audit_and_nothing_else(streams: int) -> None:
    client = _Client()
    nc = await client.connect(streams, "patients")
    js = nc.jetstream(timeout=2.0)
    ack = await js.publish("tbms.patients.patient.registered.v1", b"{}")
    assert ack.stream == "PATIENTS"
    assert (await js.publish("tbms.audit.patients.operation.recorded.v1", b"{}")).stream == "AUDIT"
    assert (await js.publish(parked_subject("patients-on_master_changed"), b"{}")).stream == PARKED_STREAM
    assert await client.violations(nc) == []
    forged = [
        "tbms.audit.identity.operation.recorded.v1",  # another service's audit record
        "tbms.audit.operation.recorded.v1",  # an audit record under no service
        "tbms.contacts.contact.registered.v1",  # another service's domain event
        "tbms.masters.record.changed.v1",
        parked_subject("identity-on_operation_recorded"),
    ]
    for subject in forged:
        await nc.publish(subject, b"{}")
    refused = await client.violations(nc)
    assert len(refused) == len(forged), refused
    await nc.close()


@pytest.mark.req("N16", partial=True)
async def test_a_service_reads_only_the_streams_it_consumes(streams: int) -> None:
    client = _Client()
    nc = await client.connect(streams, "search")
    js = nc.jetstream(timeout=2.0)
    consumer = ConsumerConfig(durable_name="search-scratch", ack_policy="explicit")
    await js.add_consumer("PATIENTS", consumer)  # search consumes patients' events
    with pytest.raises((APIError, NatsError, TimeoutError)):
        await js.add_consumer("AUDIT", consumer.evolve(durable_name="search-audit"))
    with pytest.raises((APIError, NatsError, TimeoutError)):
        await js.stream_info("IDENTITY")
    await nc.subscribe("tbms.>")  # a core subscription to every event, bypassing JetStream
    assert await client.violations(nc), "a core subscription to tbms.> must be refused"
    await nc.close()


@pytest.mark.req("N16", partial=True)
async def test_a_service_cannot_change_or_delete_another_services_stream(streams: int) -> None:
    nc = await nats.connect(_url(streams, "reports"), **_options("reports"))
    js = nc.jetstream(timeout=2.0)
    with pytest.raises((APIError, NatsError, TimeoutError)):
        await js.update_stream(StreamConfig(name="PATIENTS", subjects=STREAMS["PATIENTS"], max_age=1.0))
    with pytest.raises((APIError, NatsError, TimeoutError)):
        await js.delete_stream("AUDIT")
    with pytest.raises((APIError, NatsError, TimeoutError)):
        await js.purge_stream("PATIENTS")
    await nc.close()


async def test_every_service_starts_its_streams_and_consumers_with_its_own_user(streams: int) -> None:
    """What `create_service_app` does at start, per service: its streams, then a consumer on each it reads."""
    for service in nats_access.SERVICES:
        client = _Client()
        nc = await client.connect(streams, service)
        js = nc.jetstream(timeout=2.0)
        await ensure_streams(js, service=service)
        for stream in nats_access.CONSUMES[service]:
            name = f"{service}-startcheck"
            await js.add_consumer(stream, ConsumerConfig(durable_name=name, ack_policy="explicit"))
            pulled = await js.pull_subscribe_bind(name, stream=stream)
            try:
                for msg in await pulled.fetch(1, timeout=0.5):
                    await msg.ack()
            except TimeoutError:
                pass  # nothing to read yet: the pull itself was allowed
        assert await client.violations(nc) == [], service
        await nc.close()


@pytest.mark.req("N16", partial=True)
async def test_a_services_consumer_receives_events_through_its_own_user(streams: int) -> None:
    """The kernel's consumer (`tbms_core.app.subscribe`: FastStream's pull subscriber, its own reply subjects) as
    search runs it, on its own user over TLS: a patients event arrives and is applied, with no permission error."""
    ensure_infrastructure()
    database = f"tbms_natsaccess_t{os.getpid()}"
    await recreate_database(database)
    url = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"
    db = Database(url)
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    broker = NatsBroker(_url(streams, "search"), error_cb=on_error, **nats_access.broker_options("search", CA_FILE))
    settings = ServiceSettings(database_url=url, durable_suffix=f"-t{os.getpid()}")
    kit = ServiceKit("search", settings, db, broker, TracerProvider())
    applied: list[str] = []

    async def handle(_: object, envelope: Envelope) -> None:
        applied.append(str(envelope.event_id))

    subject = "tbms.patients.patient.registered.v1"
    subscribe(kit, Consumer("on_scratch", subject, handle))
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all, tables=[InboxMessage.__table__])
        await broker.start()
        nc = await nats.connect(_url(streams, "patients"), **_options("patients"))
        envelope = Envelope(type=subject, aggregate_id=uuid.uuid4().hex, payload={})
        data = envelope.model_dump_json().encode()
        await nc.jetstream().publish(subject, data, headers={"Nats-Msg-Id": str(envelope.event_id)})
        await nc.close()
        await wait_for(lambda: _done(applied), timeout=15)
        assert applied == [str(envelope.event_id)]
        assert [e for e in errors if "permission" in e.lower()] == []
    finally:
        await broker.stop()
        await db.dispose()
        await drop_database(database)


async def _done(applied: list[str]) -> bool:
    return bool(applied)


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N16", partial=True)
async def test_the_production_cluster_keeps_a_service_stream_on_three_nodes(server: int) -> None:
    """The three nodes found each other over the mutual-TLS routes: a stream with three replicas can be placed."""
    nc = await nats.connect(_url(server, "workflow"), **_options("workflow"))
    js = nc.jetstream(timeout=5.0)
    await ensure_streams(js, service="workflow", replicas=3)
    info = await js.stream_info("WORKFLOW")
    if info.config.num_replicas != 3:  # made with one replica by an earlier test: kept, so its owner scales it
        await js.update_stream(info.config.evolve(num_replicas=3))

    async def placed() -> object:
        info = await js.stream_info("WORKFLOW")
        return info if info.cluster and info.cluster.leader and len(info.cluster.replicas or []) == 2 else None

    info = await wait_for(placed, timeout=20)  # a leader and two replicas, once the peers have caught up
    assert info.config.num_replicas == 3  # type: ignore[attr-defined]
    await nc.close()
