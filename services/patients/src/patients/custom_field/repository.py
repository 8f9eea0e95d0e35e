"""Every query of the configurable-field module; never commits."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from patients.custom_field.errors import FieldDefinitionNotFound
from patients.custom_field.models import FieldDefinition


class FieldDefinitionRepository:
    """Reads and writes field definitions in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, definition: FieldDefinition) -> FieldDefinition:
        """Stores a new definition."""
        self.session.add(definition)
        await self.session.flush()
        await self.session.refresh(definition)
        return definition

    async def get(self, definition_id: uuid.UUID) -> FieldDefinition:
        """The definition, or FieldDefinitionNotFound."""
        definition = await self.session.get(FieldDefinition, definition_id)
        if definition is None:
            raise FieldDefinitionNotFound()
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
