"""The one way a tbms service is assembled: database, auth, broker, outbox relay, telemetry, health, metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import nats
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream import AckPolicy, StreamMessage
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker, NatsMessage, PullSub
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.js.errors import ServiceUnavailableError
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation, OperationsKind

from tbms_core import audit, nats_access, operations_log, outbox
from tbms_core.auth import TokenVerifier
from tbms_core.db import Database
from tbms_core.deployment import record_start
from tbms_core.errors import AccessDenied, domain_error_response, install_error_handlers
from tbms_core.events import Envelope, stream_of
from tbms_core.housekeeping import EventLogSweep
from tbms_core.parking import Parking, retry_delay
from tbms_core.relay import OutboxRelay, ensure_streams
from tbms_core.settings import ServiceSettings
from tbms_core.telemetry import broker_logger, instrument_sql, setup_logging, setup_tracing
from tbms_core.web import health_router, observe

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
Hook = Callable[["ServiceKit"], Awaitable[None]]
log = logging.getLogger(__name__)
# outcome: applied, duplicate (applied before), retried (failed, delivered again later), parked (given up on)
CONSUMED = Counter("tbms_events_consumed_total", "Events handled by consumers, by outcome", ["consumer", "outcome"])


@dataclass(frozen=True)
class Hooks:
    """Service code run before the broker starts and after it stopped."""

    on_startup: Hook | None = None
    on_shutdown: Hook | None = None


@dataclass(frozen=True)
class Consumer:
    """An idempotent subscription: `handle` runs once per event, in the same transaction as the inbox claim."""

    name: str
    subject: str
    handle: Handler


@dataclass
class ServiceKit:
    """What a running service holds, reachable as `app.state.kit`."""

    name: str
    settings: ServiceSettings
    db: Database
    broker: NatsBroker
    provider: TracerProvider
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def subscribe(kit: ServiceKit, consumer: Consumer) -> None:
    """Registers a durable JetStream consumer `<service>-<handler>` that skips events it has applied.

    Nothing is dropped: a handler that raises gets the event again after a growing delay, and after
    `consumer_max_deliveries` deliveries the event is parked with its error (`tbms parked replay` brings it
    back). A payload that is not an envelope at all is parked at once: no retry can make it readable.
    """
    settings = kit.settings
    durable = f"{kit.name}-{consumer.name}{settings.durable_suffix}"
    stream = stream_of(consumer.subject)
    nats_access.check_consumer_stream(kit.name, consumer.subject, stream)
    test_run = bool(settings.durable_suffix)  # a test run beside the dev stack: new events only, expires idle
    parking = Parking(kit.broker, durable)

    @kit.broker.subscriber(
        consumer.subject,
        stream=JStream(name=stream, declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=50, timeout=1.0),
        deliver_policy=DeliverPolicy.NEW if test_run else DeliverPolicy.ALL,
        config=ConsumerConfig(
            ack_wait=settings.consumer_ack_wait_seconds,
            max_deliver=-1,  # redelivery is counted and ended here, by parking
            inactive_threshold=300.0 if test_run else None,
        ),
        ack_policy=AckPolicy.MANUAL,
        decoder=_undecoded,
        inbox_prefix=nats_access.pull_inbox_prefix(kit.name),
    )
    async def _on_event(body: bytes, msg: NatsMessage) -> None:
        raw = msg.raw_message
        deliveries = raw.metadata.num_delivered
        try:
            envelope = Envelope.model_validate_json(body)
        except ValueError as exc:
            await _park(kit, msg, parking, deliveries, f"unreadable event: {exc}")
            return
        try:
            applied = await _apply(kit, consumer, durable, envelope)
        except Exception as exc:
            log.warning("consumer %s failed on %s (delivery %d): %r", durable, envelope.event_id, deliveries, exc)
            if deliveries < settings.consumer_max_deliveries:
                CONSUMED.labels(durable, "retried").inc()
                await msg.nack(delay=retry_delay(settings.consumer_retry_delays, deliveries))
                return
            await _park(kit, msg, parking, deliveries, repr(exc), event_id=str(envelope.event_id))
            return
        await msg.ack()
        CONSUMED.labels(durable, "applied" if applied else "duplicate").inc()


async def _undecoded(msg: StreamMessage) -> bytes:  # type: ignore[type-arg]
    """The raw payload: the handler parses it, so an unreadable one is parked rather than failing in FastStream."""
    return msg.body


async def _apply(kit: ServiceKit, consumer: Consumer, durable: str, envelope: Envelope) -> bool:
    """Runs the handler in the inbox claim's transaction; False when the event was applied before."""
    async with kit.db.session() as session:
        if not await outbox.claim(session, durable, envelope.event_id):
            return False
        await consumer.handle(session, envelope)
    return True


