"""Every query of the DOTS module; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Row, Select, and_, func, or_, select, text, true
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

    async def courses_of_patient(self, patient_id: uuid.UUID) -> list[Treatment]:
        """A patient's courses, oldest first."""
        rows = await self.session.scalars(
            select(Treatment).where(Treatment.patient_id == patient_id).order_by(Treatment.started_on)
        )
        return list(rows)

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

    async def dose_figures(
        self, first: date, last: date, as_of: date, only: list[uuid.UUID] | None = None
    ) -> dict[uuid.UUID, DoseFigures]:
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
        if only is not None:
            statement = statement.where(Treatment.id.in_(only))
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


# The cohort outcome of every course of a period judged inside PostgreSQL, for the summary counts and the DOTS rate:
# the same rules as patients.dots.cohort.judge (and their order), on the same facts the cohort list gathers. Months are
# ordinal as there: month n of a course starts on the day n-1 calendar months after the start (PostgreSQL's
# date + interval of months keeps the day or takes the month's last, as tbms_core.dates.add_months does).
# services/patients/tests/dots/test_cohort_summary.py proves both give the same outcome for every course.
COHORT_SUMMARY = """
WITH started AS MATERIALIZED (
  SELECT t.id, t.patient_id, t.regimen, t.started_on AS s, t.ended_on AS e,
    COALESCE(r.end_reason, '') AS end_reason, COALESCE(r.override_outcome, '') AS override,
    COALESCE(r.died_on, CASE WHEN p.exclusion_reason = 'death' THEN p.excluded_on END) AS died_on
  FROM treatments t
  JOIN patients p ON p.id = t.patient_id
  LEFT JOIN dots_cohort_reviews r ON r.treatment_id = t.id
  WHERE t.started_on >= :first AND t.started_on <= :last AND p.category <> 'ltbi'
), moved_out AS (
  SELECT st.id, min(x.moved_on) AS t_out
  FROM started st
  JOIN transfers x ON x.patient_id = st.patient_id AND x.direction = 'out' AND x.moved_on >= st.s
  GROUP BY st.id
), course AS MATERIALIZED (
  SELECT started.*, moved_out.t_out FROM started LEFT JOIN moved_out ON moved_out.id = started.id
), bounded AS MATERIALIZED (
  SELECT course.*, LEAST(t_out, CAST(:as_of AS date)) AS cutoff,
    CAST(s + make_interval(months => :window_first - 1) AS date) AS window_from,
    CAST(s + make_interval(months => :window_last) AS date) AS window_until,
    CAST(s + make_interval(months => :first_months) AS date) AS first_until,
    LEAST(COALESCE(e, CAST(:as_of AS date)), CAST(:as_of AS date), t_out) AS missed_until
  FROM course
), lab AS (
  SELECT b.id,
    bool_or(l.positive AND l.collected_on >= b.window_from AND l.collected_on < b.window_until
      AND l.collected_on <= b.cutoff) AS failed_hit,
    bool_or(l.collected_on >= b.window_from AND l.collected_on < b.window_until)
      FILTER (WHERE l.positive IS NOT NULL AND l.collected_on <= :as_of) AS in_window,
    (array_agg(l.positive ORDER BY l.collected_on DESC, l.positive DESC)
      FILTER (WHERE l.positive IS NOT NULL AND l.collected_on <= :as_of AND l.collected_on < b.window_from))[1]
      AS last_before_positive
  FROM bounded b
  JOIN (
    SELECT lr.patient_id, lr.collected_on,
      CASE WHEN lr.kind = 'smear' THEN
        CASE WHEN lr.details->>'grade' = ANY(:positive_smears) THEN true
             WHEN lr.details->>'grade' = ANY(:negative_smears) THEN false
             WHEN lr.details->>'gaffky' = ANY(:positive_smears) THEN true
             WHEN lr.details->>'gaffky' = ANY(:negative_smears) THEN false END
      ELSE CASE lr.details->>'result' WHEN '陽性' THEN true WHEN '陰性' THEN false END END AS positive
    FROM lab_results lr
    WHERE lr.kind IN ('smear', 'culture') AND lr.collected_on IS NOT NULL
  ) l ON l.patient_id = b.patient_id
  GROUP BY b.id
), missed_day AS (
  SELECT b.id, dc.confirmed_on < b.first_until AS in_first,
    dc.confirmed_on - CAST(row_number() OVER (PARTITION BY b.id ORDER BY dc.confirmed_on) AS integer) AS island
  FROM bounded b
  JOIN dots_confirmations dc ON dc.patient_id = b.patient_id AND dc.status = 'missed'
    AND dc.confirmed_on >= b.s AND dc.confirmed_on <= b.missed_until
), missed_run AS (
  SELECT id, count(*) AS run, count(*) FILTER (WHERE in_first) AS in_first FROM missed_day GROUP BY id, island
), missed AS (
  SELECT id, sum(in_first) AS cumulative, max(run) AS longest FROM missed_run GROUP BY id
), facts AS (
  SELECT b.*, lab.failed_hit, lab.in_window, lab.last_before_positive,
    COALESCE(missed.cumulative, 0) AS cumulative, COALESCE(missed.longest, 0) AS longest,
    EXISTS (SELECT 1 FROM dots_plans dp WHERE dp.patient_id = b.patient_id AND (dp.treatment_id = b.id
      OR (dp.treatment_id IS NULL AND dp.starts_on >= b.s AND (b.e IS NULL OR dp.starts_on <= b.e)))) AS has_plan
  FROM bounded b
  LEFT JOIN lab ON lab.id = b.id
  LEFT JOIN missed ON missed.id = b.id
), judged AS (
  SELECT f.*,
    CASE
      WHEN s IS NULL OR (died_on IS NOT NULL AND died_on < s) OR regimen = '' OR regimen = ANY(:nonstandard)
        THEN 'not_evaluated'
      WHEN died_on IS NOT NULL AND died_on <= cutoff AND (e IS NULL OR died_on <= e) THEN 'died'
      WHEN COALESCE(failed_hit, false) THEN 'failed'
      WHEN longest >= :consecutive_days OR cumulative >= :interruption_days THEN 'lost'
      WHEN e IS NOT NULL AND end_reason = 'self_stopped' AND e <= cutoff THEN 'lost'
      WHEN t_out IS NOT NULL AND t_out <= :as_of AND (e IS NULL OR e > t_out) THEN 'transferred'
      WHEN e IS NULL OR e > :as_of THEN
        CASE WHEN :as_of >= CAST(s + make_interval(months => :long_treatment_months) AS date)
          THEN 'over_12_months' ELSE 'not_evaluated' END
      WHEN end_reason = 'hr_stopped' THEN 'not_evaluated'
      WHEN NOT COALESCE(in_window, false) OR last_before_positive IS NULL OR last_before_positive THEN 'completed'
      ELSE 'cured'
    END AS computed,
    died_on IS NOT NULL AND died_on <= CAST(s + interval '1 month' AS date) AS died_early
  FROM facts f
)
SELECT computed, NULLIF(override, '') AS override, died_early, has_plan, count(*)
FROM judged
GROUP BY 1, 2, 3, 4
"""


