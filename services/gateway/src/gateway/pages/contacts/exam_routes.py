"""A contact's screening exams (R13): one planned or done with its result, its correction and its cancellation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.forms import EntryForm, required_reason
from gateway.pages.contacts import entry_forms as ef
from gateway.pages.contacts.page import ContactPageDep
from gateway.web.errors import PageNotFound

router = APIRouter()


@router.post("/{contact_id:uuid}/exams")
async def record_exam(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Records an exam, planned (予定日) or done with its result; only the chosen kind's items are sent."""
    form = EntryForm.posted(ef.new_exam_fields(), await request.form())
    kind = form.value("kind")
    saved = await page.contacts.record_exam(str(contact_id), {"kind": kind, **ef.exam_body(form, kind)})
    return await page.after_save(
        contact_id, key="exam-new", form=form, saved=saved, anchor="exams-title", message="検査を登録しました。"
    )


@router.post("/{contact_id:uuid}/exams/{exam_id:uuid}")
async def correct_exam(request: Request, contact_id: uuid.UUID, exam_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Corrects an exam or enters its result (its kind stays), based on the exam's version the user saw."""
    posted = await request.form()
    kind = str(posted.get("kind") or "")
    if kind not in dict(ef.EXAM_KINDS):
        raise PageNotFound()
    form = EntryForm.posted(ef.exam_fields(kind, str(exam_id)), posted)
    saved = await page.contacts.correct_exam(
        str(contact_id), str(exam_id), form.version, ef.exam_body(form, kind), form.value("reason")
    )
    return await page.after_save(
        contact_id, key=f"exam-{exam_id}", form=form, saved=saved, anchor="exams-title", message="検査を保存しました。"
    )


@router.post("/{contact_id:uuid}/exams/{exam_id:uuid}/cancel")
async def cancel_exam(request: Request, contact_id: uuid.UUID, exam_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Cancels an exam entered by mistake or no longer planned, always with the reason; it stays listed."""
    form = EntryForm.posted(ef.cancel_fields(str(exam_id)), await request.form())
    if not required_reason(form, "取消の理由"):
        return await page.refused(contact_id, f"cancel-{exam_id}", form)
    saved = await page.contacts.cancel_exam(str(contact_id), str(exam_id), form.version, form.value("reason"))
    return await page.after_save(
        contact_id,
        key=f"cancel-{exam_id}",
        form=form,
        saved=saved,
        anchor="exams-title",
        message="検査を取り消しました。取り消した検査は一覧に残ります。",
    )
