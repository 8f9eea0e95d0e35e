"""接触者管理 (R12, R13): the screening list, an index patient's contacts with the registration, and the
contact page with its corrections; the exams are in exam_routes.py."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core import clock
from tbms_core.auth import Access, Area

from gateway.clients.contacts import MAX_OFFSET, PAGE_SIZE, ContactsClient
from gateway.clients.masters import MastersClient
from gateway.clients.requests import RequestsClient
from gateway.forms import EntryForm, preview_date
from gateway.forms.chars import accepted_note, check_chars, master_policy
from gateway.pages.contacts import cluster, exam_routes, notice_routes
from gateway.pages.contacts import entry_forms as ef
from gateway.pages.contacts.page import ContactPageDep
from gateway.pages.contacts.view import (
    Paging,
    chosen_patient,
    confirmed_new,
    duplicate_row,
    history_view,
    list_row,
    patient_row,
    screening_choices,
    screening_conditions,
    setting_choices,
    with_nurses,
)
from gateway.web.deps import ContactsDep, LoginDep, MastersDep, RequestsDep, require_access, same_site_only
from gateway.web.downloads import csv_format, relay
from gateway.web.permissions import allows
from gateway.web.templating import flash, render

router = APIRouter(prefix="/contacts", tags=["接触者管理"])
CAN_READ = [Depends(require_access(Area.CONTACTS, Access.READ))]
router.include_router(exam_routes.router)
router.include_router(notice_routes.router)


@router.get("", dependencies=CAN_READ)
async def screening_list(request: Request, contacts: ContactsDep, masters: MastersDep, page: int = 1) -> Response:
    """The screening list: contacts due this week, overdue or without a result, by district, setting, priority and
    status, sorted by the next due day (the default) or name, a page at a time."""
    return await _screening_page(request, contacts, masters, page)


async def _screening_page(
    request: Request,
    contacts: ContactsClient,
    masters: MastersClient,
    page: int,
    *,
    export_error: str = "",
    status_code: int = 200,
) -> Response:
    settings = setting_choices(await contacts.codes())
    conditions, given = screening_conditions(request.query_params, settings)
    first = Paging(total=0, page=min(max(page, 1), MAX_OFFSET // PAGE_SIZE + 1), path="/contacts")
    found, districts = await asyncio.gather(
        contacts.contacts(
            index_patient_id=conditions.pop("index_patient_id", ""),
            conditions=conditions,
            limit=first.size,
            offset=first.offset,
        ),
        masters.districts(),
    )
    query = tuple(given.items())
    context = {
        "rows": [list_row(c) for c in found["items"]],
        "paging": Paging(total=found["total"], page=first.page, path="/contacts", query=query),
        "conditions": given,
        "shown": conditions,
        "choices": screening_choices(districts, settings),
        "export_url": "/contacts/export" + (f"?{urlencode(query)}" if query else ""),
        "filtered": bool(given),
        "export_error": export_error,
        "title": "接触者健診の一覧",
    }
    return render(request, "contacts/list.html", context, status_code=status_code)


@router.get("/export", dependencies=[Depends(same_site_only), *CAN_READ])
async def export_list(request: Request, contacts: ContactsDep, masters: MastersDep) -> Response:
    """The screening list with the same conditions as CSV for Excel (contacts refuses more than 100,000 rows and
    records the export in the operation history)."""
    conditions, _ = screening_conditions(request.query_params, setting_choices(await contacts.codes()))
    answer = await contacts.export(conditions | csv_format(request))
    if answer.download is None:
        message = next(iter((answer.errors or {}).values()), "CSVを出力できませんでした。")
        return await _screening_page(request, contacts, masters, 1, export_error=message, status_code=422)
    return relay(answer.download)


@router.get("/date-preview")
async def date_preview(request: Request, _: LoginDep) -> Response:
    """A typed date read back in 和暦 and 西暦 (an htmx fragment beside the date fields)."""
    typed = next(iter(request.query_params.values()), "")
    return render(request, "contacts/_date_preview.html", {"preview": preview_date(typed)})


async def _index_page(
    request: Request,
    contacts: ContactsClient,
    masters: MastersClient,
    requests: RequestsClient,
    patient_id: uuid.UUID,
    form: EntryForm,
    *,
    page: int = 1,
    duplicates: list[dict[str, Any]] | None = None,
    patient_duplicates: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    paging = Paging(total=0, page=max(page, 1), path=f"/contacts/index-patients/{patient_id}")
    index_case, found, counts, codes, nurses, groups = await asyncio.gather(
        contacts.index_case(str(patient_id)),
        contacts.contacts(index_patient_id=str(patient_id), limit=paging.size, offset=paging.offset),
        contacts.counts(str(patient_id)),
        contacts.codes(),
        masters.nurse_names(),
        requests.groups(str(patient_id)),
    )
    context = {
        "patient_id": str(patient_id),
        "index_case": index_case,
        "rows": [list_row(c, str(patient_id)) for c in found["items"]],
        "paging": Paging(total=found["total"], page=paging.page, path=paging.path),
        "form": form,
        "birth_preview": preview_date(form.value("birth_date")),
        "duplicates": duplicates or [],
        "patient_duplicates": patient_duplicates or [],
        "checked": " ".join(str(c["id"]) for c in (*(duplicates or []), *(patient_duplicates or []))),
        "counts": counts,
        "groups": groups,
        "contact_codes": with_nurses(codes, nurses, form.value("nurse")),
        "title": f"接触者（{index_case['name']}）" if index_case else "接触者",
        "nav_path": "/contacts",
    }
    return render(request, "contacts/index.html", context, status_code=status_code)


def _new_form() -> EntryForm:
    return EntryForm(ef.registration_fields(), {"residence": "here", "exposure.infectiousness": "unknown"})


@router.get("/index-patients/{patient_id:uuid}", dependencies=CAN_READ)
async def contacts_of(
    request: Request,
    patient_id: uuid.UUID,
    contacts: ContactsDep,
    masters: MastersDep,
    requests: RequestsDep,
    page: int = 1,
) -> Response:
    """The index patient's summary, their contacts with priority and next exam, their groups (集団接触者) and
    「接触者を追加」."""
    return await _index_page(request, contacts, masters, requests, patient_id, _new_form(), page=page)


@router.get("/index-patients/{patient_id:uuid}/cluster", dependencies=CAN_READ)
async def cluster_of(request: Request, patient_id: uuid.UUID, requests: RequestsDep, login: LoginDep) -> Response:
    """The transmission picture around the index patient (SVG and the same facts as a table); a node links only to
    records the user may open."""
    found = await requests.cluster(str(patient_id))
    may_open_patients = allows(login.user, Area.PATIENTS, Access.READ)
    boxes, lines, width, height = cluster.layout(found, may_open_patients=may_open_patients)
    first = next((n for n in found["nodes"] if n["kind"] == "index"), {"name": ""})
    context = {
        "patient_id": str(patient_id),
        "index_name": first["name"],
        "boxes": boxes,
        "lines": lines,
        "width": width,
        "height": height,
        "rows": cluster.table_rows(found, boxes),
        "truncated": found["truncated"],
        "basis": found["basis"],
        "title": f"感染の広がり（{first['name']}）",
        "nav_path": "/contacts",
    }
    return render(request, "contacts/cluster.html", context)


@router.post("/index-patients/{patient_id:uuid}")
async def register_contact(
    request: Request, patient_id: uuid.UUID, contacts: ContactsDep, masters: MastersDep, requests: RequestsDep
) -> Response:
    """Registers a contact of this index patient after the duplicate check: when the person may already be a
    contact (of this or another index patient) or a registered patient, the form comes back with them, to link the
    exposure to that contact, to register the contact as that patient (linked, not copied), or to confirm a new
    person. A wrong field shows the form again with every value kept."""
    posted = await request.form()
    form = EntryForm.posted(ef.registration_fields(), posted)
    if refused := form.checked_here():  # what the browser checks before sending, in the same words
        form.place(refused)
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=422)
    refused = check_chars(form, await master_policy(request, masters))  # 外字 the policy refuses (N26)
    form.place(refused)
    if ef.elsewhere_without_municipality(form) or refused:
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=422)
    found = await contacts.duplicates({n: form.value(n) for n in ("name", "name_kana", "birth_date", "phone")})
    candidates = [*found.contacts, *found.patients]
    as_patient = chosen_patient(posted, found.patients, candidates)
    if candidates and not as_patient and not confirmed_new(posted, candidates):
        return await _index_page(
            request,
            contacts,
            masters,
            requests,
            patient_id,
            form,
            duplicates=[duplicate_row(c, str(patient_id)) for c in found.contacts],
            patient_duplicates=[patient_row(p) for p in found.patients],
        )
    body = ef.registration_body(form, str(patient_id))
    if not body.get("nurse") and form.value("address").strip():  # as a new patient: the nurse of the address
        body["nurse"] = await proposed_nurse(masters, form.value("address"))
    if as_patient:
        body["patient_id"] = as_patient
    result = await contacts.register(body)
    if result.errors is not None:
        form.place(result.errors, ef.registration_aliases())
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=422)
    registered = f"接触者「{result.record['name']}」を登録しました。健診の予定を確認してください。"  # type: ignore[index]
    flash(request, f"{registered}{accepted_note(form)}")
    return RedirectResponse(f"/contacts/{result.record['id']}", status_code=303)  # type: ignore[index]


async def proposed_nurse(masters: MastersClient, address: str) -> str:
    """The nurse masters' staff assignment gives the address (its district found by the 町丁目); "" when none
    fits or masters cannot be reached (the index patient's nurse then follows the contact)."""
    found = await masters.nurse_lookup("", address.strip())
    return str(((found or {}).get("proposed") or {}).get("nurse_username") or "")


@router.post("/index-patients/{patient_id:uuid}/link")
async def link_existing(
    request: Request, patient_id: uuid.UUID, contacts: ContactsDep, masters: MastersDep, requests: RequestsDep
) -> Response:
    """The duplicate check's other choice: the person is already a contact, so the exposure typed on the
    registration form is added to that contact (linked, not copied) based on the version the user saw."""
    posted = await request.form()
    form = EntryForm.posted(ef.registration_fields(), posted)
    contact_id, _, version = str(posted.get("link_to") or "").partition(":")
    try:
        contact_id = str(uuid.UUID(contact_id))
    except ValueError:
        form.conflict = "紐づける接触者が選ばれていません。もう一度「登録する」を押して選び直してください。"
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=422)
    exposure = ef.registration_body(form, str(patient_id))["exposures"][0]
    result = await contacts.add_exposure(contact_id, version, exposure)
    if result.conflict:
        form.conflict = result.conflict
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=409)
    if result.errors is not None:
        form.place(result.errors, {"exposure": "exposure.setting"})
        return await _index_page(request, contacts, masters, requests, patient_id, form, status_code=422)
    flash(request, f"登録済みの接触者「{result.record['name']}」に、この発端患者との接触状況を追加しました。")  # type: ignore[index]
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.get("/{contact_id:uuid}", dependencies=CAN_READ)
async def view_contact(contact_id: uuid.UUID, page: ContactPageDep, kind: str = "", planned_on: str = "") -> Response:
    """The contact page: header, identity, exposures, priority, the plan, exams, outcome and history.

    `kind` and `planned_on` (from a plan item's 「結果を入力」) prefill the new exam.
    """
    prefill = {"kind": kind if ef.EXAM_KIND.fullmatch(kind) else "", "planned_on": planned_on[:10]}
    return await page.show(contact_id, prefill=prefill)


