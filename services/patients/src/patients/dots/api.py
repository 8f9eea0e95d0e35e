"""HTTP API of DOTS: settings, a nurse's day sheet and the cohort list; per patient the F01 assessments, support
plans, confirmations (one day or a month's calendar), the course on one page and each course's outcome."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, status
from tbms_core.errors import InvalidInput

from patients.deps import CohortServiceDep, DotsServiceDep
from patients.dots.schemas import (
    AssessmentCreate,
    AssessmentRead,
    CalendarCreate,
    Change,
    ConfirmationCreate,
    ConfirmationPage,
    ConfirmationRead,
    DaySheetRead,
    PlanCreate,
    PlanRead,
    ReviewChange,
    SettingChange,
    SettingRead,
    SettingsRead,
    parse_period,
)

router = APIRouter(tags=["服薬支援（DOTS）"])
PATIENT = "/patients/{patient_id}/dots"


async def may_record(patient_id: uuid.UUID, dots: DotsServiceDep) -> None:
    """Refuses (403) or misses the patient (404) before the body is validated."""
    await dots.patient_to_record_for(patient_id)


RECORDING = [Depends(may_record)]


@router.get("/dots/settings")
async def dots_settings(dots: DotsServiceDep) -> SettingsRead:
    """The DOTS settings in force (assessment items, intensities, levels) and the code lists."""
    return SettingsRead(items=await dots.settings(), dots_types=await dots.dots_types())


@router.put("/dots/settings/{key}")
async def change_dots_setting(key: str, data: SettingChange, dots: DotsServiceDep) -> SettingRead:
    """Replaces one setting (マスタ管理 更新); 409 when somebody saved first."""
    return await dots.change_setting(key, data)


@router.get("/dots/day-sheet")
async def day_sheet(dots: DotsServiceDep, day: date, nurse: str | None = None) -> DaySheetRead:
    """Every patient a nurse (by default the user) confirms on a day, one line each."""
    nurse, lines = await dots.day_sheet(day, nurse)
    return DaySheetRead.model_validate({"day": day, "nurse": nurse, "items": lines}, from_attributes=True)


@router.get("/dots/cohort")
async def cohort_list(
    cohort: CohortServiceDep,
    period: str,
    as_of: date | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    ltbi_offset: int = Query(default=0, ge=0),
) -> dict[str, Any]:
    """コホート検討会: one page of the courses started in a year (2025) or quarter (2025Q1), LTBI paged apart
    (ltbi_offset); the counts per outcome and the DOTS rate of the whole period."""
    try:
        first, last = parse_period(period)
    except ValueError as exc:
        raise InvalidInput(errors={"period": str(exc)}) from exc
    return await cohort.cohort_list(period, first, last, as_of, limit=limit, offset=offset, ltbi_offset=ltbi_offset)


@router.post(f"{PATIENT}/assessments", status_code=status.HTTP_201_CREATED, dependencies=RECORDING)
async def record_assessment(patient_id: uuid.UUID, data: AssessmentCreate, dots: DotsServiceDep) -> AssessmentRead:
    """Records a DOTSアセスメントシート (F01); the level and the suggested DOTS type are derived."""
    return AssessmentRead.model_validate(await dots.record_assessment(patient_id, data))


@router.patch(f"{PATIENT}/assessments/{{record_id}}")
async def correct_assessment(
    patient_id: uuid.UUID, record_id: uuid.UUID, data: Change, dots: DotsServiceDep
) -> AssessmentRead:
    """Corrects an assessment; 409 when somebody saved first."""
    return AssessmentRead.model_validate(await dots.correct_assessment(patient_id, record_id, data))


@router.get(f"{PATIENT}/assessments")
async def list_assessments(patient_id: uuid.UUID, dots: DotsServiceDep) -> list[AssessmentRead]:
    """A patient's assessments, newest first."""
    rows = await dots.listing(dots.assessments, patient_id, "dots_assessment")
    return [AssessmentRead.model_validate(row) for row in rows]


