"""A contact's screening exams (R13): one planned or done with its result, its correction and its cancellation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from tbms_core.auth import Access, Area
from tbms_core.jp.wareki import parse_date

from gateway.forms import EntryForm, required_reason
from gateway.pages.contacts import entry_forms as ef
from gateway.pages.contacts.page import ContactPageDep
from gateway.web.deps import ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.errors import BadRequest, PageNotFound

router = APIRouter()
CAN_PRINT = [Depends(require_access(Area.CONTACTS, Access.READ)), Depends(require_access(Area.FORMS, Access.READ))]
PDF = "application/pdf"
CONTACT_FORMS = ("F18", "F19", "F21", "F22", "F23", "F24", "F26")
MAX_LETTERS = 300  # reports prints at most this many 勧告書 at once


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
    if not ef.EXAM_KIND.fullmatch(kind):
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


@router.post("/{contact_id:uuid}/recommendations")
async def issue_recommendation(request: Request, contact_id: uuid.UUID, page: ContactPageDep) -> Response:
    """Records a 17条 勧告 issued to the contact (day, delivery, exams, deadline)."""
    form = EntryForm.posted(ef.recommendation_fields(), await request.form())
    saved = await page.contacts.issue_recommendation(str(contact_id), form.json())
    return await page.after_save(
        contact_id,
        key="rec-new",
        form=form,
        saved=saved,
        anchor="recommendations-title",
        message="勧告を登録しました。勧告書（F18）を印刷できます。",
    )


@router.post("/{contact_id:uuid}/recommendations/{recommendation_id:uuid}")
async def correct_recommendation(
    request: Request, contact_id: uuid.UUID, recommendation_id: uuid.UUID, page: ContactPageDep
) -> Response:
    """Corrects a 勧告 (a wrong day, another delivery), based on its version the user saw."""
    form = EntryForm.posted(ef.recommendation_change_fields(str(recommendation_id)), await request.form())
    saved = await page.contacts.correct_recommendation(
        str(contact_id), str(recommendation_id), form.version, form.json(), form.value("reason")
    )
    return await page.after_save(
        contact_id,
        key=f"rec-{recommendation_id}",
        form=form,
        saved=saved,
        anchor="recommendations-title",
        message="勧告を保存しました。",
    )


@router.post("/{contact_id:uuid}/recommendations/{recommendation_id:uuid}/cancel")
async def cancel_recommendation(
    request: Request, contact_id: uuid.UUID, recommendation_id: uuid.UUID, page: ContactPageDep
) -> Response:
    """Cancels a 勧告 (取消), always with the reason; it stays listed, marked 取消, and leaves the to-do list."""
    form = EntryForm.posted(ef.recommendation_cancel_fields(str(recommendation_id)), await request.form())
    if not required_reason(form, "取消の理由"):
        return await page.refused(contact_id, f"rec-cancel-{recommendation_id}", form)
    saved = await page.contacts.cancel_recommendation(
        str(contact_id), str(recommendation_id), form.version, form.json(skip=())
    )
    return await page.after_save(
        contact_id,
        key=f"rec-cancel-{recommendation_id}",
        form=form,
        saved=saved,
        anchor="recommendations-title",
        message="勧告を取り消しました。取り消した勧告は記録に残ります。",
    )


@router.post("/{contact_id:uuid}/exams/{exam_id:uuid}/appointment")
async def set_appointment(
    request: Request, contact_id: uuid.UUID, exam_id: uuid.UUID, page: ContactPageDep
) -> Response:
    """Sets or moves an exam's appointment (予約: day, time, place), based on the exam's version the user saw."""
    form = EntryForm.posted(ef.appointment_fields(str(exam_id)), await request.form())
    body = ef.appointment_body(form) | {"reason": form.value("reason")}
    saved = await page.contacts.set_appointment(str(contact_id), str(exam_id), form.version, body)
    return await page.after_save(
        contact_id,
        key=f"appt-{exam_id}",
        form=form,
        saved=saved,
        anchor="exams-title",
        message="予約を保存しました。受診票（F19）を印刷できます。",
    )


@router.post("/{contact_id:uuid}/exams/{exam_id:uuid}/reception")
async def record_reception(
    request: Request, contact_id: uuid.UUID, exam_id: uuid.UUID, page: ContactPageDep
) -> Response:
    """Records that the contact came (受付), with the day's next receipt number unless one is typed."""
    form = EntryForm.posted(ef.reception_fields(str(exam_id)), await request.form())
    saved = await page.contacts.record_reception(str(contact_id), str(exam_id), form.version, form.value("receipt_no"))
    return await page.after_save(
        contact_id, key=f"recv-{exam_id}", form=form, saved=saved, anchor="exams-title", message="受付を記録しました。"
    )


