"""Every query of the configurable-field module; never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from tbms_core.repository import Repository

from patients.custom_field.errors import FieldDefinitionNotFound
from patients.custom_field.models import FieldDefinition


class FieldDefinitionRepository(Repository[FieldDefinition]):
    """Reads and writes field definitions in the caller's unit of work."""

    model = FieldDefinition
    not_found = FieldDefinitionNotFound

    async def add(self, definition: FieldDefinition) -> FieldDefinition:
        """Stores a new definition and reads back what the database set (its times)."""
        await super().add(definition)
        await self.session.refresh(definition)
        return definition

    async def key_taken(self, target: str, key: str) -> bool:
        """True when the record kind already has a field with that key."""
        found = await self.session.scalar(
            select(FieldDefinition.id).where(FieldDefinition.target == target, FieldDefinition.key == key)
        )
        return found is not None

    async def of_target(self, target: str | None = None, *, active_on: date | None = None) -> list[FieldDefinition]:
        """Definitions in form order, of one record kind and in use on a day when given."""
        query = select(FieldDefinition)
        if target is not None:
            query = query.where(FieldDefinition.target == target)
        if active_on is not None:
            query = query.where(
                or_(FieldDefinition.active_from.is_(None), FieldDefinition.active_from <= active_on),
                or_(FieldDefinition.active_to.is_(None), FieldDefinition.active_to >= active_on),
            )
        rows = await self.session.scalars(
            query.order_by(FieldDefinition.target, FieldDefinition.sort_order, FieldDefinition.label)
        )
        return list(rows)
