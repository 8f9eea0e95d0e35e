"""The home page: a greeting and the user's previous login and logout (N04)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.deps import BackendDep
from gateway.templating import render

router = APIRouter(tags=["ホーム"])


@router.get("/")
async def home(request: Request, backend: BackendDep) -> Response:
    """Greets the user and shows when they last logged in and out."""
    return render(request, "home.html", {"last": await backend.last_use(), "title": "ホーム"})
