"""ASGI middleware of the gateway: refuse unknown networks, load the session, add security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.web.security import apply_security_headers, scope_state
from gateway.web.sessions import SessionCookie, SessionStore, Tokens

# What monitoring and the refusal page itself need, whoever asks.
UNRESTRICTED_PREFIXES = ("/health/", "/metrics", "/static/")
# Looking at the time left is not activity: it must not keep an idle session alive.
PASSIVE_PATHS = frozenset({"/session/remaining"})


class ClientAllowlist:
    """Answers requests from outside the allowed client networks with a refusal page, before any login (R35)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        networks: Sequence[IPv4Network | IPv6Network],
        address_of: Callable[[Request], str],
        refuse: Callable[[Request], Awaitable[Response]],
    ) -> None:
        self.app, self.networks, self.address_of, self.refuse = app, tuple(networks), address_of, refuse

    def allowed(self, address: str) -> bool:
        """True when the address lies in one of the networks (or when no network is configured)."""
        if not self.networks:
            return True
        try:
            client = ip_address(address)
        except ValueError:
            return False
        if client.version == 6 and client.ipv4_mapped is not None:  # ::ffff:10.0.0.1 from a dual-stack socket
            client = client.ipv4_mapped
        return any(client.version == net.version and client in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request, or answers 403 when the client's network is not allowed."""
        if scope["type"] != "http" or not self.networks or scope.get("path", "").startswith(UNRESTRICTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if self.allowed(self.address_of(request)):
            await self.app(scope, receive, send)
            return
        await (await self.refuse(request))(scope, receive, send)


class SessionLoader:
    """Puts the browser's live session (or None) and its id into the request state, and stores what the request
    changed in it (activity, a message for the next page, refreshed tokens) before the response starts: the next
    request may reach another gateway process.

    A login found timed out is also ended at Keycloak, before the browser can be sent there to log in
    again: otherwise Keycloak's own session would log the user straight back in (N03, N04).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: SessionStore,
        cookie: SessionCookie,
        end_logins: Callable[[list[Tokens]], Awaitable[None]] | None = None,
    ) -> None:
        self.app, self.store, self.cookie, self.end_logins = app, store, cookie, end_logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Loads the session, runs the request, and saves the session as the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_id = self.cookie.read(Request(scope))
        session = await self.store.get(session_id, touch=scope.get("path") not in PASSIVE_PATHS)
        ended = self.store.take_ended()
        if ended and self.end_logins is not None:
            await self.end_logins(ended)
        state = scope_state(scope)
        state["session"], state["session_id"] = session, session_id if session else None

        async def send_after_saving(message: Message) -> None:
            """Stores the session's changes before the browser can send its next request."""
            if message["type"] == "http.response.start" and session is not None:
                await self.store.save(state.get("session_id"), session)
            await send(message)

        await self.app(scope, receive, send_after_saving)


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
