"""Issuing, correcting and cancelling (取消) a contact's 17条 勧告, as changes of the contact."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import now, today
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput

from contacts.contact.models import Contact
from contacts.contact.service import ContactService
from contacts.recommendation.errors import RecommendationCancelled
from contacts.recommendation.models import Recommendation
from contacts.recommendation.repository import RecommendationRepository
from contacts.recommendation.schemas import (
    RecommendationCancel,
    RecommendationChange,
    RecommendationCreate,
    RecommendationRead,
)

FIELDS = ("issued_on", "delivery", "delivery_note", "exams", "deadline_on", "note")


class RecommendationService:
    """What nurses do with 勧告: issue one, list them, correct one, cancel one."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.recommendations = RecommendationRepository(session)
        self.contacts = ContactService(session, principal)

    async def issue(self, contact_id: uuid.UUID, data: RecommendationCreate) -> RecommendationRead:
        """Records a 勧告 issued; the contact's version, history, snapshot and audit follow."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.contacts.get(contact_id)
        values = data.model_dump(mode="json") | {"issued_on": data.issued_on, "deadline_on": data.deadline_on}
        check(values)
        await self.check_exams(data.issued_on, values["exams"])
        row = Recommendation(**values, contact_id=contact.id, updated_by=self.principal.user_id)
        await self.recommendations.add(row)
        changes = diff({}, {"recommendation": to_jsonable_python(values)})
        await self.contacts.touch(contact, changes, record_type="recommendation", record_id=row.id, reason="")
        return await self.read(contact, row.id)

    async def list(self, contact_id: uuid.UUID) -> list[RecommendationRead]:
        """The contact's 勧告 (audited as a read of the contact)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        contact = await self.contacts.contacts.get(contact_id)
        await self.contacts.audit(Operation.READ, contact.id, record_type="recommendation")
        return (await self.contacts.read_model(contact)).recommendations

    async def correct(
        self, contact_id: uuid.UUID, recommendation_id: uuid.UUID, data: RecommendationChange
    ) -> RecommendationRead:
        """Corrects a 勧告 (a wrong date, another method); 409 when somebody saved first."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.contacts.get(contact_id)
        row = await self.recommendations.of_contact(contact.id, recommendation_id)
        row.check_version(data.version)
        if row.cancelled:
            raise RecommendationCancelled()
        values = {k: v for k, v in data.changes.model_dump(exclude_unset=True).items() if v is not None}
        if "exams" in values:
            values["exams"] = [str(k) for k in values["exams"]]
        if "delivery" in values:
            values["delivery"] = str(values["delivery"])
        check({name: getattr(row, name) for name in FIELDS} | values)
        if "exams" in values:  # an exam the 勧告 already named is not checked again (its code may have ended since)
            await self.check_exams(values.get("issued_on", row.issued_on), values["exams"], keep=row.exams)
        before = {name: to_jsonable_python(getattr(row, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if changes:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_by = self.principal.user_id
            await flush_versioned(self.session)
            await self.contacts.touch(
                contact, changes, record_type="recommendation", record_id=row.id, reason=data.reason
            )
        return await self.read(contact, row.id)

    async def cancel(
        self, contact_id: uuid.UUID, recommendation_id: uuid.UUID, data: RecommendationCancel
    ) -> RecommendationRead:
        """Cancels a 勧告 (取消) with the reason, the day, who and when; the row stays, marked, in the record, the
        snapshot and the history, and its deadline leaves the contact's published deadlines."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.contacts.get(contact_id)
        row = await self.recommendations.of_contact(contact.id, recommendation_id)
        row.check_version(data.version)
        if row.cancelled:
            raise RecommendationCancelled()
        day = data.cancelled_on or today()
        if day > today():
            raise InvalidInput(errors={"cancelled_on": "取消日に未来の日付は入力できません。"})
        if day < row.issued_on:
            raise InvalidInput(errors={"cancelled_on": "取消日は勧告日以降の日付にしてください。"})
        values = {"status": "cancelled", "cancelled_on": day.isoformat(), "cancel_reason": data.reason}
        changes = diff({"status": "issued", "cancelled_on": None, "cancel_reason": ""}, values)
        row.cancelled_on, row.cancel_reason, row.cancelled_at = day, data.reason, now()
        row.cancelled_by = self.principal.user_id
        row.cancelled_by_name = self.principal.display_name or self.principal.username
        row.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await self.contacts.touch(contact, changes, record_type="recommendation", record_id=row.id, reason=data.reason)
        return await self.read(contact, row.id)

    async def check_exams(self, on: date, exams: list[str], keep: list[str] | None = None) -> None:
        """Refuses, beside each, an exam that is no code of the コード表's 検査の種類 in force on the 勧告日."""
        fields = {f"exams.{i}": kind for i, kind in enumerate(exams) if kind not in (keep or [])}
        if fields:
            await self.contacts.check_codes(on, fields, "screening_exam")

    async def read(self, contact: Contact, recommendation_id: uuid.UUID) -> RecommendationRead:
        """The API view of a 勧告 just saved."""
        read = await self.contacts.read_model(contact)
        return next(r for r in read.recommendations if r.id == recommendation_id)


def check(values: dict[str, Any]) -> None:
    """A 勧告 names at least one exam, a deadline not before it was issued, and how it was delivered."""
    errors = {}
    if values["issued_on"] > today():
        errors["issued_on"] = "勧告日に未来の日付は入力できません。"
    if values["deadline_on"] < values["issued_on"]:
        errors["deadline_on"] = "受診期限は勧告日以降の日付にしてください。"
    if not values["exams"]:
        errors["exams"] = "勧告する検査を1つ以上選んでください。"
    if str(values["delivery"]) == "other" and not values["delivery_note"]:
        errors["delivery_note"] = "交付方法が「その他」のときは、その方法を入力してください。"
    if errors:
        raise InvalidInput(errors=errors)
