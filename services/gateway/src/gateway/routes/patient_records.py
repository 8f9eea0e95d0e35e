"""Records under a patient: 菌検査 results (R04) and 治療・入院・転入出・経過記録, each added and corrected (R21)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.card_forms import custom_fields
from gateway.care_forms import care_body
from gateway.deps import BackendDep
from gateway.errors import PageNotFound
from gateway.forms import EntryForm
from gateway.lab_forms import LAB_KINDS, correction_fields, lab_aliases, lab_body, new_lab_fields
from gateway.patient_page import after_save, care_kind
from gateway.reference import card_codes, definitions_today

router = APIRouter()


@router.post("/{patient_id:uuid}/lab-results")
async def record_lab_result(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Records a result of any kind; only the chosen kind's items are sent."""
    codes, definitions = await card_codes(request, backend), await definitions_today(backend)
    form = EntryForm.posted(new_lab_fields(codes, custom_fields(definitions, "lab_result")), await request.form())
    kind = form.value("kind")
    body = {"kind": kind, **lab_body(form, kind)}
    saved = await backend.record_lab_result(str(patient_id), body)
    return await after_save(
        request, backend, patient_id, key="lab", form=form, saved=saved, anchor="labs-title", aliases=lab_aliases(kind)
    )


@router.post("/{patient_id:uuid}/lab-results/{result_id:uuid}")
async def correct_lab_result(
    request: Request, patient_id: uuid.UUID, result_id: uuid.UUID, backend: BackendDep
) -> Response:
    """Corrects one result (its kind stays), based on the version the user saw."""
    posted = await request.form()
    kind = str(posted.get("kind") or "")
    if kind not in dict(LAB_KINDS):
        raise PageNotFound()
    codes, definitions = await card_codes(request, backend), await definitions_today(backend)
    fields = correction_fields(kind, str(result_id), codes, custom_fields(definitions, "lab_result"))
    form = EntryForm.posted(fields, posted)
    path = f"/patients/{patient_id}/lab-results/{result_id}"
    saved = await backend.correct(path, form.version, lab_body(form, kind), form.value("reason"))
    key = f"lab-{result_id}"
    return await after_save(
        request, backend, patient_id, key=key, form=form, saved=saved, anchor="labs-title", aliases=lab_aliases(kind)
    )


@router.post("/{patient_id:uuid}/care/{path}")
async def record_care(request: Request, patient_id: uuid.UUID, path: str, backend: BackendDep) -> Response:
    """Adds a treatment, hospital stay, transfer or progress note."""
    kind = care_kind(path)
    custom = custom_fields(await definitions_today(backend), kind.custom_target) if kind.custom_target else ()
    form = EntryForm.posted(kind.new_fields(custom), await request.form())
    saved = await backend.save(
        f"/patients/{patient_id}/{kind.path}", care_body(form), f"{kind.title}を記録できませんでした。"
    )
    key, anchor = f"{kind.key}-new", f"{kind.path}-title"
    return await after_save(request, backend, patient_id, key=key, form=form, saved=saved, anchor=anchor)


@router.post("/{patient_id:uuid}/care/{path}/{record_id:uuid}")
async def correct_care(
    request: Request, patient_id: uuid.UUID, path: str, record_id: uuid.UUID, backend: BackendDep
) -> Response:
    """Corrects one care record, based on the version the user saw."""
    kind = care_kind(path)
    custom = custom_fields(await definitions_today(backend), kind.custom_target) if kind.custom_target else ()
    form = EntryForm.posted(kind.correction_fields(str(record_id), custom), await request.form())
    api_path = f"/patients/{patient_id}/{kind.path}/{record_id}"
    saved = await backend.correct(api_path, form.version, care_body(form), form.value("reason"))
    key, anchor = f"{kind.key}-{record_id}", f"{kind.path}-title"
    return await after_save(request, backend, patient_id, key=key, form=form, saved=saved, anchor=anchor)
