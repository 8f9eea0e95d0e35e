"""The cohort outcome of each course with its override, a patient's course on one page, and the コホート検討会 list."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import CareRecordSnapshot
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import today
from tbms_core.dates import add_months
from tbms_core.errors import InvalidInput, VersionConflict

from patients.care.errors import CareRecordNotFound
from patients.care.models import Transfer, Treatment
from patients.care.repository import TreatmentRepository
from patients.dots.adherence import adherence, next_due
from patients.dots.cohort import (
    DEFAULT_RULES,
    OUTCOMES,
    CohortFacts,
    CohortOutcome,
    CohortRules,
    SputumResult,
    culture_positive,
    judge,
    month_of,
    smear_positive,
)
from patients.dots.events import dots_snapshot, publish
from patients.dots.ltbi import FROM_TREATMENT, LTBI_REGIMENS, ltbi_completion
from patients.dots.models import CohortReview, DotsPlan
from patients.dots.repository import (
    CohortRepository,
    CohortSummaryRepository,
    CohortSummaryRow,
    ConfirmationRepository,
    CourseRow,
    DoseFigures,
    PlanRepository,
    PlanRow,
    ReviewRepository,
    SputumRow,
)
from patients.dots.schemas import ReviewChange
from patients.dots.service import DotsService
from patients.history.service import HistoryService
from patients.patient.repository import PatientRepository

SERVICE = "patients"
PAGE_SIZE = 100  # courses per page of the cohort list
Course = Treatment | CourseRow  # a course as the care module keeps it, or as the cohort list reads it
REVIEW_FIELDS = (
    "end_reason",
    "died_on",
    "death_cause",
    "override_outcome",
    "override_reason",
    "meeting_note",
    "ltbi_checked_on",
    "ltbi_checklist",
)


def sputum(results: list[SputumRow]) -> tuple[SputumResult, ...]:
    """Smears and cultures as the rules read them (a result without a collection date cannot be placed)."""
    found = []
    for row in results:
        if row.collected_on is None:
            continue
        positive = smear_positive(row.details) if row.kind == "smear" else culture_positive(row.details)
        found.append(SputumResult(row.collected_on, row.kind, positive))
    return tuple(found)


def transferred_out_on(course: Course, transfers: list[Transfer]) -> date | None:
    """The first move out of the area on or after the course began."""
    return min(
        (t.moved_on for t in transfers if t.direction == "out" and t.moved_on >= course.started_on), default=None
    )


def facts(
    course: Course,
    review: CohortReview | None,
    results: list[SputumRow],
    transfers: list[Transfer],
    missed: set[date],
    as_of: date,
    excluded_for_death_on: date | None = None,
) -> CohortFacts:
    """The facts of one course, from the care records, the tests, the confirmations and the review."""
    died_on = (review.died_on if review else None) or excluded_for_death_on  # 登録除外（死亡） when no date was given
    return CohortFacts(
        as_of=as_of,
        started_on=course.started_on,
        regimen=course.regimen,
        ended_on=course.ended_on,
        end_reason=review.end_reason if review else "",
        died_on=died_on,
        death_cause=review.death_cause if review else "",
        transferred_out_on=transferred_out_on(course, transfers),
        results=sputum(results),
        missed_days=frozenset(missed),
    )


def outcome_view(computed: CohortOutcome, review: CohortReview | None) -> dict[str, Any]:
    """The computed outcome and rule, the override with its reason beside it, and the outcome that stands."""
    override = review.override_outcome if review else ""
    return {
        "computed": {
            "code": computed.code,
            "label": computed.label,
            "sub_reason": computed.sub_reason,
            "sub_label": computed.sub_label,
            "rule": computed.rule,
        },
        "override": {
            "code": override,
            "label": OUTCOMES[override],
            "reason": review.override_reason,
            "computed_then": review.computed_outcome,
            "computed_rule_then": review.computed_rule,
        }
        if review and override
        else None,
        "outcome": override or computed.code,
        "outcome_label": OUTCOMES[override or computed.code],
    }


class CohortService:
    """Judges courses, keeps the reviews and overrides, and lists a period's cohort."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.cohort = CohortRepository(session)
        self.reviews = ReviewRepository(session)
        self.plans = PlanRepository(session)
        self.confirmations = ConfirmationRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def _rules(self) -> CohortRules:
        """The cohort rules with the health center's numbers (the `cohort_rules` setting)."""
        return CohortRules(**(await DotsService(self.session, self.principal).config())["cohort_rules"])

    async def _course(self, patient_id: uuid.UUID, treatment_id: uuid.UUID) -> Treatment:
        for course in await self.cohort.courses_of_patient(patient_id):
            if course.id == treatment_id:
                return course
        raise CareRecordNotFound()

    async def _judge(self, course: Treatment, review: CohortReview | None, as_of: date) -> CohortOutcome:
        patient = await self.patients.get(course.patient_id)
        death = patient.excluded_on if patient.exclusion_reason == "death" else None
        results = (await self.cohort.sputum_results([patient.id])).get(patient.id, [])
        transfers = (await self.cohort.transfers([patient.id])).get(patient.id, [])
        rows = await self.confirmations.between(patient.id, course.started_on, course.ended_on or as_of)
        missed = {row.confirmed_on for row in rows if row.status == "missed"}
        return judge(facts(course, review, results, transfers, missed, as_of, death), await self._rules())

    async def outcome(self, patient_id: uuid.UUID, treatment_id: uuid.UUID, as_of: date | None) -> dict[str, Any]:
        """A course's computed outcome with its rule, the override beside it, and the review's facts."""
        self.principal.require(Area.PATIENTS, Access.READ)
        course = await self._course(patient_id, treatment_id)
        review = await self.reviews.of_treatment(course.id)
        computed = await self._judge(course, review, as_of or today())
        await self._audit(Operation.READ, patient_id, course.id)
        return outcome_view(computed, review) | {"treatment_id": course.id, "review": _review(review)}

    async def save_review(self, patient_id: uuid.UUID, treatment_id: uuid.UUID, data: ReviewChange) -> dict[str, Any]:
        """Saves the review: an override keeps its reason and the computed outcome and rule of that moment."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        course = await self._course(patient_id, treatment_id)
        review = await self.reviews.of_treatment(course.id)
        if (review.version if review else 0) != data.version:
            raise VersionConflict()
        values = data.model_dump(exclude_unset=True, exclude={"version"})
        stored = {name: getattr(review, name) for name in REVIEW_FIELDS} if review else dict.fromkeys(REVIEW_FIELDS)
        merged = stored | values
        if merged["override_outcome"] and not merged["override_reason"]:
            raise InvalidInput(errors={"override_reason": "判定を変更するときは理由を入力してください。"})
        if not merged["override_outcome"]:
            values |= {"override_reason": "", "computed_outcome": "", "computed_rule": ""}
        for name in ("end_reason", "death_cause", "override_outcome", "override_reason", "meeting_note"):
            if name in values and values[name] is None:
                values[name] = ""
        if "ltbi_checklist" in values:
            values["ltbi_checklist"] = await self._checklist(values["ltbi_checklist"] or {})
        as_of = today()
        review_then = CohortReview(**{name: merged.get(name) for name in REVIEW_FIELDS if name != "meeting_note"})
        computed = await self._judge(course, review_then, as_of)
        if merged["override_outcome"]:
            values |= {"computed_outcome": computed.code, "computed_rule": computed.rule}
        reason = merged["override_reason"] or ""
        created = review is None
        if review is None:
            review = await self.reviews.add(
                CohortReview(**values, patient_id=patient_id, treatment_id=course.id, updated_by=self.principal.user_id)
            )
            changes = diff({}, to_jsonable_python(values))
            await self.edit_history.record_change(
                record_type="dots_cohort_review",
                record_id=review.id,
                person_id=patient_id,
                version=review.version,
                changes=changes,
                reason=reason,
            )
        else:
            before = {name: to_jsonable_python(getattr(review, name)) for name in values}
            if changes := diff(before, to_jsonable_python(values)):
                await self.edit_history.save_change(
                    review,
                    assignments=values,
                    record_type="dots_cohort_review",
                    person_id=patient_id,
                    changes=changes,
                    reason=reason,
                )
            else:
                changes = {}
        if changes:
            await self._publish(course, review, computed, created=created, changed=list(changes))
        await self._audit(Operation.UPDATE, patient_id, course.id)
        return outcome_view(computed, review) | {"treatment_id": course.id, "review": _review(review)}

    async def _checklist(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The F02 answers, each item one of the checklist in force (422 naming an unknown one)."""
        known = {item["key"] for item in (await DotsService(self.session, self.principal).config())["ltbi_checklist"]}
        unknown = {
            f"ltbi_checklist.{key}": "この項目はチェックリストにありません。" for key in answers if key not in known
        }
        if unknown:
            raise InvalidInput(errors=unknown)
        return to_jsonable_python(answers)

    async def _publish(
        self, course: Treatment, review: CohortReview, computed: CohortOutcome, *, created: bool, changed: list[str]
    ) -> None:
        """The review with the outcome computed when it was saved, its rule, and the outcome that stands; for an
        LTBI course its completion by doses and the F02 checklist's items as they are now."""
        data, extra = await self._review_data(course, review, computed)
        await publish(
            self.session, "dots_cohort_review", review, self.principal.user_id,
            created=created, changed=changed, data=data, labels=extra,
        )  # fmt: skip

    async def review_snapshot(self, review: CohortReview, types: dict[str, str]) -> CareRecordSnapshot:
        """A review as CareRecordSaved carries it, its course judged today as a save today would (`tbms replay
        reports`); `types` names the DOTSの種類."""
        course = await TreatmentRepository(self.session).get(review.treatment_id)
        data, extra = await self._review_data(course, review, await self._judge(course, review, today()))
        return dots_snapshot("dots_cohort_review", review, types, data=data, labels=extra)

    async def _review_data(
        self, course: Treatment, review: CohortReview, computed: CohortOutcome
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """What a review's event carries beside its columns, and the label of the outcome computed now."""
        view = outcome_view(computed, review)
        as_of = today()
        rows = await self.confirmations.between(course.patient_id, course.started_on, course.ended_on or as_of)
        plans = [p for p in await self.plans.of_patient(course.patient_id) if p.treatment_id in (course.id, None)]
        taken = sum(1 for row in rows if row.status == "taken")
        ltbi = _ltbi(course, plans[0] if plans else None, taken, as_of)
        data = {
            "outcome": view["outcome"],
            "computed_now": computed.code,
            "computed_now_rule": computed.rule,
            "sub_reason": computed.sub_reason,
            "ltbi": to_jsonable_python(ltbi),
            "ltbi_checklist_items": (await DotsService(self.session, self.principal).config())["ltbi_checklist"],
        }
        return data, {"computed_now": computed.label}

    async def course_page(self, patient_id: uuid.UUID, as_of: date | None) -> list[dict[str, Any]]:
        """F04 治療・服薬支援の経過: per course its regimen, doses per week, interruptions, tests, due and outcome."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        as_of = as_of or today()
        plans = await self.plans.of_patient(patient.id)
        intensities = (await DotsService(self.session, self.principal).config())["intensities"]
        results = (await self.cohort.sputum_results([patient.id])).get(patient.id, [])
        rules = await self._rules()
        pages = []
        for course in await self.cohort.courses_of_patient(patient.id):
            rows = await self.confirmations.between(patient.id, course.started_on, course.ended_on or as_of)
            statuses = {row.confirmed_on: row.status for row in rows}
            figures = adherence(course.started_on, course.ended_on, statuses, as_of, rules)
            plan = next((p for p in plans if p.treatment_id in (course.id, None)), None)
            review = await self.reviews.of_treatment(course.id)
            page = {
                "treatment_id": course.id,
                "regimen": course.regimen,
                "started_on": course.started_on,
                "ended_on": course.ended_on,
                "adherence": to_jsonable_python(figures) | {"rate": figures.course.rate},
                "longest_interruption": figures.longest_interruption,
                "side_effects": [{"on": r.confirmed_on, "text": r.side_effects} for r in rows if r.side_effects],
                "tests": [
                    {
                        "collected_on": r.collected_on,
                        "kind": r.kind,
                        "month": month_of(course.started_on, r.collected_on),
                        "positive": r.positive,
                    }
                    for r in sorted(sputum(results), key=lambda r: r.collected_on)
                ],
                "due": None,
                "ltbi": None,
            }
            if plan is not None:
                interval = plan.interval_days or int(intensities.get(plan.intensity, {}).get("interval_days", 1))
                last = max((d for d in statuses if d <= as_of), default=None)
                due = next_due(plan.starts_on, last, interval, f"支援強度{plan.intensity}", plan.ends_on)
                page["due"] = {"on": due.on, "why": due.why, "overdue": due.on < as_of} if due else None
            if patient.category == "ltbi":
                page["ltbi"] = _ltbi(course, plan, figures.course.taken, as_of)
            else:
                page |= outcome_view(await self._judge(course, review, as_of), review)
            pages.append(page)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="dots_course", person_id=patient.id
        )
        return pages

    async def cohort_list(
        self,
        period: str,
        first: date,
        last: date,
        as_of: date | None,
        *,
        limit: int = PAGE_SIZE,
        offset: int = 0,
        ltbi_offset: int = 0,
    ) -> dict[str, Any]:
        """コホート検討会: one page of the courses started in a period with outcome, override, rule, adherence and
        nurse (LTBI apart, paged on its own); the counts per outcome and the DOTS rate over its denominator
        (TB_PRACTICE §5.1) of the whole period, counted in PostgreSQL; the LTBI completions counted from the doses."""
        self.principal.require(Area.PATIENTS, Access.READ)
        as_of = as_of or today()
        rules = await self._rules()
        listed = CohortSummaryRepository(self.session)
        courses, total = await listed.page(first, last, ltbi=False, limit=limit, offset=offset)
        ltbi_courses, ltbi_total = await listed.page(first, last, ltbi=True, limit=limit, offset=ltbi_offset)
        rows = await self._rows([*courses, *ltbi_courses], first, last, as_of, rules)
        summary = await listed.summary(first, last, as_of, rules, DEFAULT_RULES)
        ltbi_counts: Counter[str] = Counter()
        ltbi_all = await listed.ltbi_taken(first, last, as_of)
        plans = await self.plans.of_patients({course.patient_id for course, _ in ltbi_all})
        for course, taken in ltbi_all:
            found = _ltbi(course, _plan_of(course, plans.get(course.patient_id, [])), taken, as_of)
            ltbi_counts[(found or {}).get("status", "")] += 1
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="dots_cohort", query=period
        )
        return {
            "period": period,
            "first": first,
            "last": last,
            "as_of": as_of,
            "items": [row for row in rows if row["category"] != "ltbi"],
            "paging": {"limit": limit, "offset": offset, "total": total},
            "counts": _counted(summary, lambda r: r.override or r.computed),
            "computed_counts": _counted(summary, lambda r: r.computed),
            "dots_rate": await self._dots_rate(summary, first, last),
            "ltbi": {
                "items": [row for row in rows if row["category"] == "ltbi"],
                "paging": {"limit": limit, "offset": ltbi_offset, "total": ltbi_total},
                "counts": dict(ltbi_counts),
            },
        }

    async def _rows(
        self, courses: list[CourseRow], first: date, last: date, as_of: date, rules: CohortRules
    ) -> list[dict[str, Any]]:
        """The page's courses with outcome, override, rule, adherence and nurse (an LTBI one with its completion)."""
        ids = {course.patient_id for course in courses}
        results, transfers = await self.cohort.sputum_results(ids), await self.cohort.transfers(ids)
        doses = await self.cohort.dose_figures(first, last, as_of, only=[course.id for course in courses])
        reviews = await self.reviews.of_treatments([course.id for course in courses])
        plans = await self.plans.of_patients(ids)
        rows = []
        for course in courses:
            review, plan = reviews.get(course.id), _plan_of(course, plans.get(course.patient_id, []))
            confirmed, taken, last_day, missed = doses.get(course.id) or DoseFigures(0, 0, None, set())
            end = min(course.ended_on or as_of, as_of)
            planned = max((end - course.started_on).days + 1, 0)
            row: dict[str, Any] = {
                "treatment_id": course.id,
                "patient_id": course.patient_id,
                "registration_no": course.registration_no,
                "name": course.name,
                "nurse": course.nurse,
                "category": course.category,
                "regimen": course.regimen,
                "started_on": course.started_on,
                "ended_on": course.ended_on,
                "dots": plan is not None,
                "dots_type": plan.dots_type if plan else "",
                "adherence": {
                    "planned": planned,
                    "confirmed": confirmed,
                    "taken": taken,
                    "rate": round(taken / planned, 4) if planned else None,
                    "last_confirmed_on": last_day,
                },
                "meeting_note": review.meeting_note if review else "",
                "review_version": review.version if review else 0,
            }
            if course.category == "ltbi":
                rows.append(row | {"ltbi": _ltbi(course, plan, taken, as_of)})
                continue
            death = course.excluded_on if course.exclusion_reason == "death" else None
            fact = facts(
                course,
                review,
                results.get(course.patient_id, []),
                transfers.get(course.patient_id, []),
                missed,
                as_of,
                death,
            )
            row |= outcome_view(judge(fact, rules), review)
            row["died_early"] = bool(fact.died_on and fact.died_on <= add_months(course.started_on, 1))
            row["transferred_out"] = row["computed"]["code"] == "transferred"
            rows.append(row)
        return rows

    async def _dots_rate(self, summary: list[CohortSummaryRow], first: date, last: date) -> dict[str, Any]:
        """DOTS 実施率 (TB_PRACTICE §5.1): new registrations plus 転入, less deaths within a month of starting, less
        転出. [U] A course counts as having DOTS when a support plan covers it."""
        moved_in = await self.cohort.transfers_in(first, last)
        moved_in_with_plan = len(await self.plans.of_patients(moved_in))
        new = sum(r.count for r in summary)
        died_early = sum(r.count for r in summary if r.died_early)
        moved_out = sum(r.count for r in summary if r.computed == "transferred" and not r.died_early)
        counted = [r for r in summary if not r.died_early and r.computed != "transferred"]
        denominator = new + len(moved_in) - died_early - moved_out
        numerator = sum(r.count for r in counted if r.has_plan) + moved_in_with_plan
        return {
            "new": new,
            "transferred_in": len(moved_in),
            "died_within_a_month": died_early,
            "transferred_out": moved_out,
            "denominator": denominator,
            "with_dots": numerator,
            "rate": round(numerator / denominator, 4) if denominator else None,
        }

    async def _audit(self, operation: Operation, patient_id: uuid.UUID, treatment_id: uuid.UUID) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="dots_cohort_review",
            record_id=treatment_id,
            person_id=patient_id,
        )


