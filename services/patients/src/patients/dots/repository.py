"""Every query of the DOTS module; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Row, Select, and_, func, or_, select, true
from sqlalchemy.orm import aliased
from tbms_core.repository import Repository

from patients.care.models import Transfer, Treatment
from patients.care.repository import PatientRecordRepository
from patients.dots.errors import DotsRecordNotFound
from patients.dots.models import CohortReview, DotsAssessment, DotsConfirmation, DotsPlan, DotsSetting
from patients.lab_result.models import LabResult
from patients.patient.models import Patient

# Many ids, or a query that selects them: the cohort list passes the query, so PostgreSQL joins the period's courses
# instead of receiving (and SQLAlchemy compiling) a list of 10,000 literal parameters.
Ids = Iterable[uuid.UUID] | Select[Any]


def _ids(ids: Ids) -> Select[Any] | list[uuid.UUID]:
    return ids if isinstance(ids, Select) else list(ids)


class DoseFigures(NamedTuple):
    """A course's confirmations counted."""

    confirmed: int
    taken: int
    last_confirmed_on: date | None
    missed: set[date]


class CourseRow(NamedTuple):
    """A treatment course as the cohort list reads it, with its patient's items."""

    id: uuid.UUID
    patient_id: uuid.UUID
    regimen: str
    started_on: date
    ended_on: date | None
    registration_no: str
    name: str
    category: str
    nurse: str
    exclusion_reason: str
    excluded_on: date | None


class PlanRow(NamedTuple):
    """A support plan as the cohort list reads it."""

    patient_id: uuid.UUID
    treatment_id: uuid.UUID | None
    starts_on: date
    dots_type: str
    ltbi_regimen: str


class SputumRow(NamedTuple):
    """A smear or culture as the cohort rules read it."""

    kind: str
    collected_on: date | None
    details: dict[str, Any]


RecordT = TypeVar("RecordT", DotsAssessment, DotsPlan, DotsConfirmation, CohortReview)


class SettingRepository(Repository[DotsSetting]):
    """The settings the health center changed."""

    model = DotsSetting

    async def all(self) -> dict[str, DotsSetting]:
        """Every stored setting by key."""
        return {row.key: row for row in await self.session.scalars(select(DotsSetting))}


class DotsRecordRepository(PatientRecordRepository[RecordT]):
    """Reads and writes one kind of a patient's DOTS record; a subclass names the kind."""

    not_found = DotsRecordNotFound


class AssessmentRepository(DotsRecordRepository[DotsAssessment]):
    """F01 assessments."""

    model = DotsAssessment
    newest_first_by = "assessed_on"


class PlanRepository(DotsRecordRepository[DotsPlan]):
    """Support plans."""

    model = DotsPlan
    newest_first_by = "starts_on"

    async def active_of_nurse(self, nurse: str, day: date) -> list[Row[Any]]:
        """A nurse's plans in force on a day, each with its patient, that day's confirmation and the last before."""
        earlier = aliased(DotsConfirmation)
        last = (
            select(func.max(earlier.confirmed_on))
            .where(earlier.patient_id == DotsPlan.patient_id, earlier.confirmed_on < day)
            .correlate(DotsPlan)
            .scalar_subquery()
        )
        today_row = and_(DotsConfirmation.patient_id == DotsPlan.patient_id, DotsConfirmation.confirmed_on == day)
        statement = (
            select(DotsPlan, Patient.registration_no, Patient.name, Patient.name_kana, DotsConfirmation, last)
            .join(Patient, Patient.id == DotsPlan.patient_id)
            .outerjoin(DotsConfirmation, today_row)
            .where(
                DotsPlan.nurse == nurse,
                DotsPlan.starts_on <= day,
                or_(DotsPlan.ends_on.is_(None), DotsPlan.ends_on >= day),
            )
            .order_by(Patient.name_kana, Patient.registration_no)
        )
        return list(await self.session.execute(statement))

    async def of_patients(self, patient_ids: Ids) -> dict[uuid.UUID, list[PlanRow]]:
        """What the cohort list needs of the plans of many patients, by patient, oldest first."""
        statement = (
            select(
                DotsPlan.patient_id,
                DotsPlan.treatment_id,
                DotsPlan.starts_on,
                DotsPlan.dots_type,
                DotsPlan.ltbi_regimen,
            )
            .where(DotsPlan.patient_id.in_(_ids(patient_ids)))
            .order_by(DotsPlan.starts_on)
        )
        found: dict[uuid.UUID, list[PlanRow]] = defaultdict(list)
        for row in await self.session.execute(statement):
            found[row[0]].append(PlanRow(*row))
        return found


