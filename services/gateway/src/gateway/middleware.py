"""ASGI middleware of the gateway: load the session, add security headers, measure requests."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.security import apply_security_headers, scope_state
from gateway.sessions import SessionCookie, SessionStore


class SessionLoader:
    """Puts the browser's live session (or None) and its id into the request state."""

    def __init__(self, app: ASGIApp, *, store: SessionStore, cookie: SessionCookie) -> None:
        self.app, self.store, self.cookie = app, store, cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Loads the session, then runs the request."""
        if scope["type"] == "http":
            session_id = self.cookie.read(Request(scope))
            session = self.store.get(session_id)
            state = scope_state(scope)
            state["session"], state["session_id"] = session, session_id if session else None
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Adds CSP, framing, sniffing, referrer and caching headers to every response."""

    def __init__(self, app: ASGIApp, *, csp: str, hsts: bool) -> None:
        self.app, self.csp, self.hsts = app, csp, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request, adding the headers as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            """Adds the headers to the response start."""
            if message["type"] == "http.response.start":
                apply_security_headers(MutableHeaders(scope=message), self.csp, path=path, hsts=self.hsts)
            await send(message)

        await self.app(scope, receive, send_with_headers)
