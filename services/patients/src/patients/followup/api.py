"""HTTP API of 管理検診: a patient's plan, schedule and examinations, the 登録除外 proposal, and the clerk's lists."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from patients.deps import FollowupServiceDep, FollowupSettingsServiceDep
from patients.followup.schemas import (
    ExamChange,
    ExamRead,
    ExclusionConfirm,
    FollowupListPage,
    FollowupRead,
    PlanSave,
)
from patients.followup.settings_schemas import FollowupSettingChange, FollowupSettingRead, FollowupSettingsRead
from patients.history.schemas import HistoryEntryRead

router = APIRouter(tags=["管理検診"])
PATIENT = "/patients/{patient_id}/followup"


async def may_record(patient_id: uuid.UUID, followup: FollowupServiceDep) -> None:
    """Refuses (403) or misses the patient (404) before the body is validated."""
    await followup.patient_to_record_for(patient_id)


RECORDING = [Depends(may_record)]


@router.get("/followup/settings")
async def followup_settings(settings: FollowupSettingsServiceDep) -> FollowupSettingsRead:
    """The schedules' intervals (with the §7 defaults and their basis) and the 行動調査票's added items in force."""
    return await settings.settings()


@router.put("/followup/settings/{key}")
async def change_followup_setting(
    key: str, data: FollowupSettingChange, settings: FollowupSettingsServiceDep
) -> FollowupSettingRead:
    """Replaces one setting (マスタ管理 更新); 409 when somebody saved first."""
    return await settings.change(key, data)


@router.get("/followup/settings/history")
async def followup_settings_history(settings: FollowupSettingsServiceDep) -> list[HistoryEntryRead]:
    """Every change of the settings with who, when, from what to what and why."""
    return await settings.history()


@router.get("/followup/list")
async def followup_list(
    followup: FollowupServiceDep,
    view: str = "due",
    month: str | None = None,
    district: str = "",
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> FollowupListPage:
    """The clerk's list: notices to send, exams due in the month, overdue, or results missing."""
    return await followup.listing(view, month, district=district, limit=limit, offset=offset)


@router.get(PATIENT)
async def view_followup(patient_id: uuid.UUID, followup: FollowupServiceDep) -> FollowupRead:
    """The patient's plan, its schedule with the basis of each date, the exams, the next due and the proposal."""
    return await followup.view(patient_id)


@router.put(f"{PATIENT}/plan", dependencies=RECORDING)
async def save_plan(patient_id: uuid.UUID, data: PlanSave, followup: FollowupServiceDep) -> FollowupRead:
    """Creates or changes the plan; the dates of the exams not yet done are recomputed."""
    return await followup.save_plan(patient_id, data)


@router.patch(f"{PATIENT}/exams/{{exam_id}}")
async def record_exam(
    patient_id: uuid.UUID, exam_id: uuid.UUID, data: ExamChange, followup: FollowupServiceDep
) -> ExamRead:
    """Records a notice, an appointment, the results and judgement, or the outreach; 409 when somebody saved first."""
    return await followup.record_exam(patient_id, exam_id, data)


@router.post(f"{PATIENT}/exclusion", dependencies=RECORDING)
async def confirm_exclusion(
    patient_id: uuid.UUID, data: ExclusionConfirm, followup: FollowupServiceDep
) -> FollowupRead:
    """The nurse confirms the proposed 登録除外 (経過観察終了)."""
    return await followup.confirm_exclusion(patient_id, data)
