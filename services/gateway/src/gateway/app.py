"""How the gateway is put together: sessions, OIDC, templates, security, telemetry, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import APIRouter, Depends, FastAPI
from starlette.staticfiles import StaticFiles
from tbms_core.telemetry import setup_logging, setup_tracing
from tbms_core.web import health_router, observe

from gateway.clients.base import ReferenceCache
from gateway.repository import PostgresBackend, PostgresTexts
from gateway.settings import Settings
from gateway.web.deps import (
    csrf_guard,
    fresh_help_texts,
    inbox_badge,
    maintenance_guard,
    terminal_address,
    write_guard,
)
from gateway.web.errors import install_error_pages, refuse_network
from gateway.web.help_texts import MemoryTexts, Texts
from gateway.web.middleware import ClientAllowlist, SecurityHeaders, SessionLoader
from gateway.web.oidc import OidcClient, ProviderUnavailable
from gateway.web.permissions import is_administrator
from gateway.web.security import content_security_policy
from gateway.web.sessions import MemoryBackend, SessionCookie, SessionLimits, SessionStore, Tokens
from gateway.web.templating import build_templates

STATIC_DIR = Path(__file__).parent / "static"
LOGOUT_TIMEOUT_SECONDS = 3.0  # ending a timed-out login must not hold up the request that noticed it for long
log = logging.getLogger(__name__)


def build_gateway(settings: Settings, routers: Sequence[APIRouter]) -> FastAPI:
    """The gateway application with everything wired in."""
    setup_logging("gateway")
    provider = setup_tracing("gateway", settings.span_file_dir)
    http = httpx.AsyncClient(timeout=settings.backend_timeout_seconds)
    app = FastAPI(
        title="tbms gateway（職員用画面）",
        lifespan=_lifespan(http),
        dependencies=[
            Depends(fresh_help_texts),
            Depends(maintenance_guard),
            Depends(csrf_guard),
            Depends(write_guard),
            Depends(inbox_badge),
        ],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    _fill_state(app, settings, http)
    install_error_pages(app)
    app.add_middleware(
        SessionLoader, store=app.state.sessions, cookie=app.state.cookie, end_logins=_provider_logout(app)
    )
    app.add_middleware(
        ClientAllowlist, networks=settings.allowed_networks, address_of=terminal_address, refuse=refuse_network
    )
    app.add_middleware(SecurityHeaders, csp=app.state.csp, hsts=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health_router(_ready(app)))  # ready = Keycloak and the sessions answer: users can log in
    for router in routers:
        app.include_router(router)
    observe(app, "gateway", provider, excluded="static/.*")
    return app


def _fill_state(app: FastAPI, settings: Settings, http: httpx.AsyncClient) -> None:
    app.state.settings, app.state.http = settings, http
    backend = (
        PostgresBackend(settings.database_url, pool_size=settings.db_pool_size)
        if settings.session_store == "postgres"
        else MemoryBackend()
    )
    texts = PostgresTexts(backend.engine) if isinstance(backend, PostgresBackend) else MemoryTexts()
    app.state.help_texts = Texts(texts, max_age=settings.help_texts_max_age_seconds)
    app.state.sessions = SessionStore(
        settings.session_secret.get_secret_value(),
        backend=backend,
        idle_seconds=settings.session_idle_minutes * 60,
        max_seconds=settings.session_max_hours * 3600,
        login_wait_seconds=settings.login_wait_minutes * 60,
        privileged=SessionLimits(settings.admin_session_idle_minutes * 60, settings.admin_session_max_hours * 3600),
        is_privileged=is_administrator,
    )
    app.state.cookie = SessionCookie(secure=settings.secure_cookies)
    app.state.oidc = OidcClient(settings, http)
    app.state.templates = build_templates()
    app.state.reference = ReferenceCache()  # code lists and districts, shared by every user's clients
    app.state.csp = content_security_policy(settings.oidc_issuer)


def _lifespan(http: httpx.AsyncClient):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Closes the shared HTTP client and the session store's connections at shutdown."""
        try:
            yield
        finally:
            await http.aclose()
            await app.state.sessions.close()

    return lifespan


def _provider_logout(app: FastAPI) -> Callable[[list[Tokens]], Awaitable[None]]:
    async def end_keycloak_sessions(ended: list[Tokens]) -> None:
        """Ends at Keycloak the sessions of logins that timed out here (back-channel, with the refresh token)."""
        settings: Settings = app.state.settings
        auth = (settings.oidc_client_id, settings.oidc_secret.get_secret_value())
        try:
            endpoint = (await app.state.oidc.metadata()).end_session_endpoint
        except ProviderUnavailable:
            log.warning("could not end %d timed-out Keycloak session(s): Keycloak unreachable", len(ended))
            return
        for tokens in ended:
            if not tokens.refresh_token:
                continue
            try:
                form = {"refresh_token": tokens.refresh_token}
                await app.state.http.post(endpoint, data=form, auth=auth, timeout=LOGOUT_TIMEOUT_SECONDS)
            except Exception as exc:  # best effort: the user's request goes on whatever Keycloak answers
                log.warning("could not end a timed-out Keycloak session: %s", type(exc).__name__)

    return end_keycloak_sessions


def _ready(app: FastAPI):
    async def keycloak_and_sessions_answer() -> None:
        await app.state.oidc.metadata(fresh=True)
        await app.state.sessions.count()  # the shared session store (PostgreSQL) is reachable

    return keycloak_and_sessions_answer
