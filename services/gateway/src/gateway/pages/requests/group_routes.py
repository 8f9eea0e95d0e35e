"""集団接触者: a group of one index patient, its member list imported from CSV or Excel with a per-row preview
(errors and duplicate candidates) applied all or nothing, and an examination planned for all members at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.forms import EntryForm
from gateway.pages.requests import forms as rf
from gateway.web.deps import ContactsDep, RequestsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter(prefix="/groups", tags=["集団接触者"])
CAN_READ = [Depends(require_access(Area.CONTACTS, Access.READ))]
CAN_CHANGE = [Depends(require_access(Area.CONTACTS, Access.UPDATE))]
MAX_UPLOAD = 5_000_000


async def _new_page(request: Request, contacts: Any, index_patient_id: uuid.UUID, form: EntryForm, code: int = 200):
    index_case, codes = await asyncio.gather(contacts.index_case(str(index_patient_id)), contacts.codes())
    context = {
        "form": form,
        "code_lists": codes.get("lists") or {},
        "index_case": index_case,
        "index_patient_id": str(index_patient_id),
        "title": "集団接触者を登録",
        "nav_path": "/requests",
    }
    return render(request, "requests/group_new.html", context, status_code=code)


@router.get("/new", dependencies=CAN_CHANGE)
async def new_group(request: Request, index_patient_id: uuid.UUID, contacts: ContactsDep) -> Response:
    """The form of a new group of an index patient's contacts."""
    form = EntryForm(rf.group_fields(), {"infectiousness": "unknown", "setting": ""})
    return await _new_page(request, contacts, index_patient_id, form)


@router.post("/new", dependencies=CAN_CHANGE)
async def create_group(
    request: Request, index_patient_id: uuid.UUID, contacts: ContactsDep, requests: RequestsDep
) -> Response:
    """Registers the group; then its members are imported from a file."""
    form = EntryForm.posted(rf.group_fields(), await request.form())
    body = form.json(skip=()) | {"index_patient_id": str(index_patient_id)}
    result = await requests.create_group(body)
    if result.errors is not None:
        form.place(result.errors)
        return await _new_page(request, contacts, index_patient_id, form, 422)
    flash(request, "集団を登録しました。名簿のファイルを読み込んでください。")
    return RedirectResponse(f"/requests/groups/{result.record['id']}", status_code=303)  # type: ignore[index]


async def _group_page(
    request: Request,
    requests: Any,
    group_id: uuid.UUID,
    *,
    upload_error: str = "",
    plan: EntryForm | None = None,
    results: EntryForm | None = None,
    code: int = 200,
) -> Response:
    group, codes = await asyncio.gather(requests.group(str(group_id)), requests.codes())
    version = str(group["version"])
    context = {
        "g": group,
        "code_lists": codes.get("lists") or {},
        "upload_error": upload_error,
        "plan": plan or EntryForm(rf.plan_fields(), {"kind": "igra_qft"}, version=version),
        "results": results or EntryForm(rf.results_fields(group["members"]), {"kind": "igra_qft"}, version=version),
        "title": f"集団接触者（{group['name']}）",
        "nav_path": "/requests",
    }
    return render(request, "requests/group.html", context, status_code=code)


@router.get("/{group_id:uuid}", dependencies=CAN_READ)
async def view_group(request: Request, group_id: uuid.UUID, requests: RequestsDep) -> Response:
    """A group: its exposure facts, its members with their screening, the import and the bulk plan."""
    return await _group_page(request, requests, group_id)


@router.post("/{group_id:uuid}/import", dependencies=CAN_CHANGE)
async def upload(request: Request, group_id: uuid.UUID, requests: RequestsDep) -> Response:
    """Reads the member file into a preview; nobody is registered yet."""
    posted = await request.form()
    file = posted.get("file")
    content = await file.read(MAX_UPLOAD + 1) if hasattr(file, "read") else b""
    if not content:
        return await _group_page(request, requests, group_id, upload_error="ファイルを選んでください。", code=422)
    result = await requests.upload(str(group_id), getattr(file, "filename", "") or "", content)
    if result.record is None:
        message = next(iter((result.errors or {}).values()), result.conflict or "読み込めませんでした。")
        return await _group_page(request, requests, group_id, upload_error=message, code=422)
    return RedirectResponse(f"/requests/groups/{group_id}/imports/{result.record['id']}", status_code=303)


