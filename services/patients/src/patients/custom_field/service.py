"""Defining and changing configurable fields (R33), and checking the values records carry for them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import Changes, diff
from tbms_core.clock import today

from patients.custom_field import values as custom_values
from patients.custom_field.errors import ChoicesDoNotFitType, FieldKeyTaken, PeriodReversed
from patients.custom_field.labels import RECORD_TYPE, choices_text
from patients.custom_field.models import FieldDefinition
from patients.custom_field.repository import FieldDefinitionRepository
from patients.custom_field.schemas import (
    WITH_CHOICES,
    FieldDefinitionChange,
    FieldDefinitionCreate,
    FieldDefinitionDeactivation,
    FieldDefinitionFilter,
    FieldDefinitionUpdate,
)
from patients.history.schemas import HistoryEntryRead
from patients.history.service import HistoryService

SERVICE = "patients"
NULLABLE = frozenset({"active_from", "active_to"})
HISTORY_FIELDS = ("label", "choices", "required", "help_text", "sort_order", "active_from", "active_to")


async def checked_values(
    session: AsyncSession, target: str, values: Mapping[str, Any], *, existing: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A record's configurable values after applying `values`, checked against today's definitions."""
    definitions = await FieldDefinitionRepository(session).of_target(target)
    return custom_values.validate(definitions, values, on=today(), existing=existing or {})


def _history_view(values: Mapping[str, Any]) -> dict[str, Any]:
    """A definition's changeable parts as the history keeps them (choices as one readable line)."""
    view = {name: values[name] for name in HISTORY_FIELDS if name in values}
    if "choices" in view:
        view["choices"] = choices_text(view["choices"])
    return to_jsonable_python(view)


class FieldDefinitionService:
    """What administrators do with configurable fields: add, change, stop using; what forms read."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.definitions = FieldDefinitionRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def define(self, data: FieldDefinitionCreate) -> FieldDefinition:
        """Adds a field to a kind of record; audited and kept in the definition's history."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        if await self.definitions.key_taken(data.target, data.key):
            raise FieldKeyTaken()
        fields = data.model_dump(mode="json")
        fields["active_from"], fields["active_to"] = data.active_from, data.active_to
        try:
            definition = await self.definitions.add(FieldDefinition(**fields, updated_by=self.principal.user_id))
        except IntegrityError as exc:  # somebody added the same key at the same moment
            raise FieldKeyTaken() from exc
        changes = {name: [None, value] for name, value in _history_view(fields).items()}
        await self._keep(definition, changes, reason=None)
        await self._audit(Operation.CREATE, definition)
        return definition

    async def change(self, definition_id: uuid.UUID, data: FieldDefinitionChange) -> FieldDefinition:
        """Saves a change if nobody saved since the administrator's version (409 otherwise)."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        definition = await self.definitions.get(definition_id)
        definition.check_version(data.version)
        return await self._apply(definition, data.changes, reason=data.reason)

    async def deactivate(self, definition_id: uuid.UUID, data: FieldDefinitionDeactivation) -> FieldDefinition:
        """Stops using a field from a day on: forms hide it, stored values stay."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        definition = await self.definitions.get(definition_id)
        definition.check_version(data.version)
        last_day = (data.on or today()) - timedelta(days=1)
        if definition.active_to is not None and definition.active_to <= last_day:
            return definition  # already out of use by then
        update = FieldDefinitionUpdate.model_construct(active_to=last_day)
        return await self._apply(definition, update, reason=data.reason or "使用停止", check_period=False)

    async def listing(self, criteria: FieldDefinitionFilter) -> list[FieldDefinition]:
        """Definitions in form order; only those in use on `active_on` when given (what a form shows)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        return await self.definitions.of_target(criteria.target, active_on=criteria.active_on)

    async def view(self, definition_id: uuid.UUID) -> FieldDefinition:
        """One definition."""
        self.principal.require(Area.PATIENTS, Access.READ)
        return await self.definitions.get(definition_id)

    async def history(self, definition_id: uuid.UUID) -> list[HistoryEntryRead]:
        """Who added and changed the definition, what and why, newest first."""
        self.principal.require(Area.MASTERS, Access.READ)
        definition = await self.definitions.get(definition_id)
        return await self.edit_history.timeline(definition.id)

    async def _apply(
        self,
        definition: FieldDefinition,
        update: FieldDefinitionUpdate,
        *,
        reason: str | None,
        check_period: bool = True,
    ) -> FieldDefinition:
        values = update.model_dump(exclude_unset=True)
        values = {name: value for name, value in values.items() if value is not None or name in NULLABLE}
        self._check_choices(definition, values.get("choices"))
        start, end = values.get("active_from", definition.active_from), values.get("active_to", definition.active_to)
        period_set = check_period and bool(NULLABLE & values.keys())  # stopping a field before its start is fine
        if period_set and start and end and end < start:
            raise PeriodReversed()
        before = _history_view({name: getattr(definition, name) for name in HISTORY_FIELDS})
        changes = diff(before, {**before, **_history_view(values)})
        if not changes:
            return definition
        await self.edit_history.save_change(
            definition,
            assignments=values,
            record_type=RECORD_TYPE,
            person_id=definition.id,  # a definition is nobody's record: its history is kept under its own id
            changes=changes,
            reason=reason,
        )
        await self._audit(Operation.UPDATE, definition)
        return definition

    def _check_choices(self, definition: FieldDefinition, choices: list[dict[str, Any]] | None) -> None:
        if choices is None:
            return
        if definition.type in WITH_CHOICES and not choices:
            raise ChoicesDoNotFitType("選択肢を1つ以上入力してください。")
        if definition.type not in WITH_CHOICES and choices:
            raise ChoicesDoNotFitType("選択肢は選択形式の項目にだけ設定できます。")

    async def _keep(self, definition: FieldDefinition, changes: Changes, *, reason: str | None) -> None:
        await self.edit_history.record_change(
            record_type=RECORD_TYPE,
            record_id=definition.id,
            person_id=definition.id,
            version=definition.version,
            changes=changes,
            reason=reason,
        )

    async def _audit(self, operation: Operation, definition: FieldDefinition) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=RECORD_TYPE,
            record_id=definition.id,
            detail=f"{definition.target}.{definition.key}",
        )
