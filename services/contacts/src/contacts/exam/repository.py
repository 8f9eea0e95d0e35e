"""Every query of the examination module; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from tbms_core.repository import Repository

from contacts.exam.errors import ExamNotFound
from contacts.exam.models import Exam


class ExamRepository(Repository[Exam]):
    """Reads and writes screening examinations in the caller's unit of work."""

    model = Exam
    not_found = ExamNotFound

    async def of_contacts(self, contact_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Exam]]:
        """The examinations of each contact, in date order (planned ones by their planned day)."""
        rows = await self.session.scalars(
            select(Exam).where(Exam.contact_id.in_(contact_ids)).order_by(Exam.done_on, Exam.planned_on, Exam.id)
        )
        found: dict[uuid.UUID, list[Exam]] = defaultdict(list)
        for exam in rows:
            found[exam.contact_id].append(exam)
        return found

    async def of_contact(self, contact_id: uuid.UUID, exam_id: uuid.UUID) -> Exam:
        """One examination of the contact, or ExamNotFound."""
        exam = await self.find(exam_id)
        if exam is None or exam.contact_id != contact_id:
            raise ExamNotFound()
        return exam

    async def receipt_numbers(self, day: date, place: str, *, but: uuid.UUID) -> set[int]:
        """The receipt numbers already given on the day at the place (other than to this examination)."""
        rows = await self.session.scalars(
            select(Exam.receipt_no).where(
                Exam.received_on == day, Exam.reception_place == place, Exam.receipt_no.is_not(None), Exam.id != but
            )
        )
        return {n for n in rows if n is not None}