class ConfirmationRepository(DotsRecordRepository[DotsConfirmation]):
    """Daily confirmations."""

    model = DotsConfirmation
    newest_first_by = "confirmed_on"

    async def between(self, patient_id: uuid.UUID, first: date | None, last: date | None) -> list[DotsConfirmation]:
        """A patient's confirmations in date order, within the dates given."""
        statement = select(DotsConfirmation).where(DotsConfirmation.patient_id == patient_id)
        if first:
            statement = statement.where(DotsConfirmation.confirmed_on >= first)
        if last:
            statement = statement.where(DotsConfirmation.confirmed_on <= last)
        return list(await self.session.scalars(statement.order_by(DotsConfirmation.confirmed_on)))

    async def on_days(self, patient_id: uuid.UUID, days: Iterable[date]) -> dict[date, DotsConfirmation]:
        """A patient's confirmations of the given days, by day, locked for the caller's change."""
        rows = await self.session.scalars(
            select(DotsConfirmation)
            .where(DotsConfirmation.patient_id == patient_id, DotsConfirmation.confirmed_on.in_(list(days)))
            .with_for_update()
        )
        return {row.confirmed_on: row for row in rows}

    async def last_before(self, patient_id: uuid.UUID, day: date) -> date | None:
        """The latest day a confirmation was recorded, up to a day."""
        return await self.session.scalar(
            select(func.max(DotsConfirmation.confirmed_on)).where(
                DotsConfirmation.patient_id == patient_id, DotsConfirmation.confirmed_on <= day
            )
        )

    async def by_nurse_on(self, nurse: str, day: date, but: Iterable[uuid.UUID]) -> list[Row[Any]]:
        """Confirmations a nurse recorded for a day about patients not in her plans, with the patient."""
        statement = (
            select(DotsConfirmation, Patient.registration_no, Patient.name, Patient.name_kana)
            .join(Patient, Patient.id == DotsConfirmation.patient_id)
            .where(DotsConfirmation.confirmed_by == nurse, DotsConfirmation.confirmed_on == day)
            .where(DotsConfirmation.patient_id.not_in(list(but)))
        )
        return list(await self.session.execute(statement))


class ReviewRepository(DotsRecordRepository[CohortReview]):
    """Cohort reviews, one per treatment course."""

    model = CohortReview
    newest_first_by = "created_at"

    async def of_treatment(self, treatment_id: uuid.UUID) -> CohortReview | None:
        """The review of a course, if any."""
        return await self.session.scalar(select(CohortReview).where(CohortReview.treatment_id == treatment_id))

    async def of_treatments(self, treatment_ids: Ids) -> dict[uuid.UUID, CohortReview]:
        """The reviews of many courses, by course."""
        rows = await self.session.scalars(
            select(CohortReview).where(CohortReview.treatment_id.in_(_ids(treatment_ids)))
        )
        return {row.treatment_id: row for row in rows}


