"""DOTS in daily practice: settings, F01 assessments, support plans and confirmations, with access checks, edit
history and audit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import today
from tbms_core.db import flush_versioned, utcnow
from tbms_core.errors import InvalidInput, VersionConflict, field_errors

from patients.care.repository import TreatmentRepository
from patients.care.service import checked
from patients.code_list.service import code_book
from patients.dots.adherence import Due, next_due
from patients.dots.alerts import confirmation_due
from patients.dots.config import DEFAULTS, suggest
from patients.dots.events import publish
from patients.dots.models import DotsAssessment, DotsConfirmation, DotsPlan, DotsSetting
from patients.dots.repository import (
    AssessmentRepository,
    ConfirmationRepository,
    DotsRecordRepository,
    PlanRepository,
    SettingRepository,
)
from patients.dots.schemas import (
    SETTING_SCHEMAS,
    AssessmentCreate,
    AssessmentUpdate,
    CalendarCreate,
    CalendarEntry,
    Change,
    ConfirmationCreate,
    ConfirmationUpdate,
    PlanCreate,
    PlanUpdate,
    SettingChange,
    SettingRead,
)
from patients.history.service import HistoryService
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository

SERVICE = "patients"
JSON_FIELDS = {"supporters", "reviews", "answers", "items"}


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the columns take them: JSON for the JSONB columns, Python values for the others."""
    return {k: to_jsonable_python(v) if k in JSON_FIELDS else v for k, v in values.items()}


def level_labels(record: Any, intensities: dict[str, Any]) -> dict[str, str]:
    """The label of a plan's intensity or an assessment's level as the settings in force name it; none for a
    record without one (a confirmation)."""
    level = getattr(record, "intensity", None) or getattr(record, "level", None)
    if not level:
        return {}
    label = str((intensities.get(level) or {}).get("label") or level)
    return {"intensity" if isinstance(record, DotsPlan) else "level": label}


