"""Every query of the 管理検診 module; never commits."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from tbms_core.repository import Repository

from patients.care.models import Treatment
from patients.care.repository import PatientRecordRepository
from patients.followup.errors import FollowupExamNotFound
from patients.followup.models import FollowupExam, FollowupPlan, FollowupSetting
from patients.patient.models import Patient


class FollowupPlanRepository(PatientRecordRepository[FollowupPlan]):
    """Plans, one per patient."""

    model = FollowupPlan
    newest_first_by = "ended_on"

    async def of(self, patient_id: uuid.UUID) -> FollowupPlan | None:
        """The patient's plan, if any."""
        return await self.session.scalar(select(FollowupPlan).where(FollowupPlan.patient_id == patient_id))

    async def of_patients(self, patient_ids: set[uuid.UUID]) -> dict[uuid.UUID, FollowupPlan]:
        """The plans of these patients, by patient (none for a patient without one)."""
        if not patient_ids:
            return {}
        rows = await self.session.scalars(select(FollowupPlan).where(FollowupPlan.patient_id.in_(patient_ids)))
        return {plan.patient_id: plan for plan in rows}

    async def on_schedules(self, profiles: set[str]) -> list[FollowupPlan]:
        """The plans on the given schedules of the patients still registered (an excluded patient's plan is closed)."""
        rows = await self.session.scalars(
            select(FollowupPlan)
            .join(Patient, Patient.id == FollowupPlan.patient_id)
            .where(FollowupPlan.profile.in_(sorted(profiles)), Patient.status == "active")
            .order_by(Patient.registration_no)
        )
        return list(rows)

    async def last_treatment_end(self, patient_id: uuid.UUID) -> date | None:
        """The latest end date among the patient's treatment courses."""
        return await self.session.scalar(select(func.max(Treatment.ended_on)).where(Treatment.patient_id == patient_id))


class FollowupExamRepository(PatientRecordRepository[FollowupExam]):
    """Examinations, listed per patient in order and for the clerk across patients."""

    model = FollowupExam
    newest_first_by = "due_on"
    not_found = FollowupExamNotFound

    async def in_order(self, patient_id: uuid.UUID) -> list[FollowupExam]:
        """The patient's examinations by number."""
        rows = await self.session.scalars(
            select(FollowupExam).where(FollowupExam.patient_id == patient_id).order_by(FollowupExam.seq)
        )
        return list(rows)

    async def listing(
        self, view: str, first: date, last: date, today: date, *, district: str, limit: int, offset: int
    ) -> tuple[list[tuple[FollowupExam, Patient]], int]:
        """The clerk's list: notices to send, due in the month, overdue, or results missing; registered patients only.

        notices: not yet sent, not yet examined, due from `first` to `last` (the month's end plus the notice lead;
        an overdue exam is on the overdue list, for its second notice);
        due: due between `first` and `last`, not examined; overdue: due before today, not examined;
        missing: examined without a judgement."""
        exam = FollowupExam
        open_ = (exam.examined_on.is_(None)) & (exam.judgement == "") & (~exam.cancelled)
        conditions = {
            "notices": open_ & exam.notice_sent_on.is_(None) & (exam.due_on >= first) & (exam.due_on <= last),
            "due": open_ & (exam.due_on >= first) & (exam.due_on <= last),
            "overdue": open_ & (exam.due_on < today),
            "missing": (~exam.cancelled) & exam.examined_on.is_not(None) & (exam.judgement == ""),
        }
        where = conditions[view] & (Patient.status == "active")
        if district:
            where = where & (Patient.district == district)
        base = select(exam, Patient).join(Patient, Patient.id == exam.patient_id).where(where)
        total = await self.session.scalar(
            select(func.count()).select_from(exam).join(Patient, Patient.id == exam.patient_id).where(where)
        )
        rows = await self.session.execute(
            base.order_by(exam.due_on, Patient.registration_no, exam.seq).limit(limit).offset(offset)
        )
        return [(row[0], row[1]) for row in rows], int(total or 0)


class FollowupSettingRepository(Repository[FollowupSetting]):
    """The 管理検診 / 行動調査 settings the health center changed."""

    model = FollowupSetting

    async def all(self) -> dict[str, FollowupSetting]:
        """Every stored setting by key."""
        return {row.key: row for row in await self.session.scalars(select(FollowupSetting))}

    async def values(self) -> dict[str, Any]:
        """The stored values by key (absent: the initial value is in force)."""
        return {key: row.value for key, row in (await self.all()).items()}