@router.get("/{contact_id:uuid}/history", dependencies=CAN_READ)
async def contact_history(
    request: Request, contact_id: uuid.UUID, contacts: ContactsDep, record: uuid.UUID | None = None
) -> Response:
    """The contact's 修正履歴 on a page of its own, made for printing: who, when, why, which record (the contact, an
    exposure, an exam, a 勧告), which item from what to what; with `record`, of that record only."""
    cid = str(contact_id)
    contact, history = await asyncio.gather(contacts.contact(cid), contacts.history(cid))
    if record is not None:
        history = [entry for entry in history if entry.get("record_id") == str(record)]
    entries = history_view(history, contact)
    context = {
        "contact": contact,
        "history": entries,
        "one_record": entries[0]["record_label"] if record is not None and entries else "",
        "record_filtered": record is not None,
        "printed_at": clock.now(),
        "title": f"修正履歴（{contact.get('name', '')}・接触者）",
        "nav_path": "/contacts",
    }
    return render(request, "contacts/history.html", context)


@router.post("/{contact_id:uuid}/person")
async def correct_person(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Saves a correction of the identity and risk factors, based on the version the user saw; a name or address
    with 外字 the health center's policy refuses comes back with the reason beside it (N26)."""
    form = EntryForm.posted(ef.identity_fields(), await request.form())
    refused = check_chars(form, await master_policy(request, page.masters))  # 外字 the policy refuses (N26)
    form.place(refused)
    if ef.elsewhere_without_municipality(form) or refused:
        return await page.refused(contact_id, "person", form)
    saved = await page.contacts.correct(str(contact_id), form.version, form.json(), form.value("reason"))
    message = f"保存しました。{accepted_note(form)}"
    return await page.after_save(
        contact_id, key="person", form=form, saved=saved, anchor="person-title", message=message
    )


@router.post("/{contact_id:uuid}/priority")
async def override_priority(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Overrides the suggested priority with a reason (or goes back to the suggestion); both are kept."""
    form = EntryForm.posted(ef.priority_fields(), await request.form())
    reason = form.value("priority_reason")
    saved = await page.contacts.correct(str(contact_id), form.version, form.json(skip=()), reason)
    return await page.after_save(contact_id, key="priority", form=form, saved=saved, anchor="priority-title")


@router.post("/{contact_id:uuid}/outcome")
async def record_outcome(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Records the outcome of the screening (異常なし, LTBI, 発病, 未受診 …)."""
    form = EntryForm.posted(ef.outcome_fields(), await request.form())
    saved = await page.contacts.correct(str(contact_id), form.version, form.json(), form.value("reason"))
    return await page.after_save(
        contact_id, key="outcome", form=form, saved=saved, anchor="outcome-title", message="判定を保存しました。"
    )


@router.post("/{contact_id:uuid}/end")
async def end_follow_up(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Ends the follow-up (終了) or excludes the contact (対象外); the record stays."""
    form = EntryForm.posted(ef.end_fields(), await request.form())
    saved = await page.contacts.end(str(contact_id), form.version, form.json(skip=()))
    return await page.after_save(
        contact_id, key="end", form=form, saved=saved, anchor="outcome-title", message="健診を終了しました。"
    )


@router.post("/{contact_id:uuid}/exposures/{exposure_id:uuid}")
async def correct_exposure(
    request: Request, contact_id: uuid.UUID, exposure_id: uuid.UUID, page: ContactPageDep
) -> Response:
    """Corrects one exposure; the plan's dates follow a new last-contact date."""
    form = EntryForm.posted(ef.exposure_fields(str(exposure_id)), await request.form())
    saved = await page.contacts.correct_exposure(
        str(contact_id), str(exposure_id), form.version, form.json(), form.value("reason")
    )
    return await page.after_save(
        contact_id,
        key=f"exp-{exposure_id}",
        form=form,
        saved=saved,
        anchor="exposures-title",
        message="接触状況を保存しました。健診の予定日を確認してください。",
        aliases=ef.EXPOSURE_ALIASES,
    )
