"""FastAPI dependencies: the logged-in user with a fresh access token, and the back-end services as them."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Annotated

import jwt
from fastapi import Depends, Request
from tbms_core.auth import Access, Area
from tbms_core.auth import client_ip as forwarded_client_ip

from gateway.clients import Backend
from gateway.errors import Forbidden, LoginRequired, ServiceUnavailable
from gateway.oidc import LoginFailed, OidcClient, ProviderUnavailable
from gateway.permissions import allows, refusal, required_level
from gateway.sessions import Session, SessionStore, User


@dataclass(frozen=True)
class Login:
    """A request by a logged-in user: their session and a usable access token."""

    session: Session
    user: User
    access_token: str


def terminal_address(request: Request) -> str:
    """The user's IP address; X-Forwarded-For only when a trusted proxy sets it."""
    if request.app.state.settings.trust_forwarded_for:
        return forwarded_client_ip(request)
    return request.client.host if request.client else ""


async def require_login(request: Request) -> Login:
    """The logged-in user; refreshes the access token when it is about to expire."""
    session: Session | None = request.state.session
    if session is None or session.tokens is None or session.user is None:
        raise LoginRequired()
    async with session.lock:
        tokens = session.tokens
        if time.time() >= tokens.expires_at:
            oidc: OidcClient = request.app.state.oidc
            try:
                tokens = session.tokens = await oidc.refresh(tokens)
                session.user = with_roles_of(session.user, tokens.access_token)
            except LoginFailed as exc:
                store: SessionStore = request.app.state.sessions
                store.delete(request.state.session_id)
                raise LoginRequired() from exc
            except ProviderUnavailable as exc:
                raise ServiceUnavailable() from exc
    return Login(session, session.user, tokens.access_token)


LoginDep = Annotated[Login, Depends(require_login)]


def with_roles_of(user: User, access_token: str) -> User:
    """The user with the roles of a refreshed access token, so access changes show from then on (R32)."""
    claims = jwt.decode(access_token, options={"verify_signature": False})  # oidc.refresh has verified it
    return replace(user, roles=frozenset(claims.get("realm_access", {}).get("roles", [])))


async def write_guard(request: Request) -> None:
    """Refuses, with the Japanese 403 page, a change the user's level does not allow (services refuse too)."""
    session: Session | None = request.state.session
    needed = required_level(request.method, request.url.path)
    if needed is None or session is None or session.user is None:
        return
    if not allows(session.user, *needed):
        raise Forbidden(refusal(*needed))


def require_access(area: Area, level: Access) -> Callable[..., Awaitable[Login]]:
    """A dependency: the logged-in user, or the 403 page below this level in the area."""

    async def allowed_login(login: LoginDep) -> Login:
        if not allows(login.user, area, level):
            raise Forbidden(refusal(area, level))
        return login

    return allowed_login


def get_backend(request: Request, login: LoginDep) -> Backend:
    """The back-end services, called with this user's token and terminal address."""
    state = request.app.state
    return Backend(state.http, state.settings, token=login.access_token, client_ip=terminal_address(request))


BackendDep = Annotated[Backend, Depends(get_backend)]
