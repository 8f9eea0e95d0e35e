"""Login with Keycloak (code + PKCE, then a new session id), logout that ends Keycloak's session too, and the
session seen from the browser: the 利用上の注意 page before login, the time left and 「延長する」 (N04)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from gateway.web.deps import LoginDep
from gateway.web.errors import PageError, ServiceUnavailable
from gateway.web.oidc import LoginFailed, OidcClient, ProviderUnavailable, new_pending_login
from gateway.web.sessions import Session, SessionCookie, SessionStore
from gateway.web.templating import render

router = APIRouter(tags=["ログイン"])
log = logging.getLogger(__name__)


class LoginExpired(PageError):
    """The callback does not match a login this browser started (an old tab, a replay, or a forged link)."""

    status_code = 400
    title = "ログインできませんでした"
    message = "ログインの手続きが無効になりました。もう一度ログインしてください。"
    next_step = ("/login", "もう一度ログインする")


def safe_return_path(value: str | None) -> str:
    """Only a path on this site may follow a login (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/login")
async def login(request: Request, next_path: str | None = Query(None, alias="next")) -> Response:
    """Sends the browser to Keycloak's login page (password, then TOTP)."""
    return_to = safe_return_path(next_path)
    session: Session | None = request.state.session
    if session is not None and session.authenticated:
        return RedirectResponse(return_to, status_code=303)
    store: SessionStore = request.app.state.sessions
    session_id = request.state.session_id
    pending = new_pending_login(return_to)
    if session is None:
        session = Session()
        session.add_pending(pending)
        session_id, session = await store.create(session)
    else:
        session.add_pending(pending)  # stored as the response starts
    try:
        target = await _oidc(request).authorization_url(pending)
    except ProviderUnavailable as exc:
        raise ServiceUnavailable("ログイン画面に接続できません。しばらくしてからもう一度お試しください。") from exc
    response = RedirectResponse(target, status_code=303)
    _cookie(request).write(response, session_id)
    return response


@router.get("/auth/callback")
async def callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    """Finishes a login: checks state, PKCE and nonce, then stores the tokens under a new session id."""
    session: Session | None = request.state.session
    pending = session.pending.pop(state, None) if session is not None and state else None
    if session is None or pending is None or error or not code:
        raise LoginExpired()
    try:
        tokens, user = await _oidc(request).exchange(code, pending)
    except LoginFailed as exc:
        log.warning("login refused: %s", exc)
        raise LoginExpired() from exc
    except ProviderUnavailable as exc:
        raise ServiceUnavailable() from exc
    session.tokens, session.user = tokens, user
    new_id = await request.app.state.sessions.rotate(request.state.session_id, session)
    request.state.session_id = new_id
    response = RedirectResponse(pending.return_to, status_code=303)
    _cookie(request).write(response, new_id)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Ends the gateway session and then Keycloak's session (end_session with id_token_hint)."""
    session: Session = request.state.session
    id_token = session.tokens.id_token if session.tokens else ""
    await request.app.state.sessions.delete(request.state.session_id)
    try:
        target = await _oidc(request).end_session_url(id_token)
    except ProviderUnavailable:
        target = "/logged-out"
    response = RedirectResponse(target, status_code=303)
    _cookie(request).clear(response)
    return response


@router.get("/logged-out")
async def logged_out(request: Request) -> Response:
    """Confirms the logout and offers to log in again."""
    return render(request, "auth/logged_out.html")


@router.get("/welcome")
async def welcome(request: Request, next_path: str | None = Query(None, alias="next")) -> Response:
    """The 利用上の注意 (login banner) with the button that leads on to Keycloak's login page."""
    target = safe_return_path(next_path)
    session: Session | None = request.state.session
    if session is not None and session.authenticated:
        return RedirectResponse(target, status_code=303)
    return render(request, "auth/welcome.html", {"title": "ログイン", "next_path": target})


@router.get("/session/remaining")
async def remaining(request: Request) -> JSONResponse:
    """Seconds until this session times out; asking does not count as activity."""
    return _time_left(request, request.state.session)


@router.post("/session/keep-alive")
async def keep_alive(request: Request, login: LoginDep) -> JSONResponse:
    """「延長する」: counts as activity, so the idle timeout starts again (the total limit stays)."""
    return _time_left(request, login.session)


def _time_left(request: Request, session: Session | None) -> JSONResponse:
    store: SessionStore = request.app.state.sessions
    if session is None or not session.authenticated:
        return JSONResponse({"remaining_seconds": 0, "extendable": False})
    left = store.remaining(session)
    return JSONResponse({"remaining_seconds": int(left.seconds), "extendable": left.extendable})


def _oidc(request: Request) -> OidcClient:
    return request.app.state.oidc


def _cookie(request: Request) -> SessionCookie:
    return request.app.state.cookie
