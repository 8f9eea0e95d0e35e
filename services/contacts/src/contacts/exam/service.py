"""Planning and recording a contact's screening examinations, as changes of the contact."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import JST, now, today
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput

from contacts.contact.models import Contact
from contacts.contact.service import ContactService
from contacts.exam.errors import ExamAlreadyCancelled, ReceiptNumberTaken
from contacts.exam.models import Exam
from contacts.exam.repository import ExamRepository
from contacts.exam.schemas import Appointment, ExamCancel, ExamChange, ExamCreate, ExamRead, Reception, results_of
from contacts.settings import get_settings

NULLABLE = {"planned_on", "done_on", "erythema_mm", "induration_mm", "irradiation"}


class ExamService:
    """What nurses do with screening examinations: plan them, record results, correct and cancel them."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.exams = ExamRepository(session)
        self.contacts = ContactService(session, principal)

    async def record(self, contact_id: uuid.UUID, data: ExamCreate) -> Exam:
        """Records an examination planned or done; the contact's plan and snapshot follow."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.contacts.get(contact_id)
        values = _blank_irradiation_is_none(data.model_dump())
        on = data.done_on or data.planned_on or today()
        await self.contacts.check_codes(on, {"kind": data.kind}, "screening_exam")
        _check(str(data.kind), values)
        exam = Exam(**values, contact_id=contact.id, status=_status(values), updated_by=self.principal.user_id)
        await self.exams.add(exam)
        changes = diff({}, {"exam": to_jsonable_python(values)})
        await self.contacts.touch(contact, changes, record_type="exam", record_id=exam.id, reason="")
        return exam

    async def list(self, contact_id: uuid.UUID) -> list[ExamRead]:
        """The contact's examinations with their labels (audited as a read of the contact)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        contact = await self.contacts.contacts.get(contact_id)
        await self.contacts.audit(Operation.READ, contact.id, record_type="screening_exam")
        return (await self.contacts.read_model(contact)).exams

    async def correct(self, contact_id: uuid.UUID, exam_id: uuid.UUID, data: ExamChange) -> Exam:
        """Corrects an examination (a result arrives, a date was wrong); 409 when somebody saved first."""
        contact, exam = await self._changeable(contact_id, exam_id, data.version)
        values = _blank_irradiation_is_none(
            {k: v for k, v in data.changes.model_dump(exclude_unset=True).items() if v is not None or k in NULLABLE}
        )
        merged = {name: getattr(exam, name) for name in ExamCreate.model_fields if name != "kind"} | values
        _check(exam.kind, merged)
        values["status"] = _status(merged)
        await self._save(contact, exam, values, reason=data.reason)
        return exam

    async def cancel(self, contact_id: uuid.UUID, exam_id: uuid.UUID, data: ExamCancel) -> Exam:
        """Cancels an examination; it stays in the record and the history, out of the plan."""
        contact, exam = await self._changeable(contact_id, exam_id, data.version)
        await self._save(contact, exam, {"status": "cancelled", "cancel_reason": data.reason}, reason=data.reason)
        return exam

    async def appoint(self, contact_id: uuid.UUID, exam_id: uuid.UUID, data: Appointment) -> Exam:
        """Sets or moves the appointment (予約) of an examination; 409 when somebody saved first."""
        contact, exam = await self._changeable(contact_id, exam_id, data.version)
        if exam.status == "done":
            raise InvalidInput(errors={"appointment_on": "実施済みの検査には予約を入力できません。"})
        values = data.model_dump(
            include={"appointment_on", "appointment_time", "appointment_place", "appointment_place_code"}
        )
        await self._save(contact, exam, values, reason=data.reason)
        return exam

    async def receive(self, contact_id: uuid.UUID, exam_id: uuid.UUID, data: Reception) -> Exam:
        """Records the reception (受付) of the contact for an examination, with the day's receipt number."""
        contact, exam = await self._changeable(contact_id, exam_id, data.version)
        received_at = (data.received_at or now()).astimezone(JST)
        if received_at > now():
            raise InvalidInput(errors={"received_at": "受付日時に未来の日時は入力できません。"})
        place = exam.appointment_place or exam.institution
        if not place:
            raise InvalidInput(errors={"appointment_place": "受付の前に、予約（受診場所）を入力してください。"})
        day = received_at.date()
        taken = await self.exams.receipt_numbers(day, place, but=exam.id)
        number = data.receipt_no or max(taken, default=0) + 1
        if number in taken:
            raise ReceiptNumberTaken(errors={"receipt_no": ReceiptNumberTaken.message})
        values = {
            "received_at": received_at,
            "received_on": day,
            "reception_place": place,
            "receipt_no": number,
            "received_by": self.principal.display_name or self.principal.username,
        }
        await self._save(contact, exam, values, reason="")
        return exam

    async def _changeable(self, contact_id: uuid.UUID, exam_id: uuid.UUID, version: int) -> tuple[Contact, Exam]:
        """The contact and its examination, when the user may change it, nobody saved first and it stands."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.contacts.get(contact_id)
        exam = await self.exams.of_contact(contact.id, exam_id)
        exam.check_version(version)
        if exam.status == "cancelled":
            raise ExamAlreadyCancelled()
        return contact, exam

    async def read(self, contact: Contact, exam: Exam) -> ExamRead:
        """The API view of an examination just saved."""
        read = await self.contacts.read_model(contact)
        return next(e for e in read.exams if e.id == exam.id)

    async def _save(self, contact: Contact, exam: Exam, values: dict[str, Any], *, reason: str) -> None:
        before = {name: to_jsonable_python(getattr(exam, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if not changes:
            return
        for name in values:
            setattr(exam, name, values[name])
        exam.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await self.contacts.touch(contact, changes, record_type="exam", record_id=exam.id, reason=reason)


def _status(values: dict[str, Any]) -> str:
    return "done" if values.get("done_on") else "planned"


def _blank_irradiation_is_none(values: dict[str, Any]) -> dict[str, Any]:
    """Irradiation conditions with nothing entered are none at all."""
    if "irradiation" in values and not any(v not in (None, "") for v in (values["irradiation"] or {}).values()):
        values["irradiation"] = None
    return values


def _check(kind: str, values: dict[str, Any]) -> None:
    """The result must be one of the kind's rule (free text for a kind without one); a result or measurement
    needs the day it was done."""
    errors = {}
    exam_rules = get_settings().screening_rules().exam_rules
    choices = results_of(kind, exam_rules)
    if values.get("result") and choices is not None and values["result"] not in choices:
        errors["result"] = "結果が選択肢にありません（" + "・".join(choices.values()) + "）。"
    if exam_rules.get(kind) != "tst" and (
        values.get("erythema_mm") is not None or values.get("induration_mm") is not None
    ):
        errors["erythema_mm"] = "発赤径・硬結径はツベルクリン反応にだけ入力できます。"
    if values.get("irradiation"):
        if exam_rules.get(kind) != "xray":
            errors["irradiation"] = "照射条件（照射録）は胸部X線検査にだけ入力できます。"
        elif not values.get("done_on"):
            errors["done_on"] = "照射条件を入力するときは実施日（照射日）も入力してください。"
        else:
            given = values["irradiation"]
            ma, time_s, mas = given.get("ma"), given.get("time_s"), given.get("mas")
            if ma and time_s and mas and abs(ma * time_s - mas) > max(0.1, 0.1 * mas):
                errors["irradiation.mas"] = (
                    f"管電流時間積（{mas:g} mAs）が管電流×照射時間（{ma * time_s:g} mAs）と合いません。"
                )
    if (values.get("result") or values.get("finding")) and not values.get("done_on"):
        errors["done_on"] = "結果を入力するときは実施日も入力してください。"
    if errors:
        raise InvalidInput(errors=errors)