def _plan_of(course: Course, plans: list[PlanRow]) -> PlanRow | None:
    """The plan of a course: one linked to it, else a plan of the patient's that began during it."""
    linked = [p for p in plans if p.treatment_id == course.id]
    end = course.ended_on or date.max
    return (
        linked or [p for p in plans if p.treatment_id is None and course.started_on <= p.starts_on <= end] or [None]
    )[0]


def _ltbi(course: Course, plan: DotsPlan | PlanRow | None, taken: int, as_of: date) -> dict[str, Any] | None:
    code = (plan.ltbi_regimen if plan else "") or FROM_TREATMENT.get(course.regimen, "")
    regimen = LTBI_REGIMENS.get(code)
    if regimen is None:
        return None
    result = ltbi_completion(regimen, course.started_on, taken, as_of)
    return {
        "regimen": code,
        "regimen_label": regimen.label,
        "basis": regimen.basis,
        "status": result.status,
        "label": result.label,
        "doses_taken": result.doses_taken,
        "doses_needed": result.doses_needed,
        "why": result.why,
        "deadline": add_months(course.started_on, regimen.within_months),
    }


def _review(review: CohortReview | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {name: getattr(review, name) for name in REVIEW_FIELDS} | {"version": review.version}


def _counted(summary: list[CohortSummaryRow], outcome: Callable[[CohortSummaryRow], str]) -> dict[str, int]:
    """The summary's courses per outcome, in the order of the outcome list."""
    counted: Counter[str] = Counter()
    for row in summary:
        counted[outcome(row)] += row.count
    return {code: counted.get(code, 0) for code in OUTCOMES}
