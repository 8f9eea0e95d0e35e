"""The session seen from the browser: the 利用上の注意 page before login, the time left and 「延長する」 (N04)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from gateway.deps import LoginDep
from gateway.routes.auth import safe_return_path
from gateway.sessions import Session, SessionStore
from gateway.templating import render

router = APIRouter(tags=["セッション"])


def _time_left(request: Request, session: Session | None) -> JSONResponse:
    store: SessionStore = request.app.state.sessions
    if session is None or not session.authenticated:
        return JSONResponse({"remaining_seconds": 0, "extendable": False})
    left = store.remaining(session)
    return JSONResponse({"remaining_seconds": int(left.seconds), "extendable": left.extendable})


@router.get("/welcome")
async def welcome(request: Request, next_path: str | None = Query(None, alias="next")) -> Response:
    """The 利用上の注意 (login banner) with the button that leads on to Keycloak's login page."""
    target = safe_return_path(next_path)
    session: Session | None = request.state.session
    if session is not None and session.authenticated:
        return RedirectResponse(target, status_code=303)
    return render(request, "welcome.html", {"title": "ログイン", "next_path": target})


@router.get("/session/remaining")
async def remaining(request: Request) -> JSONResponse:
    """Seconds until this session times out; asking does not count as activity."""
    return _time_left(request, request.state.session)


@router.post("/session/keep-alive")
async def keep_alive(request: Request, login: LoginDep) -> JSONResponse:
    """「延長する」: counts as activity, so the idle timeout starts again (the total limit stays)."""
    return _time_left(request, login.session)
