"""予定（to-dos, R11 R17): the deadlines of the user's records as a list to work through, with done, snooze and
dismiss; handing one over to another member of staff; and the counts per team a chief needs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response
from tbms_core import clock
from tbms_core.jp.wareki import WarekiError, parse_date

from gateway.web.deps import MastersDep, WorkflowDep
from gateway.web.templating import render

router = APIRouter(prefix="/todos", tags=["予定"])
SCOPES = {"mine": "自分の予定", "team": "地区の予定", "all": "見られるすべての予定"}
DUES = {"overdue": "期限切れ", "today": "今日まで", "week": "1週間以内", "all": "すべて"}
ACTIONS = {
    "done": "完了にしました。",
    "snooze": "延期しました。",
    "dismiss": "対象外にしました。",
    "reassign": "担当を変更しました。",
}


@router.get("")
async def todo_list(request: Request, workflow: WorkflowDep, scope: str = "mine", due: str = "all", done: str = "",
                    page: int = 1) -> Response:  # fmt: skip
    """The open to-dos of the chosen scope and period, most overdue first, with the counts per team."""
    scope = scope if scope in SCOPES else "mine"
    due = due if due in DUES else "all"
    return await _page(request, workflow, scope, due, max(1, min(page, 100)), done=ACTIONS.get(done, ""))


@router.get("/{todo_id}/reassign")
async def reassign_page(
    request: Request, todo_id: uuid.UUID, workflow: WorkflowDep, masters: MastersDep, scope: str = "mine",
    due: str = "all",
) -> Response:  # fmt: skip
    """The to-do and the staff it can be handed over to (from the staff assignments of マスタ管理)."""
    back = {"scope": scope if scope in SCOPES else "mine", "due": due if due in DUES else "all"}
    return await _reassign_page(request, workflow, masters, str(todo_id), back, {}, {})


@router.post("/{todo_id}/reassign")
async def reassign(request: Request, todo_id: uuid.UUID, workflow: WorkflowDep, masters: MastersDep) -> Response:
    """Hands the to-do over to the chosen member of staff, on the version seen; a refusal is shown beside the field."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("user_id", "version", "scope", "due")}
    back = {"scope": values["scope"] if values["scope"] in SCOPES else "mine"}
    back["due"] = values["due"] if values["due"] in DUES else "all"
    staff = await masters.nurse_names()
    errors: dict[str, str] = {}
    if not values["user_id"]:
        errors["user_id"] = "引き継ぐ職員を選んでください。"
    elif staff and values["user_id"] not in staff:
        errors["user_id"] = "職員の一覧から選んでください。"
    if not errors:
        body = {"version": int(values["version"] or 0), "user_id": values["user_id"]}
        body["name"] = staff.get(values["user_id"], values["user_id"])
        result = await workflow.act(str(todo_id), "reassign", body)
        if result.record is not None:
            return RedirectResponse(f"/todos?scope={back['scope']}&due={back['due']}&done=reassign", status_code=303)
        errors = result.errors or {"_": result.conflict or "担当を変更できませんでした。"}
    return await _reassign_page(request, workflow, masters, str(todo_id), back, values, errors, status_code=422)


async def _reassign_page(
    request: Request,
    workflow: WorkflowDep,
    masters: MastersDep,
    todo_id: str,
    back: dict[str, str],
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    todo = await workflow.todo(todo_id)
    context = {
        "todo": todo,
        "staff": sorted((await masters.nurse_names()).items(), key=lambda item: item[1]),
        "back": back,
        "values": values,
        "errors": errors,
        "title": "予定の担当を変更",
        "nav_path": "/todos",
    }
    return render(request, "workflow/reassign.html", context, status_code=status_code)


@router.post("/{todo_id}/{action}")
async def act(request: Request, todo_id: uuid.UUID, action: str, workflow: WorkflowDep) -> Response:
    """完了, 延期 (until a date) or 対象外 (with a reason); a refusal is shown on the to-do's own line."""
    form = await request.form()
    scope, due = str(form.get("scope", "mine")), str(form.get("due", "all"))
    errors: dict[str, str] = {}
    body: dict[str, Any] = {"version": int(str(form.get("version", "0")) or 0)}
    if action == "snooze":
        try:
            until = parse_date(str(form.get("until", "")))
        except WarekiError as exc:
            errors["until"] = str(exc)
        else:
            if until <= clock.today():
                errors["until"] = "延期する日は明日以降の日付にしてください。"
            body["until"] = until.isoformat()
    elif action == "dismiss":
        body["reason"] = str(form.get("reason", "")).strip()
        if not body["reason"]:
            errors["reason"] = "対象外にする理由を入力してください。"
    elif action != "done":
        errors["action"] = "操作を選んでください。"
    if not errors:
        result = await workflow.act(str(todo_id), action, body)
        if result.record is not None:
            return RedirectResponse(f"/todos?scope={scope}&due={due}&done={action}", status_code=303)
        errors = result.errors or {"action": result.conflict or "予定を更新できませんでした。"}
    failed = {"id": str(todo_id), "action": action, "errors": errors, "values": dict(form)}
    return await _page(request, workflow, scope, due, 1, failed=failed, status_code=422)


async def _page(
    request: Request, workflow: WorkflowDep, scope: str, due: str, page: int, status_code: int = 200, **more: Any
) -> Response:
    found = await workflow.todos(scope=scope, due=due, offset=(page - 1) * 100)
    today = clock.today()
    todos = [{**todo, "late": (today - date.fromisoformat(todo["due_on"])).days} for todo in found["items"]]
    context = {
        "todos": todos,
        "total": found["total"],
        "page": page,
        "counts": await workflow.counts() if scope != "mine" else [],
        "scope": scope,
        "due": due,
        "scopes": SCOPES,
        "dues": DUES,
        "failed": more.pop("failed", None),
        "done": more.pop("done", ""),
        "title": "予定",
    }
    return render(request, "workflow/todos.html", context, status_code=status_code)
