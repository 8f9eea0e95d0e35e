"""依頼・回答 (R14, N32): the board of requests both directions, a request's page with its steps (encrypted file,
sending, receipt, reply, withdrawal), a new request to another health centre and a request received."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_core.jp.wareki import format_wareki

from gateway.forms import EntryForm
from gateway.pages.requests import forms as rf
from gateway.pages.requests import group_routes
from gateway.web.deps import ContactsDep, MastersDep, ReportsDep, RequestsDep, WorkflowDep, require_access
from gateway.web.downloads import relay
from gateway.web.templating import flash, render

router = APIRouter(prefix="/requests", tags=["依頼・回答"])
CAN_READ = [Depends(require_access(Area.CONTACTS, Access.READ))]
CAN_CHANGE = [Depends(require_access(Area.CONTACTS, Access.UPDATE))]
router.include_router(group_routes.router)


@router.get("", dependencies=CAN_READ)
async def board(request: Request, requests: RequestsDep, show: str = "open") -> Response:
    """The board: open requests to and from other health centres, days waiting, overdue replies first."""
    open_only = show != "all"
    found = await requests.board(open_only=open_only)
    rows = found["items"]
    context = {
        "outgoing": [r for r in rows if r["direction"] == "outgoing"],
        "incoming": [r for r in rows if r["direction"] == "incoming"],
        "open_only": open_only,
        "overdue": sum(1 for r in rows if r["overdue"]),
        "title": "他自治体との依頼・回答",
    }
    return render(request, "requests/board.html", context)


async def _municipalities(masters: Any) -> dict[str, str]:
    """The health centres of the masters (code → name); none when masters has no such list."""
    try:
        found = await masters.records("municipality", limit=500)
    except Exception:
        return {}
    return {str(r.get("code")): str(r.get("name")) for r in found["items"] if r.get("code")}


async def _new_page(
    request: Request,
    contacts: Any,
    masters: Any,
    index_patient_id: uuid.UUID,
    form: EntryForm,
    status_code: int = 200,
) -> Response:
    index_case, found, places = await asyncio.gather(
        contacts.index_case(str(index_patient_id)),
        contacts.contacts(index_patient_id=str(index_patient_id), limit=500),
        _municipalities(masters),
    )
    people = {c["id"]: f"{c['name']}（{c.get('municipality') or '住所地未入力'}）" for c in found["items"]}
    context = {
        "form": form,
        "index_case": index_case,
        "index_patient_id": str(index_patient_id),
        "people": people,
        "places": places,
        "title": "他自治体への依頼を作成",
        "nav_path": "/requests",
    }
    return render(request, "requests/new.html", context, status_code=status_code)


@router.get("/new", dependencies=CAN_CHANGE)
async def new_request(
    request: Request, index_patient_id: uuid.UUID, contacts: ContactsDep, masters: MastersDep
) -> Response:
    """The form of a request to another health centre for contacts of one index patient (those living elsewhere
    ticked)."""
    found = await contacts.contacts(index_patient_id=str(index_patient_id), limit=500)
    ticked = [c["id"] for c in found["items"] if c.get("residence") == "elsewhere"]
    form = EntryForm(rf.outgoing_fields(), {"contacts": ticked, "index.infectiousness": "unknown"})
    return await _new_page(request, contacts, masters, index_patient_id, form)


@router.post("/new", dependencies=CAN_CHANGE)
async def create_request(
    request: Request,
    index_patient_id: uuid.UUID,
    contacts: ContactsDep,
    masters: MastersDep,
    requests: RequestsDep,
) -> Response:
    """Saves the request as 下書き; a wrong field shows the form again with every value kept."""
    form = EntryForm.posted(rf.outgoing_fields(), await request.form())
    places = await _municipalities(masters)
    result = await requests.create_outgoing(rf.outgoing_body(form, str(index_patient_id), places))
    if result.errors is not None:
        form.place(result.errors, rf.OUTGOING_ALIASES)
        return await _new_page(request, contacts, masters, index_patient_id, form, status_code=422)
    flash(request, "依頼を下書きとして保存しました。内容を確認して、送付してください。")
    return RedirectResponse(f"/requests/{result.record['id']}", status_code=303)  # type: ignore[index]


async def _incoming_page(request: Request, requests: Any, form: EntryForm, status_code: int = 200) -> Response:
    context = {
        "form": form,
        "code_lists": (await requests.codes()).get("lists") or {},
        "rows": range(rf.PEOPLE_ROWS),
        "title": "他自治体からの依頼を受け付ける",
        "nav_path": "/requests",
    }
    return render(request, "requests/incoming.html", context, status_code=status_code)


@router.get("/incoming", dependencies=CAN_CHANGE)
async def incoming_form(request: Request, requests: RequestsDep) -> Response:
    """The form of a request received: the sender, its index case and the people to examine."""
    values = {"index.infectiousness": "unknown", "requested_on": "", **{f"people.{n}.setting": "" for n in range(5)}}
    return await _incoming_page(request, requests, EntryForm(rf.incoming_fields(), values))


@router.post("/incoming", dependencies=CAN_CHANGE)
async def register_incoming(request: Request, requests: RequestsDep) -> Response:
    """Registers the request; the people become contacts handled here."""
    form = EntryForm.posted(rf.incoming_fields(), await request.form())
    result = await requests.register_incoming(rf.incoming_body(form))
    if result.errors is not None:
        form.place(result.errors, {"people": "people.0.name"})
        return await _incoming_page(request, requests, form, status_code=422)
    flash(request, "依頼を受け付けました。依頼された人は接触者として登録されています。")
    return RedirectResponse(f"/requests/{result.record['id']}", status_code=303)  # type: ignore[index]


def _forms(shown: dict[str, Any]) -> dict[str, EntryForm]:
    day = format_wareki(today(), "short")
    version = str(shown["version"])
    return {
        "send": EntryForm(rf.send_fields(False), {"method": "paper_mail", "sent_on": day}, version=version),
        "acknowledge": EntryForm(rf.acknowledge_fields(), {"acknowledged_on": day}, version=version),
        "reply": EntryForm(rf.reply_fields(shown["items"]), {"replied_on": day}, version=version),
        "withdraw": EntryForm(rf.withdraw_fields(), {}, version=version),
    }


async def _request_page(
    request: Request,
    requests: Any,
    request_id: uuid.UUID,
    *,
    forms: dict[str, EntryForm] | None = None,
    package: dict[str, Any] | None = None,
    status_code: int = 200,
    **circulations: Any,
) -> Response:
    shown, history, codes = await asyncio.gather(
        requests.request(str(request_id)), requests.history(str(request_id)), requests.codes()
    )
    given = _forms(shown) | (forms or {})
    if package:
        values = {
            "package_id": package["id"],
            "sent_on": format_wareki(today(), "short"),
            "documents": package["filename"],
        }
        given["send_file"] = EntryForm(rf.send_fields(True), values, version=str(shown["version"]))
    elif "send_file" not in given:
        given["send_file"] = None  # type: ignore[assignment]
    context = {
        "r": shown,
        "history": history,
        "code_lists": codes.get("lists") or {},
        "forms": given,
        "package": package,
        "outgoing": shown["direction"] == "outgoing",
        "title": f"{shown['direction_label']}（{shown['counterpart_name']}）",
        "nav_path": "/requests",
        **circulations,  # only the page itself lists the request's circulations (not a refused step)
    }
    return render(request, "requests/request.html", context, status_code=status_code)


@router.get("/{request_id:uuid}", dependencies=CAN_READ)
async def view_request(
    request: Request, request_id: uuid.UUID, requests: RequestsDep, workflow: WorkflowDep
) -> Response:
    """One request: the facts, the index summary sent, the contacts with their results, sendings and steps, and its
    回議・供覧 (state, stamps, 回議に付す・供覧に回す)."""
    circulations = await workflow.of_record("contacts", "request", str(request_id))
    return await _request_page(request, requests, request_id, circulations=circulations)


@router.post("/{request_id:uuid}/package", dependencies=CAN_CHANGE)
async def make_package(request: Request, request_id: uuid.UUID, requests: RequestsDep) -> Response:
    """Makes the encrypted file and shows its password once (it is not kept anywhere)."""
    result = await requests.make_package(str(request_id))
    if result.record is None:
        flash(request, result.conflict or "暗号化ファイルを作成できませんでした。")
        return RedirectResponse(f"/requests/{request_id}", status_code=303)
    return await _request_page(request, requests, request_id, package=result.record)


@router.get("/{request_id:uuid}/packages/{package_id:uuid}", dependencies=CAN_CHANGE)
async def download_package(request_id: uuid.UUID, package_id: uuid.UUID, requests: RequestsDep) -> Response:
    """The encrypted file (the password is not in it and not kept)."""
    return relay(await requests.package(str(request_id), str(package_id)), media_type="application/zip")


@router.get("/{request_id:uuid}/letter/{form}", dependencies=CAN_READ)
async def print_letter(request_id: uuid.UUID, form: str, reports: ReportsDep) -> Response:
    """The request's letter as a PDF from reports: F30 for ours, F27 for the reply to one received."""
    letter = "F30" if form.upper() == "F30" else "F27"
    return relay(await reports.request_letter(str(request_id), letter), media_type="application/pdf")


