"""FastAPI dependencies: the logged-in user with a fresh access token, and the back-end services as them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from tbms_core.auth import client_ip as forwarded_client_ip

from gateway.clients import Backend
from gateway.errors import LoginRequired, ServiceUnavailable
from gateway.oidc import LoginFailed, OidcClient, ProviderUnavailable
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
            except LoginFailed as exc:
                store: SessionStore = request.app.state.sessions
                store.delete(request.state.session_id)
                raise LoginRequired() from exc
            except ProviderUnavailable as exc:
                raise ServiceUnavailable() from exc
    return Login(session, session.user, tokens.access_token)


LoginDep = Annotated[Login, Depends(require_login)]


def get_backend(request: Request, login: LoginDep) -> Backend:
    """The back-end services, called with this user's token and terminal address."""
    state = request.app.state
    return Backend(state.http, state.settings, token=login.access_token, client_ip=terminal_address(request))


BackendDep = Annotated[Backend, Depends(get_backend)]
