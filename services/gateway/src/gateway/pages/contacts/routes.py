"""接触者管理 (R12, R13): the screening list, an index patient's contacts with the registration, and the
contact page with its corrections; the exams are in exam_routes.py."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.contacts import ContactsClient
from gateway.forms import EntryForm, preview_date
from gateway.pages.contacts import entry_forms as ef
from gateway.pages.contacts import exam_routes
from gateway.pages.contacts.page import ContactPageDep
from gateway.pages.contacts.view import Paging, list_row
from gateway.web.deps import ContactsDep, LoginDep, require_access
from gateway.web.templating import flash, render

router = APIRouter(prefix="/contacts", tags=["接触者管理"])
CAN_READ = [Depends(require_access(Area.CONTACTS, Access.READ))]
router.include_router(exam_routes.router)


@router.get("", dependencies=CAN_READ)
async def screening_list(request: Request, contacts: ContactsDep, page: int = 1) -> Response:
    """Every contact of every index patient with the next exam due, earliest registered first, a page at a time."""
    paging = Paging(total=0, page=max(page, 1), path="/contacts")
    found = await contacts.contacts(limit=paging.size, offset=paging.offset)
    context = {
        "rows": [list_row(c) for c in found["items"]],
        "paging": Paging(total=found["total"], page=paging.page, path="/contacts"),
        "title": "接触者健診の一覧",
    }
    return render(request, "contacts/list.html", context)


@router.get("/date-preview")
async def date_preview(request: Request, _: LoginDep) -> Response:
    """A typed date read back in 和暦 and 西暦 (an htmx fragment beside the date fields)."""
    typed = next(iter(request.query_params.values()), "")
    return render(request, "contacts/_date_preview.html", {"preview": preview_date(typed)})


async def _index_page(
    request: Request,
    contacts: ContactsClient,
    patient_id: uuid.UUID,
    form: EntryForm,
    *,
    page: int = 1,
    status_code: int = 200,
) -> Response:
    paging = Paging(total=0, page=max(page, 1), path=f"/contacts/index-patients/{patient_id}")
    index_case, found = await asyncio.gather(
        contacts.index_case(str(patient_id)),
        contacts.contacts(index_patient_id=str(patient_id), limit=paging.size, offset=paging.offset),
    )
    context = {
        "patient_id": str(patient_id),
        "index_case": index_case,
        "rows": [list_row(c, str(patient_id)) for c in found["items"]],
        "paging": Paging(total=found["total"], page=paging.page, path=paging.path),
        "form": form,
        "birth_preview": preview_date(form.value("birth_date")),
        "title": f"接触者（{index_case['name']}）" if index_case else "接触者",
        "nav_path": "/contacts",
    }
    return render(request, "contacts/index.html", context, status_code=status_code)


def _new_form() -> EntryForm:
    return EntryForm(ef.registration_fields(), {"residence": "here", "exposure.infectiousness": "unknown"})


@router.get("/index-patients/{patient_id:uuid}", dependencies=CAN_READ)
async def contacts_of(request: Request, patient_id: uuid.UUID, contacts: ContactsDep, page: int = 1) -> Response:
    """The index patient's summary, their contacts with priority and next exam, and 「接触者を追加」."""
    return await _index_page(request, contacts, patient_id, _new_form(), page=page)


@router.post("/index-patients/{patient_id:uuid}")
async def register_contact(request: Request, patient_id: uuid.UUID, contacts: ContactsDep) -> Response:
    """Registers a contact of this index patient; a wrong field shows the form again with every value kept."""
    form = EntryForm.posted(ef.registration_fields(), await request.form())
    if ef.elsewhere_without_municipality(form):
        return await _index_page(request, contacts, patient_id, form, status_code=422)
    result = await contacts.register(ef.registration_body(form, str(patient_id)))
    if result.errors is not None:
        form.place(result.errors, ef.registration_aliases())
        return await _index_page(request, contacts, patient_id, form, status_code=422)
    flash(request, f"接触者「{result.record['name']}」を登録しました。健診の予定を確認してください。")  # type: ignore[index]
    return RedirectResponse(f"/contacts/{result.record['id']}", status_code=303)  # type: ignore[index]


@router.get("/{contact_id:uuid}", dependencies=CAN_READ)
async def view_contact(contact_id: uuid.UUID, page: ContactPageDep, kind: str = "", planned_on: str = "") -> Response:
    """The contact page: header, identity, exposures, priority, the plan, exams, outcome and history.

    `kind` and `planned_on` (from a plan item's 「結果を入力」) prefill the new exam.
    """
    prefill = {"kind": kind if kind in dict(ef.EXAM_KINDS) else "", "planned_on": planned_on[:10]}
    return await page.show(contact_id, prefill=prefill)


@router.post("/{contact_id:uuid}/person")
async def correct_person(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Saves a correction of the identity and risk factors, based on the version the user saw."""
    form = EntryForm.posted(ef.identity_fields(), await request.form())
    if ef.elsewhere_without_municipality(form):
        return await page.refused(contact_id, "person", form)
    saved = await page.contacts.correct(str(contact_id), form.version, form.json(), form.value("reason"))
    return await page.after_save(contact_id, key="person", form=form, saved=saved, anchor="person-title")


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
