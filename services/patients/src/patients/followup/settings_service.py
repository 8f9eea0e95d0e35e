"""The health center's 管理検診 / 行動調査 settings (R06, R08, R33): the schedules' intervals with the TB_PRACTICE §7
defaults and their basis, and the items added to the 行動調査票; kept in the database with their history, the
environment's value being the initial one."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput, VersionConflict

from patients.followup.config import DEFAULT_PROFILES, in_force, infectious_months, initial_values
from patients.followup.models import FollowupSetting
from patients.followup.repository import FollowupSettingRepository
from patients.followup.rules import Profile
from patients.followup.settings_schemas import (
    SETTING_LABELS,
    SETTING_SCHEMAS,
    FollowupSettingChange,
    FollowupSettingRead,
    FollowupSettingsRead,
    ProfileSettingRead,
)
from patients.history.schemas import HistoryEntryRead
from patients.history.service import HistoryService

SERVICE = "patients"
SOURCE = (
    "変更するまでは配備時の環境設定（TBMS_PATIENTS_FOLLOWUP_PROFILES・TBMS_PATIENTS_INVESTIGATION_EXTRA_ITEMS・"
    "TBMS_PATIENTS_INFECTIOUS_LOOKBACK_MONTHS・TBMS_PATIENTS_INFECTIOUS_SMEAR_NEGATIVE_MONTHS）、"
    "それもなければ既定値が使われます。"
)

RESCHEDULE_REASON = "管理検診の間隔の設定変更により予定日を再計算"


class FollowupSettings:
    """Reads the settings in force for the 管理検診 and 行動調査 rules (no access check: the callers have done it)."""

    def __init__(self, session: AsyncSession) -> None:
        self.rows = FollowupSettingRepository(session)

    async def profiles(self) -> dict[str, Profile]:
        """The schedules in force."""
        return in_force(await self.rows.values())[0]

    async def profile(self, key: str) -> Profile:
        """One schedule in force (the standard one for an unknown key)."""
        table = await self.profiles()
        return table.get(key) or table["standard"]

    async def extra_items(self) -> dict[str, str]:
        """The items the health center added to the 行動調査票."""
        return in_force(await self.rows.values())[1]

    async def infectious_months(self) -> dict[str, int]:
        """How many months the infectious period counts back (lookback_months, smear_negative_months)."""
        return infectious_months(await self.rows.values())


class Rescheduler(Protocol):
    """Moves the open exams of the plans on the given schedules to the dates the settings now give."""

    async def follow_schedules(self, keys: set[str], reason: str) -> tuple[int, int]:
        """(plans whose exams changed, exams changed)."""
        ...


class FollowupSettingsService:
    """What administrators do with the 管理検診 / 行動調査 settings."""

    def __init__(self, session: AsyncSession, principal: Principal, rescheduler: Rescheduler | None = None) -> None:
        self.session, self.principal, self.rescheduler = session, principal, rescheduler
        self.rows = FollowupSettingRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def settings(self) -> FollowupSettingsRead:
        """Every setting with its version (0 while the initial value is in use) and the schedules with their basis."""
        self.principal.require(Area.PATIENTS, Access.READ)
        stored = await self.rows.all()
        initial = initial_values()
        values = {key: row.value for key, row in stored.items()}
        table, extra = in_force(values)
        return FollowupSettingsRead(
            items=[
                FollowupSettingRead(
                    key=key,
                    label=label,
                    value=stored[key].value if key in stored else initial[key],
                    initial=key not in stored,
                    version=stored[key].version if key in stored else 0,
                )
                for key, label in SETTING_LABELS.items()
            ],
            profiles=[
                ProfileSettingRead(
                    key=key,
                    label=table[key].label,
                    months=list(table[key].months),
                    period_months=table[key].period_months,
                    basis=table[key].basis,
                    default_months=list(default.months),
                    default_period_months=default.period_months,
                    default_basis=default.basis,
                )
                for key, default in DEFAULT_PROFILES.items()
            ],
            extra_items=extra,
            infectious_period=infectious_months(values),
            source=SOURCE,
        )

    async def change(self, key: str, data: FollowupSettingChange) -> FollowupSettingRead:
        """Replaces a setting (マスタ管理 更新, as the DOTS settings), kept in its history with the reason."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        if key not in SETTING_SCHEMAS:
            raise InvalidInput(errors={"key": "この設定はありません。"})
        value = _validated(key, data.value)
        row = await self.rows.find(key)
        if (row.version if row else 0) != data.version:
            raise VersionConflict()
        before = row.value if row else initial_values()[key]
        schedules_before = in_force(await self.rows.values())[0]
        if row is None:
            row = await self.rows.add(FollowupSetting(key=key, value=value, updated_by=self.principal.user_id))
        else:
            row.value, row.updated_by = value, self.principal.user_id
            await flush_versioned(self.session)
        await self.edit_history.record_change(
            record_type="followup_setting",
            record_id=setting_id(key),
            person_id=setting_id(key),
            version=row.version,
            changes={key: [before, value]},
            reason=data.reason,
        )
        await audit.record(self.session, self.principal, SERVICE, Operation.UPDATE, record_type="followup_setting")
        plans = exams = 0
        if key == "profiles" and self.rescheduler is not None:
            schedules_after = in_force(await self.rows.values())[0]
            changed = {name for name, profile in schedules_after.items() if schedules_before.get(name) != profile}
            if changed:
                why = RESCHEDULE_REASON + (f"：{data.reason.strip()}" if data.reason.strip() else "")
                plans, exams = await self.rescheduler.follow_schedules(changed, why)
        return FollowupSettingRead(
            key=key,
            label=SETTING_LABELS[key],
            value=value,
            initial=False,
            version=row.version,
            rescheduled_plans=plans,
            rescheduled_exams=exams,
        )

    async def history(self) -> list[HistoryEntryRead]:
        """Every change of the settings, newest first."""
        self.principal.require(Area.PATIENTS, Access.READ)
        rows: list[HistoryEntryRead] = []
        for key in SETTING_LABELS:
            rows += await self.edit_history.timeline(setting_id(key))
        return sorted(rows, key=lambda row: row.changed_at, reverse=True)


def setting_id(key: str) -> uuid.UUID:
    """The fixed id a setting's history is kept under (settings belong to no person)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tbms:followup_setting:{key}")


def _validated(key: str, value: Any) -> Any:
    """The value as stored, or the errors by the item to correct (`value.<profile>.months`, `value.items`)."""
    wrapped = {"items": value} if key == "investigation_extra_items" and isinstance(value, dict) else value
    try:
        parsed = SETTING_SCHEMAS[key].model_validate(wrapped)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = error["loc"][1:] if key == "investigation_extra_items" else error["loc"]
            where = ".".join(str(part) for part in ("value", *loc))
            errors.setdefault(where, str(error["msg"]).removeprefix("Value error, "))
        raise InvalidInput(errors=errors) from exc
    dumped = to_jsonable_python(parsed.model_dump())
    return dumped["items"] if key == "investigation_extra_items" else dumped
