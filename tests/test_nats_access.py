"""NATS users: a service publishes only its own subjects and reads only the streams it consumes (N16, N09).

A scratch nats-server runs the authorization block of deploy/nats/nats.conf (the production file, passwords from
its environment) on a free port; each service connects as its own user, as the services do.
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A nats-server with JetStream and deploy/nats/nats.conf's users, on a free port; yields the port."""
    binary = config.find_binary("nats-server")
    if binary is None:
        pytest.fail("nats-server not found (run scripts/bootstrap.sh)")
    work = tmp_path_factory.mktemp("nats")
    port = free_port()
    subprocess.run(["sh", str(CERT_SCRIPT), str(work / "certs")], check=True, capture_output=True)
    conf = work / "nats.conf"
    text = PRODUCTION_CONF.read_text(encoding="utf-8").replace("/etc/nats/certs", str(work / "certs"))
    conf.write_text(text.replace("port: 4222", f"port: {port}"))
    env = {**os.environ, **{nats_access.password_variable(s): p for s, p in PASSWORDS.items()}}
    argv = [str(binary), "-c", str(conf), "-a", "127.0.0.1", "-p", str(port), "-m", "0", "-js", "-sd", str(work)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    global CA_FILE
    CA_FILE = str(work / "certs" / "ca.crt")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"nats-server refused the production config: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


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
