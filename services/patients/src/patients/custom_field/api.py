"""HTTP API of configurable fields (項目定義): administrators define them, forms read them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from patients.custom_field.schemas import (
    FieldDefinitionChange,
    FieldDefinitionCreate,
    FieldDefinitionDeactivation,
    FieldDefinitionFilter,
    FieldDefinitionPage,
    FieldDefinitionRead,
)
from patients.deps import FieldDefinitionServiceDep
from patients.history.schemas import HistoryRead

router = APIRouter(prefix="/custom-fields", tags=["項目定義"])


@router.get("")
async def list_custom_fields(
    criteria: Annotated[FieldDefinitionFilter, Query()], fields: FieldDefinitionServiceDep
) -> FieldDefinitionPage:
    """Field definitions in form order."""
    items = await fields.listing(criteria)
    return FieldDefinitionPage(items=[FieldDefinitionRead.model_validate(d) for d in items])


@router.post("", status_code=status.HTTP_201_CREATED)
async def define_custom_field(data: FieldDefinitionCreate, fields: FieldDefinitionServiceDep) -> FieldDefinitionRead:
    """Adds a field to patient, test-result or treatment records."""
    return FieldDefinitionRead.model_validate(await fields.define(data))


@router.get("/{definition_id}")
async def view_custom_field(definition_id: uuid.UUID, fields: FieldDefinitionServiceDep) -> FieldDefinitionRead:
    """One field definition."""
    return FieldDefinitionRead.model_validate(await fields.view(definition_id))


@router.patch("/{definition_id}")
async def change_custom_field(
    definition_id: uuid.UUID, data: FieldDefinitionChange, fields: FieldDefinitionServiceDep
) -> FieldDefinitionRead:
    """Changes a definition; 409 when somebody saved first."""
    return FieldDefinitionRead.model_validate(await fields.change(definition_id, data))


@router.post("/{definition_id}/deactivate")
async def deactivate_custom_field(
    definition_id: uuid.UUID, data: FieldDefinitionDeactivation, fields: FieldDefinitionServiceDep
) -> FieldDefinitionRead:
    """Stops using a field from a day on (default today); stored values are kept."""
    return FieldDefinitionRead.model_validate(await fields.deactivate(definition_id, data))


@router.get("/{definition_id}/history")
async def custom_field_history(definition_id: uuid.UUID, fields: FieldDefinitionServiceDep) -> HistoryRead:
    """The definition's change history, newest first."""
    return HistoryRead(items=await fields.history(definition_id))
