"""The home page: a greeting and the user's previous login and logout (N04)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.web.deps import IdentityDep, WorkflowDep
from gateway.web.templating import render

router = APIRouter(tags=["ホーム"])


@router.get("/")
async def home(request: Request, identity: IdentityDep, workflow: WorkflowDep) -> Response:
    """Greets the user, shows their to-dos (overdue, today, this week) and when they last logged in and out."""
    context = {"last": await identity.last_use(), "todos": await workflow.summary(), "title": "ホーム"}
    context["notices"] = request.app.state.help_texts.notices()[:5]
    return render(request, "home/home.html", context)