@router.post(f"{PATIENT}/plans", status_code=status.HTTP_201_CREATED, dependencies=RECORDING)
async def record_plan(patient_id: uuid.UUID, data: PlanCreate, dots: DotsServiceDep) -> PlanRead:
    """Records an individual support plan (F07)."""
    plan = await dots.record_plan(patient_id, data)
    return PlanRead.model_validate(plan).model_copy(update={"contact_interval_days": await dots.interval_days(plan)})


@router.patch(f"{PATIENT}/plans/{{record_id}}")
async def change_plan(patient_id: uuid.UUID, record_id: uuid.UUID, data: Change, dots: DotsServiceDep) -> PlanRead:
    """Changes a plan with its reason (versioned); 409 when somebody saved first."""
    plan = await dots.correct_plan(patient_id, record_id, data)
    return PlanRead.model_validate(plan).model_copy(update={"contact_interval_days": await dots.interval_days(plan)})


@router.get(f"{PATIENT}/plans")
async def list_plans(patient_id: uuid.UUID, dots: DotsServiceDep) -> list[PlanRead]:
    """A patient's support plans, newest first."""
    plans = await dots.plans_with_intervals(patient_id)
    return [PlanRead.model_validate(plan).model_copy(update={"contact_interval_days": days}) for plan, days in plans]


@router.post(f"{PATIENT}/confirmations", status_code=status.HTTP_201_CREATED, dependencies=RECORDING)
async def record_confirmation(
    patient_id: uuid.UUID, data: ConfirmationCreate, dots: DotsServiceDep
) -> ConfirmationRead:
    """Records one day's 服薬確認."""
    return ConfirmationRead.model_validate(await dots.record_confirmation(patient_id, data))


@router.post(f"{PATIENT}/confirmations/calendar", dependencies=RECORDING)
async def record_calendar(patient_id: uuid.UUID, data: CalendarCreate, dots: DotsServiceDep) -> ConfirmationPage:
    """Records many dates at once (a month's calendar); every date is checked, nothing is stored on an error."""
    rows = await dots.record_calendar(patient_id, data)
    return ConfirmationPage(items=[ConfirmationRead.model_validate(row) for row in rows])


@router.patch(f"{PATIENT}/confirmations/{{record_id}}")
async def correct_confirmation(
    patient_id: uuid.UUID, record_id: uuid.UUID, data: Change, dots: DotsServiceDep
) -> ConfirmationRead:
    """Corrects one day's confirmation; 409 when somebody saved first."""
    return ConfirmationRead.model_validate(await dots.correct_confirmation(patient_id, record_id, data))


@router.get(f"{PATIENT}/confirmations")
async def list_confirmations(
    patient_id: uuid.UUID, dots: DotsServiceDep, first: date | None = None, last: date | None = None
) -> ConfirmationPage:
    """A patient's confirmations in date order, within the dates given."""
    rows = await dots.confirmations_between(patient_id, first, last)
    return ConfirmationPage(items=[ConfirmationRead.model_validate(row) for row in rows])


@router.get(f"{PATIENT}/course")
async def course_page(patient_id: uuid.UUID, cohort: CohortServiceDep, as_of: date | None = None) -> dict[str, Any]:
    """F04 治療・服薬支援の経過: each course's doses per week, interruptions, tests, due date and outcome."""
    return {"items": await cohort.course_page(patient_id, as_of)}


@router.get(f"{PATIENT}/outcomes/{{treatment_id}}")
async def view_outcome(
    patient_id: uuid.UUID, treatment_id: uuid.UUID, cohort: CohortServiceDep, as_of: date | None = None
) -> dict[str, Any]:
    """A course's computed outcome with the rule that decided it, and the override beside it."""
    return await cohort.outcome(patient_id, treatment_id, as_of)


@router.put(f"{PATIENT}/outcomes/{{treatment_id}}")
async def review_outcome(
    patient_id: uuid.UUID, treatment_id: uuid.UUID, data: ReviewChange, cohort: CohortServiceDep
) -> dict[str, Any]:
    """Saves the review: end of course, death, override with its reason, the meeting's note; both outcomes kept."""
    return await cohort.save_review(patient_id, treatment_id, data)
