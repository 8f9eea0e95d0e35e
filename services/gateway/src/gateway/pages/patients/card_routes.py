"""Corrections of the card on the patient page: 届出, 病状, 治療歴・合併症, record #1 (履歴修正), 登録除外 (R03, R21);
and the printable 修正履歴."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response
from tbms_core import clock
from tbms_core.jp.wareki import format_both, parse_date

from gateway.forms import EntryForm, required_reason
from gateway.forms.entry import every_code
from gateway.pages.patients.entry_forms.card import EXCLUSION, REINSTATEMENT, SECTIONS, at_registration_fields
from gateway.pages.patients.page import PatientPage, PatientPageDep
from gateway.web.deps import PatientsDep
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter()


@router.post("/{patient_id:uuid}/sections/{key}")
async def correct_section(request: Request, patient_id: uuid.UUID, key: str, page: PatientPageDep) -> Response:
    """Saves one section of the card as a whole, based on the version the user saw."""
    section = SECTIONS.get(key)
    if section is None:
        raise PageNotFound()
    posted = await request.form()
    form = EntryForm.posted(section.fields, posted)
    if held := await page.held_here(patient_id, key, form, posted):
        return held
    saved = await page.patients.correct_patient(str(patient_id), form.version, form.json(), form.value("reason"))
    return await page.after_save(patient_id, key=key, form=form, saved=saved, anchor=f"{key}-title")


@router.post("/{patient_id:uuid}/at-registration")
async def correct_at_registration(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """履歴修正 of record #1 (the facts as at registration), always with a reason."""
    form = EntryForm.posted(at_registration_fields(await page.patients.card_codes()), await request.form())
    if not required_reason(form):
        return await page.refused_here(patient_id, "r1", form)
    saved = await page.patients.correct_at_registration(
        str(patient_id), form.version, form.json(), form.value("reason")
    )
    return await page.after_save(patient_id, key="r1", form=form, saved=saved, anchor="at-registration-title")


@router.post("/{patient_id:uuid}/exclusion")
async def exclude_patient(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """登録除外 with the date, the reason and a note; the record is kept. A confirmation page showing what will
    happen comes first; only its 「登録除外する」 (step=confirmed) excludes."""
    posted = await request.form()
    form = EntryForm.posted(tuple(f.bound("ex") for f in EXCLUSION), posted)
    if held := await page.held_here(patient_id, "ex", form, posted):
        return held
    if posted.get("step") != "confirmed":
        return await _exclusion_confirmation(request, patient_id, form, posted, page)
    saved = await page.patients.exclude(str(patient_id), {"version": form.version, **form.json(skip=())})
    return await page.after_save(patient_id, key="ex", form=form, saved=saved, anchor="exclusion-title")


async def _exclusion_confirmation(
    request: Request, patient_id: uuid.UUID, form: EntryForm, posted: FormData, page: PatientPage
) -> Response:
    """The 確認画面 of 登録除外: who leaves the register, from when and why, and what that does and does not do."""
    patient, codes = await asyncio.gather(page.patients.patient(str(patient_id)), page.patients.card_codes())
    reason = form.value("reason")
    context = {
        "title": "登録除外（確認）",
        "patient": patient,
        "excluded_on": format_both(parse_date(form.value("excluded_on"))),
        "reason": every_code(codes, "exclusion_reason").get(reason, reason),
        "note": form.value("note"),
        "kept": [(key, str(value)) for key, value in posted.multi_items() if key not in ("csrf_token", "step")],
        "nav_path": "/patients",
    }
    return render(request, "patients/exclusion_confirm.html", context)


@router.post("/{patient_id:uuid}/reinstatement")
async def reinstate_patient(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """Cancels an exclusion (登録除外の取消), with the reason."""
    form = EntryForm.posted(tuple(f.bound("ex") for f in REINSTATEMENT), await request.form())
    if not required_reason(form, "取消の理由"):
        return await page.refused_here(patient_id, "ex", form)
    saved = await page.patients.reinstate(str(patient_id), {"version": form.version, "reason": form.value("reason")})
    return await page.after_save(patient_id, key="ex", form=form, saved=saved, anchor="exclusion-title")


@router.get("/{patient_id:uuid}/history/print")
async def print_history(
    request: Request, patient_id: uuid.UUID, patients: PatientsDep, record: uuid.UUID | None = None
) -> Response:
    """The 修正履歴 on a page made for printing: who, when, why, which item, from what to what; of the whole
    patient, or with `record` of one record (the patient's own items, one result, one care record)."""
    pid = str(patient_id)
    patient, history = await asyncio.gather(patients.patient(pid), patients.patient_history(pid))
    if record is not None:
        history = [entry for entry in history if entry.get("record_id") == str(record)]
    context = {
        "patient": patient,
        "history": history,
        "one_record": history[0].get("record_label", "") if record is not None and history else "",
        "record_filtered": record is not None,
        "printed_at": clock.now(),
        "title": f"修正履歴（{patient.get('name', '')}）",
    }
    return render(request, "patients/history_print.html", context)
