"""Protections of the IPA checklist (N09): security headers on every response and CSRF tokens on every POST."""

from __future__ import annotations

import hmac
from collections.abc import MutableMapping
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from gateway.web.sessions import Session

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
STATIC_PREFIX = "/static/"


class CsrfRejected(Exception):
    """A state-changing request came without this session's CSRF token (or from another site)."""


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(identity_provider_url: str) -> str:
    """Same-origin only; no inline script or style; forms may lead on only to Keycloak (login, logout)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action 'self' {origin_of(identity_provider_url)}",
            "frame-ancestors 'none'",
        ]
    )


def apply_security_headers(headers: MutableHeaders, csp: str, *, path: str = "", hsts: bool = False) -> None:
    """Adds the headers every response carries; pages (not static files) are never cached."""
    headers["Content-Security-Policy"] = csp
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if path.startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "public, max-age=3600"
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"


def csrf_matches(session: Session, sent: str | None) -> bool:
    """True when the token sent equals the session's (compared in constant time)."""
    return bool(sent) and hmac.compare_digest(session.csrf_token.encode(), str(sent).encode())


async def check_csrf(request: Request, session: Session | None, public_url: str) -> None:
    """Refuses a state-changing request from another origin or without this session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != origin_of(public_url):
        raise CsrfRejected("foreign origin")
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)  # type: ignore[assignment]
    if session is None or not csrf_matches(session, sent):
        raise CsrfRejected("missing or wrong token")


def scope_state(scope: MutableMapping[str, object]) -> dict[str, object]:
    """The request state dict Starlette shares between middleware and endpoints."""
    return scope.setdefault("state", {})  # type: ignore[return-value]