class CohortRepository:
    """The facts of many courses at once, for the cohort list."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def courses(self, first: date, last: date) -> list[CourseRow]:
        """Courses started in a period, each with its patient's number, name, category, nurse and exclusion."""
        statement = (
            select(
                Treatment.id,
                Treatment.patient_id,
                Treatment.regimen,
                Treatment.started_on,
                Treatment.ended_on,
                Patient.registration_no,
                Patient.name,
                Patient.category,
                Patient.nurse,
                Patient.exclusion_reason,
                Patient.excluded_on,
            )
            .join(Patient, Patient.id == Treatment.patient_id)
            .where(Treatment.started_on >= first, Treatment.started_on <= last)
            .order_by(Treatment.started_on, Patient.registration_no)
        )
        return [CourseRow(*row) for row in await self.session.execute(statement)]

    async def courses_of_patient(self, patient_id: uuid.UUID) -> list[Treatment]:
        """A patient's courses, oldest first."""
        rows = await self.session.scalars(
            select(Treatment).where(Treatment.patient_id == patient_id).order_by(Treatment.started_on)
        )
        return list(rows)

    @staticmethod
    def patients_started(first: date, last: date) -> Select[Any]:
        """The patients with a course started in a period, as a subquery."""
        return select(Treatment.patient_id).where(Treatment.started_on >= first, Treatment.started_on <= last)

    @staticmethod
    def courses_started(first: date, last: date) -> Select[Any]:
        """The courses started in a period, as a subquery."""
        return select(Treatment.id).where(Treatment.started_on >= first, Treatment.started_on <= last)

    async def sputum_results(self, patient_ids: Ids) -> dict[uuid.UUID, list[SputumRow]]:
        """The smears and cultures of many patients, by patient: only what the rules read."""
        statement = select(
            LabResult.patient_id,
            LabResult.kind,
            LabResult.collected_on,
            LabResult.details["grade"].astext,
            LabResult.details["gaffky"].astext,
            LabResult.details["result"].astext,
        ).where(LabResult.patient_id.in_(_ids(patient_ids)), LabResult.kind.in_(("smear", "culture")))
        found: dict[uuid.UUID, list[SputumRow]] = defaultdict(list)
        for patient_id, kind, collected_on, grade, gaffky, result in await self.session.execute(statement):
            details = {k: v for k, v in (("grade", grade), ("gaffky", gaffky), ("result", result)) if v}
            found[patient_id].append(SputumRow(kind, collected_on, details))
        return found

    async def transfers(self, patient_ids: Ids) -> dict[uuid.UUID, list[Transfer]]:
        """The moves in and out of many patients, by patient."""
        rows = await self.session.scalars(select(Transfer).where(Transfer.patient_id.in_(_ids(patient_ids))))
        found: dict[uuid.UUID, list[Transfer]] = defaultdict(list)
        for row in rows:
            found[row.patient_id].append(row)
        return found

    async def dose_figures(self, first: date, last: date, as_of: date) -> dict[uuid.UUID, DoseFigures]:
        """Per course started in the period: days confirmed, days taken, the latest day confirmed and the days
        confirmed as not taken. Each course reads only its own days (a lateral index-only range scan), so a
        quarter costs a quarter of a year."""
        c = DotsConfirmation
        figures = (
            select(
                func.count().label("confirmed"),
                func.count().filter(c.status == "taken").label("taken"),
                func.max(c.confirmed_on).label("last_day"),
                func.array_agg(c.confirmed_on).filter(c.status == "missed").label("missed"),
            )
            .where(
                c.patient_id == Treatment.patient_id,
                c.confirmed_on >= Treatment.started_on,
                c.confirmed_on <= func.least(func.coalesce(Treatment.ended_on, as_of), as_of),
            )
            .correlate(Treatment)
            .lateral("figures")
        )
        statement = (
            select(Treatment.id, figures.c.confirmed, figures.c.taken, figures.c.last_day, figures.c.missed)
            .join(figures, true())
            .where(Treatment.started_on >= first, Treatment.started_on <= last)
        )
        return {
            row[0]: DoseFigures(row[1], row[2], row[3], set(row[4] or ()))
            for row in await self.session.execute(statement)
        }

    async def transfers_in(self, first: date, last: date) -> list[uuid.UUID]:
        """Patients (not LTBI) who moved into the area in the period while on a course started before it."""
        earlier = (
            select(Treatment.id)
            .where(Treatment.patient_id == Transfer.patient_id, Treatment.started_on < first)
            .exists()
        )
        statement = (
            select(Transfer.patient_id)
            .distinct()
            .join(Patient, Patient.id == Transfer.patient_id)
            .where(Transfer.direction == "in", Transfer.moved_on >= first, Transfer.moved_on <= last)
            .where(Patient.category != "ltbi", earlier)
        )
        return list(await self.session.scalars(statement))
