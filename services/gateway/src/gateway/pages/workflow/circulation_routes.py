"""回議・供覧 (R10, R16): the inbox (waiting for me, sent by me, sent back to me, to read), a circulation with its
stamps and history and the decisions a user can take on it, and putting a record into circulation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gateway.web.deps import WorkflowDep
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter(prefix="/circulations", tags=["回議・供覧"])
ACTIONS = {
    "approve": "承認しました。",
    "on-behalf": "代決しました。",
    "send-back": "差し戻しました。",
    "resubmit": "再提出しました。",
    "withdraw": "取り下げました。",
    "read": "閲覧済みにしました。",
}
STATUSES = {
    "in_progress": "回議中",
    "approved": "決裁済み",
    "sent_back": "差戻し",
    "withdrawn": "取下げ",
    "reading": "供覧中",
}
KINDS = {"decision": "回議（決裁）", "reading": "供覧"}
RECORD_FIELDS = ("service", "record_kind", "record_id", "record_version", "title", "document_type")


@router.get("")
async def inbox(request: Request, workflow: WorkflowDep) -> Response:
    """What waits for me, what I sent, what came back to me, what I am to read."""
    context = {"inbox": await workflow.inbox(), "statuses": STATUSES, "kinds": KINDS, "title": "回議・供覧"}
    return render(request, "workflow/inbox.html", context)


@router.get("/new")
async def new(request: Request) -> Response:
    """The confirmation before a record goes into circulation (linked from the record's page)."""
    record = {name: request.query_params.get(name, "")[:200] for name in RECORD_FIELDS}
    kind = request.query_params.get("kind", "decision")
    return _new_page(request, record, kind=kind if kind in KINDS else "decision")


@router.post("")
async def submit(request: Request, workflow: WorkflowDep) -> Response:
    """Puts the record into 回議 or 供覧; a refusal is shown with the input kept."""
    form = await request.form()
    record = {name: str(form.get(name, "")) for name in RECORD_FIELDS}
    kind = str(form.get("kind", "decision"))
    body: dict[str, Any] = {**record, "kind": kind, "record_version": int(record["record_version"] or 0)}
    if kind == "reading":
        body["teams"] = [team.strip() for team in str(form.get("teams", "")).split("、") if team.strip()]
    result = await workflow.submit(body)
    if result.record is not None:
        return RedirectResponse(f"/circulations/{result.record['id']}?done=submitted", status_code=303)
    errors = result.errors or {"_": result.conflict or ""}
    return _new_page(request, record, errors=errors, kind=kind if kind in KINDS else "decision", status_code=422)


@router.get("/{circulation_id}")
async def circulation(request: Request, circulation_id: uuid.UUID, workflow: WorkflowDep, done: str = "") -> Response:
    """The circulation: stamps, steps, history, readers, and the decision forms."""
    found = await workflow.circulation(str(circulation_id))
    message = "回議に出しました。" if done == "submitted" else ACTIONS.get(done, "")
    return _page(request, found, done=message)


@router.post("/{circulation_id}/{action}")
async def decide(request: Request, circulation_id: uuid.UUID, action: str, workflow: WorkflowDep) -> Response:
    """承認, 代決, 差戻し (with a comment), 再提出, 取下げ or 閲覧済み."""
    if action not in ACTIONS:
        raise PageNotFound()
    form = await request.form()
    body = {"version": int(str(form.get("version", "0")) or 0), "comment": str(form.get("comment", ""))}
    result = await workflow.decide(str(circulation_id), action, body)
    if result.record is not None:
        return RedirectResponse(f"/circulations/{circulation_id}?done={action}", status_code=303)
    found = await workflow.circulation(str(circulation_id))
    errors = result.errors or {"_": result.conflict or "操作を完了できませんでした。"}
    return _page(request, found, errors=errors, action=action, comment=body["comment"], status_code=422)


def _page(request: Request, found: dict[str, Any], status_code: int = 200, **more: Any) -> Response:
    context = {
        "c": found,
        "statuses": STATUSES,
        "kinds": KINDS,
        "errors": more.pop("errors", {}),
        "title": f"回議・供覧: {found.get('title', '')}",
        **more,
    }
    return render(request, "workflow/circulation.html", context, status_code=status_code)


def _new_page(request: Request, record: dict[str, str], status_code: int = 200, **more: Any) -> Response:
    context = {"record": record, "kinds": KINDS, "errors": more.pop("errors", {}), "title": "回議に出す", **more}
    context.setdefault("kind", "decision")
    return render(request, "workflow/new.html", context, status_code=status_code)
