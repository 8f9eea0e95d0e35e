"""Web pieces every tbms app shares, services and gateway alike: health, RED metrics, HTTP tracing."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, HTTPException, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import Histogram, make_asgi_app
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Histogram(
    "tbms_http_request_duration_seconds",
    "HTTP requests by route and status",
    ["service", "method", "route", "status"],
)
ReadyCheck = Callable[[], Awaitable[None]]
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTER_MESSAGE = "使用できない文字（制御文字）が含まれています。"


class ControlCharacterGuard:
    """Refuses a query string holding a control character (a NUL breaks databases and search engines) with 422.

    Nothing behind it runs, so nothing is read, written or audited for such a request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answers 422 naming each offending parameter, or passes the request on."""
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            errors = {name: CONTROL_CHARACTER_MESSAGE for name, value in pairs if CONTROL_CHARACTER.search(value)}
            if errors:
                body = {"detail": "入力内容に誤りがあります。各項目のメッセージを確認してください。"}
                response = JSONResponse({**body, "code": "invalid_input", "errors": errors}, status_code=422)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


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


MAX_BODY_BYTES = 20 * 1024 * 1024  # the largest import file or upload a screen sends, with room to spare


class BodySizeLimit:
    """Refuses a request body over the limit with a Japanese 413, before it is read into memory.

    A declared Content-Length over the limit is refused at once; a body sent without one is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

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
                raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counting, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes // (1024 * 1024)
        body = {"detail": f"送信された内容が大きすぎます（{limit}MBまで）。", "code": "too_large", "errors": {}}
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _BodyTooLarge(HTTPException):
    """Raised inside `receive` when a body without Content-Length grows past the limit (a 413 wherever caught)."""

    def __init__(self) -> None:
        super().__init__(413, "送信された内容が大きすぎます。")


def observe(app: FastAPI, service: str, provider: TracerProvider, *, excluded: str = "") -> None:
    """Metrics at `/metrics`, RED metrics per route, and traces of every request and outgoing HTTP call."""
    app.mount("/metrics", make_asgi_app())
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RequestMetrics, service=service)
    skip = ",".join(filter(None, ["health/.*", "metrics", excluded]))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=skip)
    if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