class CohortSummaryRow(NamedTuple):
    """How many courses share a computed outcome, an override, a death within the first month and a plan."""

    computed: str
    override: str | None
    died_early: bool
    has_plan: bool
    count: int


class CohortSummaryRepository:
    """The cohort of a period counted inside PostgreSQL, and its courses a page at a time."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def summary(self, first: date, last: date, as_of: date, rules: Any, sputum_rules: Any) -> list[Any]:
        """The courses (not LTBI) started in the period grouped by computed outcome, override, early death, plan."""
        params = {
            "first": first,
            "last": last,
            "as_of": as_of,
            "window_first": rules.window_first,
            "window_last": rules.window_last,
            "first_months": rules.first_months,
            "interruption_days": rules.interruption_days,
            "consecutive_days": rules.consecutive_days,
            "long_treatment_months": rules.long_treatment_months,
            "nonstandard": sorted(rules.nonstandard_regimens),
            "positive_smears": sorted(sputum_rules.positive_smears),
            "negative_smears": sorted(sputum_rules.negative_smears),
        }
        await self._without_jit()
        rows = await self.session.execute(text(COHORT_SUMMARY), params)
        return [CohortSummaryRow(*row) for row in rows]

    async def _without_jit(self) -> None:
        """PostgreSQL would compile these large expressions (JIT) for seconds to save milliseconds: not in this
        transaction."""
        await self.session.execute(text("SET LOCAL jit = off"))

    async def page(
        self, first: date, last: date, *, ltbi: bool, limit: int, offset: int
    ) -> tuple[list[CourseRow], int]:
        """One page of the period's courses (LTBI or not) in start order, and how many there are."""
        where = and_(
            Treatment.started_on >= first,
            Treatment.started_on <= last,
            (Patient.category == "ltbi") if ltbi else (Patient.category != "ltbi"),
        )
        total = await self.session.scalar(
            select(func.count()).select_from(Treatment).join(Patient, Patient.id == Treatment.patient_id).where(where)
        )
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
            .where(where)
            .order_by(Treatment.started_on, Patient.registration_no, Treatment.id)
            .limit(limit)
            .offset(offset)
        )
        return [CourseRow(*row) for row in await self.session.execute(statement)], int(total or 0)

    async def ltbi_taken(self, first: date, last: date, as_of: date) -> list[tuple[CourseRow, int]]:
        """Every LTBI course of the period with its doses taken (for the completion counts)."""
        c = DotsConfirmation
        taken = (
            select(func.count().label("taken"))
            .where(
                c.patient_id == Treatment.patient_id,
                c.status == "taken",
                c.confirmed_on >= Treatment.started_on,
                c.confirmed_on <= func.least(func.coalesce(Treatment.ended_on, as_of), as_of),
            )
            .correlate(Treatment)
            .lateral("taken")
        )
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
                taken.c.taken,
            )
            .join(Patient, Patient.id == Treatment.patient_id)
            .join(taken, true())
            .where(Treatment.started_on >= first, Treatment.started_on <= last, Patient.category == "ltbi")
        )
        await self._without_jit()
        return [(CourseRow(*row[:-1]), int(row[-1])) for row in await self.session.execute(statement)]
