"""The home page: a greeting and the user's previous login and logout (N04)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.web.deps import IdentityDep
from gateway.web.templating import render

router = APIRouter(tags=["ホーム"])


@router.get("/")
async def home(request: Request, identity: IdentityDep) -> Response:
    """Greets the user and shows when they last logged in and out."""
    return render(request, "home/home.html", {"last": await identity.last_use(), "title": "ホーム"})
