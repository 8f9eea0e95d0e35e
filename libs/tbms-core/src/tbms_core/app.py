"""The one way a tbms service is assembled: database, auth, broker, outbox relay, telemetry, health, metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

import nats
from fastapi import APIRouter, FastAPI, Request, Response
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import Counter, Histogram, make_asgi_app
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tbms_core import outbox
from tbms_core.auth import TokenVerifier
from tbms_core.db import Database
from tbms_core.errors import install_error_handlers
from tbms_core.events import Envelope, stream_of
from tbms_core.relay import OutboxRelay, ensure_streams
from tbms_core.settings import ServiceSettings
from tbms_core.telemetry import instrument, setup_logging, setup_tracing

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
REQUESTS = Histogram(
    "tbms_http_request_duration_seconds",
    "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
CONSUMED = Counter("tbms_events_consumed_total", "Events applied or skipped by consumers", ["consumer", "outcome"])


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
    """Registers a durable JetStream consumer `<service>-<handler>` that skips events it has applied."""
    durable = f"{kit.name}-{consumer.name}{kit.settings.durable_suffix}"

    @kit.broker.subscriber(
        consumer.subject,
        stream=JStream(name=stream_of(consumer.subject), declare=False),
        durable=durable,
        pull_sub=PullSub(batch_size=50, timeout=1.0),
    )
    async def _on_event(body: dict, msg: NatsMessage) -> None:  # type: ignore[type-arg]
        envelope = Envelope.model_validate(body)
        async with kit.db.session() as session:
            if not await outbox.claim(session, durable, envelope.event_id):
                CONSUMED.labels(durable, "duplicate").inc()
                return
            await consumer.handle(session, envelope)
        CONSUMED.labels(durable, "applied").inc()


def create_service_app(
    name: str,
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[Consumer] = (),
    on_startup: Callable[[ServiceKit], Awaitable[None]] | None = None,
) -> FastAPI:
    """A FastAPI app for one service, wired to its database, NATS, Keycloak and telemetry."""
    setup_logging(name)
    provider = setup_tracing(name, settings.span_file_dir)
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    broker = NatsBroker(settings.nats_url, middlewares=[NatsTelemetryMiddleware(tracer_provider=provider)])
    kit = ServiceKit(name, settings, db, broker, provider)
    for consumer in consumers:
        subscribe(kit, consumer)
    app = FastAPI(title=title, lifespan=_lifespan(kit, on_startup))
    app.state.kit, app.state.db, app.state.settings = kit, db, settings
    app.state.verifier = TokenVerifier(settings.oidc_issuer, settings.oidc_audience)
    install_error_handlers(app)
    _add_metrics(app, name)
    app.include_router(_health_router(kit))
    for router in routers:
        app.include_router(router)
    instrument(app, db.engine, provider)
    return app


def _lifespan(kit: ServiceKit, on_startup: Callable[[ServiceKit], Awaitable[None]] | None):
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nc = await nats.connect(kit.settings.nats_url)
        await ensure_streams(nc.jetstream())
        await nc.close()
        await kit.broker.start()
        relay = OutboxRelay(kit.name, kit.db, kit.settings.nats_url, poll_seconds=kit.settings.outbox_poll_seconds)
        kit.tasks.append(asyncio.create_task(relay.run(), name=f"{kit.name}-outbox-relay"))
        if on_startup is not None:
            await on_startup(kit)
        try:
            yield
        finally:
            for task in kit.tasks:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
            await kit.broker.stop()
            await kit.db.dispose()

    return lifespan


def _health_router(kit: ServiceKit) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready")
    async def ready(response: Response) -> dict[str, str]:
        try:
            async with kit.db.session() as session:
                await session.execute(text("SELECT 1"))
            if not await kit.broker.ping(timeout=2):
                raise ConnectionError("nats")
        except Exception as exc:
            response.status_code = 503
            return {"status": "unavailable", "reason": type(exc).__name__}
        return {"status": "ok"}

    return router


def _add_metrics(app: FastAPI, name: str) -> None:
    app.mount("/metrics", make_asgi_app())

    @app.middleware("http")
    async def _measure(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        REQUESTS.labels(name, request.method, route, str(response.status_code)).observe(time.perf_counter() - started)
        return response