class DotsService:
    """What staff do with a patient's DOTS records, and the settings those records follow."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.settings_rows = SettingRepository(session)
        self.assessments = AssessmentRepository(session)
        self.plans = PlanRepository(session)
        self.confirmations = ConfirmationRepository(session)
        self.edit_history = HistoryService(session, principal)

    # ---- settings ----

    async def config(self) -> dict[str, Any]:
        """The settings in force: the stored ones, the shipped default for the rest."""
        stored = await self.settings_rows.all()
        return {key: stored[key].value if key in stored else default for key, default in DEFAULTS.items()}

    async def settings(self) -> list[SettingRead]:
        """Every setting with its version (0 while the default is in use)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        stored = await self.settings_rows.all()
        return [
            SettingRead(key=key, value=stored[key].value, default=False, version=stored[key].version)
            if key in stored
            else SettingRead(key=key, value=default, default=True, version=0)
            for key, default in DEFAULTS.items()
        ]

    async def change_setting(self, key: str, data: SettingChange) -> SettingRead:
        """Replaces a setting (administrators, as for configurable fields: R33), kept in its history."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        if key not in SETTING_SCHEMAS:
            raise InvalidInput(errors={"key": "この設定はありません。"})
        try:
            value = to_jsonable_python(TypeAdapter(SETTING_SCHEMAS[key]).validate_python(data.value))
        except ValidationError as exc:
            raise InvalidInput(errors=_errors(exc, "value")) from exc
        if key == "levels":
            await self._check_suggested_types(value["suggested_types"])
        row = await self.settings_rows.find(key)
        if (row.version if row else 0) != data.version:
            raise VersionConflict()
        before = row.value if row else DEFAULTS[key]
        if row is None:
            row = await self.settings_rows.add(DotsSetting(key=key, value=value, updated_by=self.principal.user_id))
        else:
            row.value, row.updated_by = value, self.principal.user_id
            await flush_versioned(self.session)
        setting_id = uuid.uuid5(uuid.NAMESPACE_URL, f"tbms:dots_setting:{key}")
        await self.edit_history.record_change(
            record_type="dots_setting",
            record_id=setting_id,
            person_id=setting_id,
            version=row.version,
            changes={key: [before, value]},
            reason=data.reason,
        )
        await audit.record(self.session, self.principal, SERVICE, Operation.UPDATE, record_type="dots_setting")
        return SettingRead(key=key, value=value, default=False, version=row.version)

    # ---- F01 assessments ----

    async def record_assessment(self, patient_id: uuid.UUID, data: AssessmentCreate) -> DotsAssessment:
        """Records an assessment against the item list in force and derives its level and suggested type."""
        patient = await self.patient_to_record_for(patient_id)
        config = await self.config()
        items = config["assessment_items"]
        answers = _stored(data.model_dump())["answers"]
        _check_answers(items, answers)
        suggestion = suggest(items, answers, config["levels"], (await code_book(self.session)).labels("dots_type"))
        fields = _stored(data.model_dump(exclude_unset=True)) | {"items": items, "answers": answers}
        record = await self.assessments.add(
            DotsAssessment(
                **fields,
                patient_id=patient.id,
                level=suggestion.level,
                suggested_type=suggestion.dots_type,
                updated_by=self.principal.user_id,
            )
        )
        await self._created("dots_assessment", record)
        return record

    async def correct_assessment(self, patient_id: uuid.UUID, record_id: uuid.UUID, data: Change) -> DotsAssessment:
        """Corrects an assessment; the level is derived again from the items it was made with."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)  # before the lookup: no 404 tells a stranger it exists
        record = await self.assessments.get_of_patient(patient_id, record_id)
        values = await self._prepare(record, data, AssessmentUpdate, AssessmentCreate)
        if "answers" in values:
            _check_answers(record.items, values["answers"])
            levels, labels = (await self.config())["levels"], (await code_book(self.session)).labels("dots_type")
            suggestion = suggest(record.items, values["answers"], levels, labels)
            values |= {"level": suggestion.level, "suggested_type": suggestion.dots_type}
        return await self._save(record, values, data.reason, "dots_assessment")

    # ---- F07 plans ----

    async def record_plan(self, patient_id: uuid.UUID, data: PlanCreate) -> DotsPlan:
        """Records a support plan for the patient (by default confirmed by the user who records it)."""
        patient = await self.patient_to_record_for(patient_id)
        fields = _stored(data.model_dump(exclude_unset=True))
        await self._check_plan(patient, fields)
        fields.setdefault("nurse", self.principal.username)
        fields.setdefault("nurse_name", self.principal.display_name or self.principal.username)
        record = await self.plans.add(DotsPlan(**fields, patient_id=patient.id, updated_by=self.principal.user_id))
        await self._created("dots_plan", record)
        return record

    async def correct_plan(self, patient_id: uuid.UUID, record_id: uuid.UUID, data: Change) -> DotsPlan:
        """Changes a plan (a new review, another intensity …) with the reason kept in its history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)  # before the lookup: no 404 tells a stranger it exists
        record = await self.plans.get_of_patient(patient_id, record_id)
        values = await self._prepare(record, data, PlanUpdate, PlanCreate)
        await self._check_plan(await self.patients.get(patient_id), values)
        return await self._save(record, values, data.reason, "dots_plan")

    async def _check_suggested_types(self, types: dict[str, str]) -> None:
        """Each level's DOTS type must be a DOTSの種類 of the コード表 in force today (built-in or マスタ管理's)."""
        book = await code_book(self.session)
        errors = {
            f"value.suggested_types.{level}": problem
            for level, dots_type in types.items()
            if (problem := book.problem("dots_type", dots_type, today()))
        }
        if errors:
            raise InvalidInput(errors=errors)

    async def dots_types(self) -> dict[str, str]:
        """The DOTSの種類 a new plan may take today (masters' コード表)."""
        return (await code_book(self.session)).choices("dots_type", today())

    async def interval_days(self, plan: DotsPlan, intensities: dict[str, Any] | None = None) -> int:
        """The longest gap between contacts the plan allows: its own, else its intensity's."""
        intensities = intensities or (await self.config())["intensities"]
        return plan.interval_days or int((intensities.get(plan.intensity) or {}).get("interval_days", 1))

    async def plans_with_intervals(self, patient_id: uuid.UUID) -> list[tuple[DotsPlan, int]]:
        """A patient's plans, newest first, each with the contact interval in force (audited as a read)."""
        plans = await self.listing(self.plans, patient_id, "dots_plan")
        intensities = (await self.config())["intensities"]
        return [(plan, await self.interval_days(plan, intensities)) for plan in plans]

    async def confirmation_due(self, patient_id: uuid.UUID, as_of: date) -> Due | None:
        """The next confirmation due under the plan in force on a day (None without one): what the patient's
        snapshot publishes as a deadline. A gap longer than the plan's frequency is a due date in the past."""
        return await confirmation_due(self.session, patient_id, as_of)

    # ---- confirmations ----

    async def record_confirmation(self, patient_id: uuid.UUID, data: ConfirmationCreate) -> DotsConfirmation:
        """Records one day's confirmation; a day already recorded is corrected instead."""
        patient = await self.patient_to_record_for(patient_id)
        if await self.confirmations.on_days(patient.id, [data.confirmed_on]):
            raise InvalidInput(errors={"confirmed_on": "この日の服薬確認は既に記録されています。修正してください。"})
        return await self._add_confirmation(patient, data.model_dump(exclude_none=True))

    async def record_calendar(self, patient_id: uuid.UUID, data: CalendarCreate) -> list[DotsConfirmation]:
        """Records many dates at once (a month's calendar); each date is checked and nothing is stored on an error."""
        patient = await self.patient_to_record_for(patient_id)
        entries, errors = _calendar_entries(data.items)
        existing = await self.confirmations.on_days(patient.id, [e.confirmed_on for e in entries.values()])
        for index, entry in entries.items():
            stored = existing.get(entry.confirmed_on)
            if stored and entry.version is None:
                errors[f"items.{index}.confirmed_on"] = (
                    "この日の服薬確認は既に記録されています（修正には版が必要です）。"
                )
            elif not stored and entry.version is not None:
                errors[f"items.{index}.version"] = "この日の服薬確認はまだ記録されていません。"
        if errors:
            raise InvalidInput(errors=errors)
        saved, new = [], []
        for entry in entries.values():
            values = entry.model_dump(exclude_unset=True, exclude={"version", "confirmed_on"})
            if stored := existing.get(entry.confirmed_on):
                stored.check_version(entry.version or 0)
                saved.append(await self._save(stored, values, "", "dots_confirmation"))
            else:
                new.append(self._confirmation(patient, entry.model_dump(exclude={"version"}, exclude_none=True)))
        new.sort(key=lambda c: c.confirmed_on)
        if new:  # one insert and one audit record for the month, not one per day
            self.session.add_all(new)
            await self.session.flush()
            for confirmation in new:
                await publish(self.session, "dots_confirmation", confirmation, self.principal.user_id, created=True)
            days = f"{new[0].confirmed_on}〜{new[-1].confirmed_on}（{len(new)}日分）"
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.CREATE,
                record_type="dots_confirmation",
                person_id=patient.id,
                detail=days,
            )
        return sorted(saved + new, key=lambda c: c.confirmed_on)

    async def correct_confirmation(self, patient_id: uuid.UUID, record_id: uuid.UUID, data: Change) -> DotsConfirmation:
        """Corrects one day's confirmation."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)  # before the lookup: no 404 tells a stranger it exists
        record = await self.confirmations.get_of_patient(patient_id, record_id)
        values = await self._prepare(record, data, ConfirmationUpdate, ConfirmationUpdate)
        return await self._save(record, values, data.reason, "dots_confirmation")

    async def day_sheet(self, day: date, nurse: str | None) -> tuple[str, list[dict[str, Any]]]:
        """Every patient a nurse confirms on a day, one line each: her plans in force and whom she confirmed."""
        self.principal.require(Area.PATIENTS, Access.READ)
        nurse = nurse or self.principal.username
        intensities = (await self.config())["intensities"]
        lines = []
        for plan, number, name, kana, confirmation, last in await self.plans.active_of_nurse(nurse, day):
            interval = await self.interval_days(plan, intensities)
            due = next_due(plan.starts_on, last, interval, f"支援強度{plan.intensity}")
            lines.append(_line(plan.patient_id, number, name, kana, confirmation, plan, last, due, day))
        planned = [line["patient_id"] for line in lines]
        for confirmation, number, name, kana in await self.confirmations.by_nurse_on(nurse, day, planned):
            lines.append(_line(confirmation.patient_id, number, name, kana, confirmation, None, None, None, day))
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="dots_day_sheet", query=f"{nurse} {day}"
        )
        return nurse, lines

    # ---- reading a patient's records ----

    async def listing(self, repository: DotsRecordRepository[Any], patient_id: uuid.UUID, what: str) -> list[Any]:
        """A patient's records of one kind, newest first (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        rows = await repository.of_patient(patient.id)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type=what, person_id=patient.id
        )
        return rows

    async def confirmations_between(
        self, patient_id: uuid.UUID, first: date | None, last: date | None
    ) -> list[DotsConfirmation]:
        """A patient's confirmations in date order (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        rows = await self.confirmations.between(patient.id, first, last)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="dots_confirmation", person_id=patient.id
        )
        return rows

    async def patient_to_record_for(self, patient_id: uuid.UUID) -> Patient:
        """The patient a record goes to, once the user may record (403) and the patient exists (404)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        return await self.patients.get(patient_id)

    # ---- shared steps ----

    def _confirmation(self, patient: Patient, fields: dict[str, Any]) -> DotsConfirmation:
        at = utcnow()  # set here so a batch needs no read-back of the database's times
        return DotsConfirmation(
            **fields,
            patient_id=patient.id,
            confirmed_by=self.principal.username,
            confirmed_by_name=self.principal.display_name or self.principal.username,
            updated_by=self.principal.user_id,
            created_at=at,
            updated_at=at,
        )

    async def _add_confirmation(self, patient: Patient, fields: dict[str, Any]) -> DotsConfirmation:
        record = await self.confirmations.add(self._confirmation(patient, fields))
        await self._created("dots_confirmation", record)
        return record

    async def _check_plan(self, patient: Patient, fields: dict[str, Any]) -> None:
        if fields.get("dots_type"):  # a DOTSの種類 of masters' コード表 in force on the plan's first day
            day = fields.get("starts_on") or today()
            (await code_book(self.session)).check(day, {"dots_type": ("dots_type", fields["dots_type"])})
        intensities = (await self.config())["intensities"]
        if fields.get("intensity") is not None and fields["intensity"] not in intensities:
            raise InvalidInput(errors={"intensity": f"支援強度は{'・'.join(intensities)}から選んでください。"})
        if fields.get("treatment_id"):
            treatment = await TreatmentRepository(self.session).find(fields["treatment_id"])
            if treatment is None or treatment.patient_id != patient.id:
                raise InvalidInput(errors={"treatment_id": "この患者の治療から選んでください。"})

    async def _prepare(
        self, record: Any, data: Change, update: type[BaseModel], create: type[BaseModel]
    ) -> dict[str, Any]:
        """The user's changes checked: version first (409), then each item, then the record as a whole (422)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        record.check_version(data.version)
        values = _stored(checked(update, data.changes))
        whole = {name: getattr(record, name) for name in create.model_fields if hasattr(record, name)}
        checked(create, {k: v for k, v in (whole | values).items() if v is not None})
        return values

    async def _save(self, record: Any, values: dict[str, Any], reason: str, record_type: str) -> Any:
        columns = type(record).__table__.c
        values = {k: "" if v is None and not columns[k].nullable else v for k, v in values.items()}
        before = {name: to_jsonable_python(getattr(record, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if not changes:
            return record
        await self.edit_history.save_change(
            record,
            assignments=values,
            record_type=record_type,
            person_id=record.patient_id,
            changes=changes,
            reason=reason,
        )
        labels = await self._labels(record)
        await publish(
            self.session,
            record_type,
            record,
            self.principal.user_id,
            created=False,
            changed=list(changes),
            labels=labels,
        )
        await self._audit(Operation.UPDATE, record_type, record)
        return record

    async def _created(self, record_type: str, record: Any) -> None:
        labels = await self._labels(record)
        await publish(self.session, record_type, record, self.principal.user_id, created=True, labels=labels)
        await self._audit(Operation.CREATE, record_type, record)

    async def _labels(self, record: Any) -> dict[str, str]:
        """The labels of a plan's or an assessment's intensity as the settings name it (A（中断リスクが高い…）)."""
        return level_labels(record, (await self.config())["intensities"])

    async def _audit(self, operation: Operation, record_type: str, record: Any) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=record_type,
            record_id=record.id,
            person_id=record.patient_id,
        )


def _errors(exc: ValidationError, prefix: str) -> dict[str, str]:
    """Japanese messages per item, named under a prefix (`items.3.method`)."""
    found = field_errors(RequestValidationError(exc.errors()))
    return {f"{prefix}.{key}" if key != "_" else prefix: message for key, message in found.items()}


def _check_answers(items: list[dict[str, Any]], answers: dict[str, Any]) -> None:
    known = {item["key"] for item in items}
    unknown = {f"answers.{key}": "この項目はアセスメントシートにありません。" for key in answers if key not in known}
    if unknown:
        raise InvalidInput(errors=unknown)


def _calendar_entries(items: list[dict[str, Any]]) -> tuple[dict[int, CalendarEntry], dict[str, str]]:
    """Each date of a calendar checked on its own; errors named `items.<n>.<item>`; a date given twice refused."""
    entries: dict[int, CalendarEntry] = {}
    errors: dict[str, str] = {}
    seen: dict[date, int] = {}
    for index, item in enumerate(items):
        try:
            entry = CalendarEntry.model_validate(item)
        except ValidationError as exc:
            errors |= _errors(exc, f"items.{index}")
            continue
        if entry.confirmed_on in seen:
            errors[f"items.{index}.confirmed_on"] = f"同じ日付が{seen[entry.confirmed_on] + 1}行目にもあります。"
            continue
        seen[entry.confirmed_on] = index
        entries[index] = entry
    return entries, errors


def _line(
    patient_id: uuid.UUID,
    number: str,
    name: str,
    kana: str,
    confirmation: DotsConfirmation | None,
    plan: DotsPlan | None,
    last: date | None,
    due: Any,
    day: date,
) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "registration_no": number,
        "name": name,
        "name_kana": kana,
        "plan_id": plan.id if plan else None,
        "dots_type": plan.dots_type if plan else "",
        "intensity": plan.intensity if plan else "",
        "confirmation": confirmation,
        "last_confirmed_on": last,
        "due_on": due.on if due else None,
        "due_why": due.why if due else "",
        "due_today": bool(due and due.on <= day and confirmation is None),
    }