async def _preview_page(
    request: Request,
    requests: Any,
    group_id: uuid.UUID,
    import_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    conflict: str = "",
    decisions: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    group = await requests.group(str(group_id))
    preview = await requests.preview(str(group_id), str(import_id))
    context = {
        "g": group,
        "p": preview,
        "errors": errors or {},
        "conflict": conflict,
        "decisions": decisions or {},
        "title": f"名簿の取込み（{group['name']}）",
        "nav_path": "/requests",
    }
    return render(request, "requests/import_preview.html", context, status_code=code)


@router.get("/{group_id:uuid}/imports/{import_id:uuid}", dependencies=CAN_CHANGE)
async def preview(request: Request, group_id: uuid.UUID, import_id: uuid.UUID, requests: RequestsDep) -> Response:
    """The preview: each row with its errors in Japanese and the contacts it may already be."""
    return await _preview_page(request, requests, group_id, import_id)


@router.post("/{group_id:uuid}/imports/{import_id:uuid}", dependencies=CAN_CHANGE)
async def apply(request: Request, group_id: uuid.UUID, import_id: uuid.UUID, requests: RequestsDep) -> Response:
    """Registers every row, or nothing."""
    posted = await request.form()
    decisions = {k.removeprefix("row-"): str(v) for k, v in posted.items() if k.startswith("row-")}
    version = str(posted.get("version") or "")
    body = {"group_version": int(version) if version.isdigit() else version, "decisions": decisions}
    result = await requests.apply(str(group_id), str(import_id), body)
    if result.record is None:
        return await _preview_page(
            request,
            requests,
            group_id,
            import_id,
            errors=result.errors or {},
            conflict=result.conflict or "",
            decisions=decisions,
            code=409 if result.conflict else 422,
        )
    done = result.record
    flash(
        request,
        f"名簿を取り込みました（新しく登録 {done['registered']}人、登録済みの接触者に追加 {done['linked']}人）。",
    )
    return RedirectResponse(f"/requests/groups/{group_id}", status_code=303)


@router.post("/{group_id:uuid}/plan", dependencies=CAN_CHANGE)
async def plan(request: Request, group_id: uuid.UUID, requests: RequestsDep) -> Response:
    """Plans the examination for every member still followed."""
    form = EntryForm.posted(rf.plan_fields(), await request.form())
    body = form.json(skip=()) | {"version": int(form.version) if form.version.isdigit() else form.version}
    result = await requests.group_step(str(group_id), "plan", body)
    if result.record is None:
        form.conflict = result.conflict or ""
        form.place(result.errors or {})
        return await _group_page(request, requests, group_id, plan=form, code=409 if result.conflict else 422)
    done = result.record
    flash(request, f"健診の予定を{done['recorded']}人に登録しました（登録済み・終了の{done['skipped']}人は除く）。")
    return RedirectResponse(f"/requests/groups/{group_id}", status_code=303)


@router.post("/{group_id:uuid}/results", dependencies=CAN_CHANGE)
async def results(request: Request, group_id: uuid.UUID, requests: RequestsDep) -> Response:
    """Enters the members' results of one examination at once; any wrong row refuses them all."""
    group = await requests.group(str(group_id))
    form = EntryForm.posted(rf.results_fields(group["members"]), await request.form())
    body, aliases = rf.results_body(form, group["members"])
    body["version"] = int(form.version) if form.version.isdigit() else form.version
    result = await requests.group_step(str(group_id), "results", body)
    if result.record is None:
        form.conflict = result.conflict or ""
        form.place(result.errors or {}, aliases)
        return await _group_page(request, requests, group_id, results=form, code=409 if result.conflict else 422)
    flash(request, f"{result.record['recorded']}人の結果を入力しました。")
    return RedirectResponse(f"/requests/groups/{group_id}", status_code=303)