async def _park(
    kit: ServiceKit, msg: NatsMessage, parking: Parking, deliveries: int, error: str, *, event_id: str = ""
) -> None:
    """Parks the event and ends its delivery; if even parking fails, the event comes again later."""
    try:
        await parking.park(msg.raw_message, deliveries=deliveries, error=error, event_id=event_id)
    except Exception:
        log.exception("consumer %s could not park event %s; it will be delivered again", parking.consumer, event_id)
        await msg.nack(delay=30.0)
        return
    await _log_parked(kit, msg, parking.consumer, deliveries, error, event_id)
    await msg.reject()  # parked: JetStream must not deliver it again
    CONSUMED.labels(parking.consumer, "parked").inc()


async def _log_parked(
    kit: ServiceKit, msg: NatsMessage, consumer: str, deliveries: int, error: str, event_id: str
) -> None:
    """Records the parking in the operations log (N18), once per stored message however often it is parked."""
    position = msg.raw_message.metadata.sequence.stream
    details = {
        "consumer": consumer,
        "subject": msg.raw_message.subject,
        "event_id": event_id,
        "deliveries": str(deliveries),
        "error": operations_log.error_type(error),
    }
    try:
        async with kit.db.session() as session:
            await operations_log.record(
                session,
                kit.name,
                OperationsKind.MESSAGE_PARKED,
                details,
                event_id=operations_log.entry_id("parked", consumer, msg.raw_message.subject, position, event_id),
            )
    except Exception:  # already recorded (the same message parked again), or the database is away: logged above
        log.warning("parking of %s by %s not added to the operations log", event_id, consumer, exc_info=True)


def create_service_app(
    name: str,
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[Consumer] = (),
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
) -> FastAPI:
    """A FastAPI app for one service, wired to its database, NATS, Keycloak and telemetry."""
    setup_logging(name)
    provider = setup_tracing(name, settings.span_file_dir)
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    broker = NatsBroker(
        nats_access.servers(settings.nats_url),
        middlewares=[NatsTelemetryMiddleware(tracer_provider=provider)],
        logger=broker_logger(),
        **nats_access.broker_options(name, settings.nats_ca_file),
    )
    kit = ServiceKit(name, settings, db, broker, provider)
    for consumer in () if settings.restored_copy else consumers:
        subscribe(kit, consumer)
    app = FastAPI(title=title, lifespan=_lifespan(kit, Hooks(on_startup, on_shutdown)))
    app.state.kit, app.state.db, app.state.settings = kit, db, settings
    app.state.verifier = TokenVerifier(settings.oidc_issuer, settings.oidc_audience)
    install_error_handlers(app)
    app.add_exception_handler(AccessDenied, _audit_refusal(kit))
    app.include_router(health_router(_ready_check(kit)))
    for router in routers:
        app.include_router(router)
    observe(app, name, provider)
    instrument_sql(db.engine, provider)
    return app


