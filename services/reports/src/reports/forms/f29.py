"""F29 管理検診お知らせ: the letter asking a 結核回復者 to come to a follow-up examination (感染症法53条の13), or a
contact to a screening examination (法17条の接触者健康診断), with the health center's letterhead, the appointment and
the place.

Which examination: the one the user chose when printing (`FormInput.record_id`), else the open one (not done, not
cancelled) with the earliest appointment on or after the print day, else the earliest open one by its due date (the
notice of the next examination). A contact's examination is chosen the same way among the contact's planned
screening exams (their 予定日 standing for the due date)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reports.forms.common import JST, iso_date, wareki, wareki_both
from reports.forms.letterhead import Letterhead
from reports.forms.spec import FormInput, FormSpec, Genre, RequiredItem

PLACES = {"health_center": "保健所", "institution": "医療機関"}
BRING = ("この通知", "健康保険証（マイナ保険証）", "お薬手帳（お持ちの方）")


def next_exam(data: FormInput, printed_on: date) -> Mapping[str, Any] | None:
    """The examination the notice is about (see the module note), or None when none is open (or chosen)."""
    if data.record_id:
        chosen = (r for r in data.care_records if r.kind == "followup_exam" and str(r.id) == data.record_id)
        return next((r.data for r in chosen if not r.data.get("cancelled")), None)
    open_ = [
        r.data
        for r in data.care_records
        if r.kind == "followup_exam"
        and not r.data.get("cancelled")
        and not r.data.get("examined_on")
        and not r.data.get("judgement")
    ]
    booked = [e for e in open_ if (day := iso_date(e.get("appointment_on"))) and day >= printed_on]
    if booked:
        return min(booked, key=lambda e: str(e.get("appointment_on")))
    return min(open_, key=lambda e: str(e.get("due_on")), default=None)


def build_context(data: FormInput) -> Mapping[str, object]:
    """The letter: sender, addressee, the examination's appointment and place, what to bring, the basis."""
    printed_on = data.printed_at.astimezone(JST).date()
    exam = next_exam(data, printed_on) or {}
    letterhead = data.letterhead or Letterhead()
    patient = data.patient
    place = str(exam.get("place") or "")
    where = PLACES.get(place, "")
    if place == "institution" and exam.get("institution"):
        where = str(exam["institution"])
    elif place == "health_center":
        where = letterhead.name or "保健所"
    appointment = iso_date(exam.get("appointment_on"))
    return {
        "audience": "patient",
        "printed_on": wareki(printed_on),
        "sender": _sender(letterhead),
        "postal_code": patient.postal_code,
        "address": patient.address,
        "name": patient.name,
        "registration_no": patient.registration_no,
        "has_exam": bool(exam),
        "seq": exam.get("seq") or "",
        "due_on": wareki_both(iso_date(exam.get("due_on"))),
        "reason": exam.get("reason") or "",
        "appointment": f"{wareki_both(appointment)} {exam.get('appointment_time') or ''}".strip()
        if appointment
        else "",
        "place": where,
        "bring": BRING,
        "ended_on": wareki(iso_date(exam.get("ended_on"))),
        "schedule": exam.get("profile_label") or "",
    }


def _sender(letterhead: Letterhead) -> dict[str, str]:
    return {
        "name": letterhead.name,
        "director": " ".join(filter(None, [letterhead.title, letterhead.director_name])),
        "postal_code": letterhead.postal_code,
        "address": letterhead.address,
        "phone": letterhead.phone,
        "contact": letterhead.contact_text,
    }


@dataclass(frozen=True)
class ContactNoticeInput:
    """What a contact's F29 prints from: the contact as the read model holds it, the exam chosen, the letterhead."""

    contact: Mapping[str, Any]
    printed_at: datetime
    printed_by: str
    letterhead: Letterhead | None = None
    record_id: str | None = None  # the screening exam chosen; None: the next one (see the module note)


def contact_exam(data: ContactNoticeInput, printed_on: date) -> Mapping[str, Any] | None:
    """The contact's screening exam the notice is about, or None when none is planned (or the chosen one is not)."""
    exams = [x for x in data.contact.get("exams") or [] if x.get("status") == "planned"]
    if data.record_id:
        return next((x for x in exams if str(x.get("id")) == data.record_id), None)
    booked = [x for x in exams if (day := iso_date(x.get("appointment_on"))) and day >= printed_on]
    if booked:
        return min(booked, key=lambda x: (str(x.get("appointment_on")), str(x.get("appointment_time") or "")))
    dated = [x for x in exams if x.get("planned_on")]
    return min(dated, key=lambda x: str(x.get("planned_on")), default=exams[0] if exams else None)


def contact_context(data: ContactNoticeInput) -> Mapping[str, object]:
    """The letter to a contact: the screening exam's kind, planned day, appointment (day and time) and place."""
    printed_on = data.printed_at.astimezone(JST).date()
    exam = contact_exam(data, printed_on) or {}
    letterhead = data.letterhead or Letterhead()
    contact = data.contact
    appointment = iso_date(exam.get("appointment_on"))
    time = str(exam.get("appointment_time") or "")[:5]
    planned = iso_date(exam.get("planned_on"))
    return {
        "audience": "contact",
        "printed_on": wareki(printed_on),
        "sender": _sender(letterhead),
        "postal_code": "",
        "address": contact.get("address") or "",
        "name": contact.get("name") or "",
        "registration_no": "",
        "has_exam": bool(exam),
        "exam_label": str(exam.get("kind_label") or exam.get("kind") or ""),
        "due_on": wareki_both(planned) if planned else "",
        "appointment": f"{wareki_both(appointment)} {time}".strip() if appointment else "",
        "place": str(exam.get("appointment_place") or ""),
        "bring": BRING,
        "reason": "",
    }


# F29 for a contact: the same letter, filed with the contact; refused when no screening exam is planned
CONTACT_F29 = FormSpec(
    "F29",
    "管理検診お知らせ",
    Genre.CONTACT_SCREENING,
    "f29.html",
    contact_context,  # type: ignore[arg-type]
    revision="1",
    required=(
        RequiredItem("exam_label", "予定している健診（検査）", "exams"),
        RequiredItem("address", "住所（あて先）", "identity"),
    ),
)