STEPS = {
    "send": ("send", lambda _: rf.send_fields(False), "送付を記録しました。"),
    "send_file": ("send", lambda _: rf.send_fields(True), "暗号化ファイルの送付を記録しました。"),
    "acknowledge": ("acknowledge", lambda _: rf.acknowledge_fields(), "受領確認を記録しました。回答待ちです。"),
    "reply": ("reply", rf.reply_fields, "回答を入力しました。接触者の健診結果に反映しています。"),
    "withdraw": ("withdraw", lambda _: rf.withdraw_fields(), "依頼を取り下げました。"),
}


@router.post("/{request_id:uuid}/{step}", dependencies=CAN_CHANGE)
async def take_step(request: Request, request_id: uuid.UUID, step: str, requests: RequestsDep) -> Response:
    """One step of the request; a refused step shows the page again with the form's messages."""
    if step not in STEPS:
        return RedirectResponse(f"/requests/{request_id}", status_code=303)
    path, fields_of, done = STEPS[step]
    shown = await requests.request(str(request_id))
    form = EntryForm.posted(fields_of(shown["items"]), await request.form())
    if step == "reply":
        body = rf.reply_body(form, shown["items"])
        aliases = rf.reply_aliases(len(shown["items"]))
    else:
        body = {k: v for k, v in form.json(skip=()).items() if v not in (None, "")}
        if step == "send_file":
            body["method"] = "electronic"
        aliases = {}
    body["version"] = int(form.version) if form.version.isdigit() else form.version
    result = await requests.step(str(request_id), path, body)
    if result.record is not None:
        flash(request, done)
        return RedirectResponse(f"/requests/{request_id}", status_code=303)
    if result.conflict:
        form.conflict = result.conflict
    else:
        form.place(result.errors or {}, aliases)
    code = 409 if result.conflict else 422
    return await _request_page(request, requests, request_id, forms={step: form}, status_code=code)
