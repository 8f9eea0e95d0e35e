"""Web pieces every tbms app shares, services and gateway alike: health, RED metrics, HTTP tracing, input guards."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, HTTPException, Response
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span
from prometheus_client import Histogram, make_asgi_app
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tbms_core.errors import InvalidInput, TooLarge, domain_error_response
from tbms_core.telemetry import without_queries

REQUESTS = Histogram(
    "tbms_http_request_duration_seconds",
    "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
ReadyCheck = Callable[[], Awaitable[None]]
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER_MESSAGE = "使用できない文字（制御文字）が含まれています。"


# A JSON string escapes a control character as \u00XX (or \b, \f); tab, LF and CR stay allowed. The escape counts
# only after an even number of backslashes (a typed "\\u0000" is text, not a NUL).
JSON_CONTROL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|[bf])")
FORM_TYPES = (b"application/x-www-form-urlencoded",)
JSON_TYPES = (b"application/json",)


def _control_fields(value: object, path: str = "") -> dict[str, str]:
    """Each dotted field of a JSON value whose text holds a control character."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _control_fields(item, f"{path}{key}.").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _control_fields(item, f"{path}{i}.").items()}
    if isinstance(value, str) and CONTROL_CHARACTER.search(value):
        return {path.rstrip(".") or "_": CONTROL_CHARACTER_MESSAGE}
    return {}


def _pairs_with_control(text: str) -> dict[str, str]:
    pairs = parse_qsl(text, keep_blank_values=True)
    return {name: CONTROL_CHARACTER_MESSAGE for name, value in pairs if CONTROL_CHARACTER.search(value)}


class ControlCharacterGuard:
    """Refuses a control character (a NUL breaks PostgreSQL text, search engines and Keycloak) with a Japanese 422.

    The query string, form bodies and JSON bodies are checked; nothing behind the guard runs for such a request,
    so nothing is read, written or audited. File uploads (multipart) are left to their own checks.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answers 422 naming each offending field, or passes the request on (with its body replayed)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = _pairs_with_control(scope.get("query_string", b"").decode("latin-1"))
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"").split(b";")[0].strip().lower()
        if not errors and content_type in FORM_TYPES + JSON_TYPES:
            body, receive = await _buffered(receive)
            if content_type in FORM_TYPES:
                errors = _pairs_with_control(body.decode("latin-1"))
            elif JSON_CONTROL_ESCAPE.search(body):
                try:
                    errors = _control_fields(json.loads(body)) or {"_": CONTROL_CHARACTER_MESSAGE}
                except ValueError:
                    errors = {}  # not JSON after all: the endpoint's own validation answers
        if errors:
            await domain_error_response(InvalidInput(errors=errors))(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a `receive` that hands it to the app again before anything else."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body, replayed = b"".join(chunks), False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


class RequestMetrics:
    """Records each request's duration by route and status (RED metrics, N20)."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request and observes its duration; an exception counts as a 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), ["500"]

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(self.service, scope["method"], route, status[0]).observe(time.perf_counter() - started)


def health_router(ready: ReadyCheck) -> APIRouter:
    """`/health/live` (the process is up) and `/health/ready` (its dependencies answer)."""
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/ready")
    async def is_ready(response: Response) -> dict[str, str]:
        try:
            await ready()
        except Exception as exc:
            response.status_code = 503
            return {"status": "unavailable", "reason": f"{type(exc).__name__}: {exc}"[:200]}
        return {"status": "ok"}

    return router


MAX_OFFSET = 10_000  # no list pages deeper: its filters narrow it instead (and a huge offset is refused, not a 500)
MAX_BODY_BYTES = 20 * 1024 * 1024  # the largest import file or upload a screen sends, with room to spare


class BodySizeLimit:
    """Refuses a request body over the limit with a Japanese 413, before it is read into memory.

    A declared Content-Length over the limit is refused at once; a body sent without one is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.message = f"送信された内容が大きすぎます（{max_bytes // (1024 * 1024)}MBまで）。"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on with a counting `receive`, or answers 413."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLarge(self.message)
            return message

        try:
            await self.app(scope, counting, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await domain_error_response(TooLarge(self.message))(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised inside `receive` when a body without Content-Length grows past the limit (a 413 wherever caught).

    An HTTPException, not a DomainError: FastAPI re-raises those from body parsing instead of answering 400.
    """

    def __init__(self, message: str) -> None:
        super().__init__(TooLarge.status_code, message)


def observe(app: FastAPI, service: str, provider: TracerProvider, *, excluded: str = "") -> None:
    """Metrics at `/metrics`, RED metrics per route, and traces of every request and outgoing HTTP call."""
    app.mount("/metrics", make_asgi_app())
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RequestMetrics, service=service)
    skip = ",".join(filter(None, ["health/.*", "metrics", excluded]))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls=skip, server_request_hook=_server_span_without_query
    )
    if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().instrument(tracer_provider=provider, request_hook=_client_span_without_query)


def _server_span_without_query(span: Span, scope: Scope) -> None:
    """A request's span keeps its path, never its query string (search words and ids are personal data)."""
    if span.is_recording():
        for key in ("http.target", "url.path"):
            span.set_attribute(key, scope.get("path", ""))
        span.set_attribute("url.query", "")
        span.set_attribute("http.url", without_queries(str(span.attributes.get("http.url", ""))))  # type: ignore[attr-defined]


def _client_span_without_query(span: Span, request: object) -> None:
    """A call to another service keeps its URL without the query string."""
    if span.is_recording():
        url = str(getattr(request, "url", ""))
        for key in ("http.url", "url.full"):
            span.set_attribute(key, without_queries(url))