@router.get("/forms/F18", dependencies=CAN_PRINT)
async def print_recommendation_letters(request: Request, reports: ReportsDep) -> Response:
    """F18 勧告書 of the chosen contacts (contact_id repeated: those ticked on an index patient's page, a group's
    members) from reports as one PDF, each letter filed there with its contact; a contact that lacks an item is
    named with what it lacks and nothing is printed."""
    chosen = list(dict.fromkeys(request.query_params.getlist("contact_id")))
    if not chosen:
        raise BadRequest("勧告書を印刷する接触者を選んでください。")
    try:
        ids = [str(uuid.UUID(value)) for value in chosen]
    except ValueError as exc:
        raise BadRequest("接触者の指定が正しくありません。画面を開き直してください。") from exc
    if len(ids) > MAX_LETTERS:
        raise BadRequest(f"勧告書は一度に{MAX_LETTERS}人まで印刷できます。")
    params = [("contact_id", contact_id) for contact_id in ids]
    return relay(await reports.contact_form("/contact-letters/F18", params), media_type=PDF)


@router.get("/{contact_id:uuid}/forms/{form}", dependencies=CAN_PRINT)
async def print_contact_form(
    contact_id: uuid.UUID, form: str, reports: ReportsDep, record_id: uuid.UUID | None = None
) -> Response:
    """A form of the contact from reports (F18 勧告書, F19 受診票, F21 健診結果報告書, F22 結果文書, F23 実施票, F24
    照射録, F26 結果報告書), filed there with the contact; a refusal (what is missing) is shown with its message."""
    chosen = form.upper()
    if chosen not in CONTACT_FORMS:
        raise PageNotFound()
    params = {"record_id": str(record_id)} if record_id else None
    return relay(await reports.contact_form(f"/contact-forms/{contact_id}/{chosen}", params), media_type=PDF)


@router.get("/index-patients/{patient_id:uuid}/F05", dependencies=CAN_PRINT)
async def print_index_status(patient_id: uuid.UUID, reports: ReportsDep) -> Response:
    """F05 家族・接触者健診実施状況 of the index patient from reports."""
    return relay(await reports.contact_form(f"/index-contacts/{patient_id}/F05"), media_type=PDF)


@router.get("/reception/F25", dependencies=CAN_PRINT)
async def print_reception_register(reports: ReportsDep, day: str = "", place: str = "") -> Response:
    """F25 受付簿 of a day (和暦 or 西暦) at a place from reports; a missing day or place is said in Japanese."""
    try:
        parsed = parse_date(day)
    except ValueError as exc:
        raise BadRequest("受付簿の日付を入力してください（例: R8.12.4、2026-12-04）。") from exc
    if not place.strip():
        raise BadRequest("受付簿の会場（受診場所）を入力してください。")
    params = {"day": parsed.isoformat(), "place": place.strip()}
    return relay(await reports.contact_form("/reception-registers/F25", params), media_type=PDF)


@router.get("/reception/F24", dependencies=CAN_PRINT)
async def print_day_irradiation_record(reports: ReportsDep, day: str = "", place: str = "") -> Response:
    """F24 照射録 of a screening day (和暦 or 西暦): every chest X-ray the health center took that day, at the place
    when one is given; what is missing (conditions not entered) is shown with reports' message."""
    try:
        parsed = parse_date(day)
    except ValueError as exc:
        raise BadRequest("照射録の日付（撮影日）を入力してください（例: R8.12.4、2026-12-04）。") from exc
    params = {"day": parsed.isoformat(), "place": place.strip()}
    return relay(await reports.contact_form("/screening-days/F24", params), media_type=PDF)