async def stop_tasks(tasks: Sequence[asyncio.Task[None]], *, patience: float = 10.0) -> None:
    """Cancels background tasks and waits for them, cancelling again any that swallowed a cancellation.

    A library awaited inside a task (a database driver, a NATS client) may catch the CancelledError, so
    one `cancel()` is not enough to be sure the task ends; waiting unbounded would hang the shutdown.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    pending = {task for task in tasks if not task.done()}
    while pending and loop.time() < deadline:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.5)
    for task in pending:
        log.error("background task %s did not stop within %.0f s", task.get_name(), patience)


def _lifespan(kit: ServiceKit, hooks: Hooks):
    if kit.settings.restored_copy:
        return _restored_copy_lifespan(kit)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await prepare_streams(kit)
        if hooks.on_startup is not None:
            await hooks.on_startup(kit)
        await record_start(kit.name, kit.settings, kit.db)
        await kit.broker.start()
        # without it, a relay process of its own publishes the outbox (tbms_core.relay_process)
        relay = OutboxRelay.of(kit.name, kit.db, kit.settings) if kit.settings.outbox_relay else None
        if relay is not None:
            kit.tasks.append(asyncio.create_task(relay.run(), name=f"{kit.name}-outbox-relay"))
        if kit.settings.event_retention_sweep_seconds > 0:
            sweep = EventLogSweep(
                kit.db,
                outbox_days=kit.settings.outbox_retention_days,
                inbox_days=kit.settings.inbox_retention_days,
                interval=kit.settings.event_retention_sweep_seconds,
            )
            kit.tasks.append(asyncio.create_task(sweep.run(), name=f"{kit.name}-event-retention"))
        try:
            yield
        finally:
            await kit.broker.stop()  # no message may arrive while the rest shuts down
            if relay is not None:
                relay.stop()
            await stop_tasks(kit.tasks)
            if hooks.on_shutdown is not None:
                await hooks.on_shutdown(kit)
            await kit.db.dispose()

    return lifespan


STREAMS_PATIENCE_SECONDS = 120.0  # how long a starting service waits for JetStream to answer before it gives up


async def prepare_streams(kit: ServiceKit, *, patience: float = STREAMS_PATIENCE_SECONDS) -> None:
    """Creates the service's streams when missing, waiting out a JetStream that does not answer yet (a cluster
    electing leaders after a node failed, a node still starting): a request that times out is tried again with
    backoff instead of ending the start, until `patience` is spent."""
    loop = asyncio.get_running_loop()
    deadline, attempt = loop.time() + patience, 0
    options = nats_access.connect_options(kit.name, kit.settings.nats_ca_file)
    while True:
        try:
            nc = await nats.connect(nats_access.servers(kit.settings.nats_url), **options)
            try:
                await ensure_streams(
                    nc.jetstream(),
                    service=kit.name,
                    parked_retention_days=kit.settings.parked_retention_days,
                    replicas=kit.settings.nats_stream_replicas,
                )
            finally:
                await nc.close()
            return
        except (TimeoutError, nats.errors.NoServersError, ServiceUnavailableError) as exc:
            attempt += 1
            if loop.time() >= deadline:
                raise
            log.warning("%s: JetStream did not answer at start (%r); trying again (attempt %d)", kit.name, exc, attempt)
            await asyncio.sleep(min(2.0**attempt, 10.0))


def _restored_copy_lifespan(kit: ServiceKit):
    """A restored copy: the database only. No NATS connection at all, no relay (its outbox would publish events the
    live system already had), no consumers (they would take messages from the live durable consumers), no start
    record and none of the service's background work."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.warning("%s runs as a restored copy: no events are published or consumed", kit.name)
        try:
            yield
        finally:
            await kit.db.dispose()

    return lifespan


OPERATION_OF_METHOD = {
    "GET": Operation.READ,
    "POST": Operation.CREATE,
    "PUT": Operation.UPDATE,
    "PATCH": Operation.UPDATE,
    "DELETE": Operation.DELETE,
}


def _audit_refusal(kit: ServiceKit):
    """Records a refused attempt in its own transaction (the request's own work was rolled back)."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            async with kit.db.session() as session:
                await audit.record(
                    session,
                    principal,
                    kit.name,
                    OPERATION_OF_METHOD.get(request.method, Operation.READ),
                    record_type=getattr(request.scope.get("route"), "path", request.url.path),
                    result="denied",
                    detail=str(exc),
                )
        return domain_error_response(exc)  # type: ignore[arg-type]

    return handler


def _ready_check(kit: ServiceKit):
    async def ready() -> None:
        async with kit.db.session() as session:
            await session.execute(text("SELECT 1"))
        if not kit.settings.restored_copy and not await kit.broker.ping(timeout=2):
            raise ConnectionError("NATS does not answer")

    return ready
