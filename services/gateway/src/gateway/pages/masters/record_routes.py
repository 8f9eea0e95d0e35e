"""One master row: the new-row form, its page (what is stored, the correction form, 終了する, 修正履歴), its
corrections based on the version seen (409 when someone saved first) and its end."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.masters import MasterKind, MastersClient
from gateway.forms import GENERAL_ERROR, EntryForm, required_reason
from gateway.pages.masters.entry_forms import (
    END_FIELDS,
    NO_CHANGES,
    changes_of,
    create_body,
    end_values,
    filled_form,
    new_form,
    record_fields,
)
from gateway.pages.masters.view import facts, history_entries, period, record_url, ref_codes, validity
from gateway.web.deps import MastersDep, require_access
from gateway.web.errors import PageError
from gateway.web.templating import flash, render, wareki

router = APIRouter()
CAN_READ = [Depends(require_access(Area.MASTERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.MASTERS, Access.UPDATE))]


@router.get("/{kind}/new", dependencies=CAN_UPDATE)
async def new_row(request: Request, kind: str, masters: MastersDep) -> Response:
    """The empty form of a new row of this master."""
    master = await masters.kind(kind)
    return _new_page(request, master, new_form(master))


@router.post("/{kind}", dependencies=CAN_UPDATE)
async def create_row(request: Request, kind: str, masters: MastersDep) -> Response:
    """Adds the row and opens its page; a refused item (a wrong check digit…) is shown beside its input."""
    master = await masters.kind(kind)
    form = EntryForm.posted(record_fields(master, new=True), await request.form())
    body = create_body(form)
    if not form.errors:
        saved = await masters.create_record(kind, body)
        if saved.record is not None:
            flash(request, "登録しました。")
            return RedirectResponse(record_url(kind, str(saved.record["code"])), status_code=303)
        form.place(saved.errors or {})
        if saved.conflict:  # the code is taken (ended rows keep theirs: codes are never reused)
            form.errors.setdefault("code", saved.conflict)
    return _new_page(request, master, form, status_code=422)


def _new_page(request: Request, master: MasterKind, form: EntryForm, status_code: int = 200) -> Response:
    context = {"kind": master, "form": form, "title": f"{master.label}の新規登録", "nav_path": "/masters"}
    return render(request, "masters/new.html", context, status_code=status_code)


@router.get("/{kind}/{code}", dependencies=CAN_READ)
async def view_row(request: Request, kind: str, code: str, masters: MastersDep) -> Response:
    """A row: what is stored (a form for those who may change it), 終了する and the 修正履歴."""
    master = await masters.kind(kind)
    return await _row_page(request, masters, master, await masters.record(kind, code))


@router.post("/{kind}/{code}", dependencies=CAN_UPDATE)
async def change_row(request: Request, kind: str, code: str, masters: MastersDep) -> Response:
    """Saves the items typed differently, with the reason, based on the version the user saw."""
    master = await masters.kind(kind)
    record = await masters.record(kind, code)  # as stored now: what the form changes, and what a 409 shows
    form = EntryForm.posted(record_fields(master, new=False), await request.form())
    required_reason(form)
    changes = changes_of(form, record)
    if not form.errors and not changes:
        form.errors[GENERAL_ERROR] = NO_CHANGES
    if not form.errors:
        saved = await masters.change_record(kind, code, form.version, changes, form.value("reason").strip())
        if saved.record is not None:
            flash(request, "保存しました。")
            return RedirectResponse(record_url(kind, code), status_code=303)
        form.place(saved.errors or {})
        form.conflict = saved.conflict or ""
    status = 409 if form.conflict else 422
    return await _row_page(request, masters, master, record, form=form, status_code=status)


@router.post("/{kind}/{code}/end", dependencies=CAN_UPDATE)
async def end_row(request: Request, kind: str, code: str, masters: MastersDep) -> Response:
    """Ends the row on the day given, with the reason (a row in use is never deleted)."""
    master = await masters.kind(kind)
    form = EntryForm.posted(END_FIELDS, await request.form())
    required_reason(form, "終了の理由")
    valid_to, reason = end_values(form)
    if not valid_to:
        form.errors.setdefault("valid_to", "終了日を入力してください。")
    if not form.errors:
        saved = await masters.end_record(kind, code, form.version, valid_to, reason)
        if saved.record is not None:
            flash(request, f"終了しました（{wareki(valid_to)}まで有効です）。")
            return RedirectResponse(record_url(kind, code), status_code=303)
        form.place(saved.errors or {})
        form.conflict = saved.conflict or ""
    record = await masters.record(kind, code)
    status = 409 if form.conflict else 422
    return await _row_page(request, masters, master, record, end_form=form, status_code=status)


async def _row_page(
    request: Request,
    masters: MastersClient,
    master: MasterKind,
    record: dict[str, Any],
    *,
    form: EntryForm | None = None,
    end_form: EntryForm | None = None,
    status_code: int = 200,
) -> Response:
    code = str(record.get("code", ""))
    refs = ref_codes(master, record)
    history, *names = await asyncio.gather(
        masters.history(master.kind, code), *(_name_of(masters, kind, ref) for kind, ref in refs.values())
    )
    ref_names = dict(zip(refs, names, strict=True))
    context = {
        "kind": master,
        "record": record,
        "row_url": record_url(master.kind, code),
        "facts": facts(master, record, ref_names),
        "period": period(record),
        "validity": validity(record),
        "form": form or filled_form(master, record),
        "end_form": end_form or EntryForm(END_FIELDS, version=str(record.get("version") or "")),
        "chosen": {key: f"選択中：{name}" for key, name in ref_names.items() if name},
        "history": history_entries(master, history),
        "last_change": history[0] if history else {},  # who saved last, by name (the row keeps their user id)
        "title": f"{master.label}: {record.get('name', '')}",
        "nav_path": "/masters",
    }
    return render(request, "masters/record.html", context, status_code=status_code)


async def _name_of(masters: MastersClient, kind: str, code: str) -> str:
    """The name of a row another row refers to; "" when it cannot be read."""
    try:
        return str((await masters.record(kind, code)).get("name") or "")
    except PageError:
        return ""
