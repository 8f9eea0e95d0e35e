"""Records under a patient: 菌検査 results (R04) and 治療・入院・転入出・経過記録, each added and corrected (R21)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.forms import EntryForm
from gateway.pages.patients.entry_forms.card import custom_fields
from gateway.pages.patients.entry_forms.care import care_body
from gateway.pages.patients.entry_forms.lab import (
    LAB_KINDS,
    SET_EMPTY,
    SPECIMEN_SET,
    correction_fields,
    lab_aliases,
    lab_body,
    new_lab_fields,
    set_aliases,
    set_bodies,
)
from gateway.pages.patients.page import PatientPage, PatientPageDep, care_kind, definitions_today
from gateway.web.errors import PageNotFound

router = APIRouter()


@router.post("/{patient_id:uuid}/lab-results")
async def record_lab_result(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """Records a result of any kind; only the chosen kind's items are sent."""
    codes, definitions = await page.patients.card_codes(), await definitions_today(page.patients)
    form = EntryForm.posted(new_lab_fields(codes, custom_fields(definitions, "lab_result")), await request.form())
    kind = form.value("kind")
    if kind == SPECIMEN_SET:
        return await _record_specimen_set(patient_id, form, page)
    saved = await page.patients.record_lab_result(str(patient_id), {"kind": kind, **lab_body(form, kind)})
    return await page.after_save(
        patient_id, key="lab", form=form, saved=saved, anchor="labs-title", aliases=lab_aliases(kind)
    )


async def _record_specimen_set(patient_id: uuid.UUID, form: EntryForm, page: PatientPage) -> Response:
    """塗抹・培養・核酸増幅法 of one specimen in one save: each filled kind a result of its own, all or none."""
    bodies = set_bodies(form)
    if not bodies:
        form.place({"kind": SET_EMPTY})
        return await page.refused_here(patient_id, "lab", form)
    saved = await page.patients.record_lab_results(str(patient_id), [body for _, body in bodies])
    aliases = set_aliases([kind for kind, _ in bodies])
    return await page.after_save(patient_id, key="lab", form=form, saved=saved, anchor="labs-title", aliases=aliases)


@router.post("/{patient_id:uuid}/lab-results/{result_id:uuid}")
async def correct_lab_result(
    request: Request, patient_id: uuid.UUID, result_id: uuid.UUID, page: PatientPageDep
) -> Response:
    """Corrects one result (its kind stays), based on the version the user saw."""
    posted = await request.form()
    kind = str(posted.get("kind") or "")
    if kind not in dict(LAB_KINDS):
        raise PageNotFound()
    codes, definitions = await page.patients.card_codes(), await definitions_today(page.patients)
    fields = correction_fields(kind, str(result_id), codes, custom_fields(definitions, "lab_result"))
    form = EntryForm.posted(fields, posted)
    saved = await page.patients.correct_lab_result(
        str(patient_id), str(result_id), form.version, lab_body(form, kind), form.value("reason")
    )
    return await page.after_save(
        patient_id, key=f"lab-{result_id}", form=form, saved=saved, anchor="labs-title", aliases=lab_aliases(kind)
    )


@router.post("/{patient_id:uuid}/care/{path}")
async def record_care(request: Request, patient_id: uuid.UUID, path: str, page: PatientPageDep) -> Response:
    """Adds a treatment, hospital stay, transfer or progress note."""
    kind = care_kind(path)
    custom = custom_fields(await definitions_today(page.patients), kind.custom_target) if kind.custom_target else ()
    posted = await request.form()
    form = EntryForm.posted(kind.new_fields(custom), posted)
    if held := await page.held_here(patient_id, f"{kind.key}-new", form, posted):
        return held
    failure = f"{kind.title}を記録できませんでした。"
    saved = await page.patients.record_care(str(patient_id), kind.path, care_body(form), failure)
    return await page.after_save(patient_id, key=f"{kind.key}-new", form=form, saved=saved, anchor=f"{kind.path}-title")


@router.post("/{patient_id:uuid}/care/{path}/{record_id:uuid}")
async def correct_care(
    request: Request, patient_id: uuid.UUID, path: str, record_id: uuid.UUID, page: PatientPageDep
) -> Response:
    """Corrects one care record, based on the version the user saw."""
    kind = care_kind(path)
    custom = custom_fields(await definitions_today(page.patients), kind.custom_target) if kind.custom_target else ()
    posted = await request.form()
    form = EntryForm.posted(kind.correction_fields(str(record_id), custom), posted)
    if held := await page.held_here(patient_id, f"{kind.key}-{record_id}", form, posted):
        return held
    saved = await page.patients.correct_care(
        str(patient_id), kind.path, str(record_id), form.version, care_body(form), form.value("reason")
    )
    return await page.after_save(
        patient_id, key=f"{kind.key}-{record_id}", form=form, saved=saved, anchor=f"{kind.path}-title"
    )
