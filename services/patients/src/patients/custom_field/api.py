"""HTTP API of configurable fields (項目定義): administrators define them, forms read them."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, status
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.custom_field.schemas import (
    FieldDefinitionChange,
    FieldDefinitionCreate,
    FieldDefinitionDeactivation,
    FieldDefinitionPage,
    FieldDefinitionRead,
    Target,
)
from patients.custom_field.service import FieldDefinitionService
from patients.history.schemas import HistoryRead

router = APIRouter(prefix="/custom-fields", tags=["項目定義"])


@router.get("")
async def list_custom_fields(
    session: SessionDep,
    principal: PrincipalDep,
    target: Target | None = None,
    active_on: date | None = Query(None, description="only fields in use on this day, as a form shows them"),
) -> FieldDefinitionPage:
    """Field definitions in form order."""
    items = await FieldDefinitionService(session, principal).listing(target, active_on=active_on)
    return FieldDefinitionPage(items=[FieldDefinitionRead.model_validate(d) for d in items])


@router.post("", status_code=status.HTTP_201_CREATED)
async def define_custom_field(
    data: FieldDefinitionCreate, session: SessionDep, principal: PrincipalDep
) -> FieldDefinitionRead:
    """Adds a field to patient, test-result or treatment records."""
    return FieldDefinitionRead.model_validate(await FieldDefinitionService(session, principal).define(data))


@router.get("/{definition_id}")
async def view_custom_field(
    definition_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> FieldDefinitionRead:
    """One field definition."""
    return FieldDefinitionRead.model_validate(await FieldDefinitionService(session, principal).view(definition_id))


@router.patch("/{definition_id}")
async def change_custom_field(
    definition_id: uuid.UUID, data: FieldDefinitionChange, session: SessionDep, principal: PrincipalDep
) -> FieldDefinitionRead:
    """Changes a definition; 409 when somebody saved first."""
    definition = await FieldDefinitionService(session, principal).change(definition_id, data)
    return FieldDefinitionRead.model_validate(definition)


@router.post("/{definition_id}/deactivate")
async def deactivate_custom_field(
    definition_id: uuid.UUID, data: FieldDefinitionDeactivation, session: SessionDep, principal: PrincipalDep
) -> FieldDefinitionRead:
    """Stops using a field from a day on (default today); stored values are kept."""
    definition = await FieldDefinitionService(session, principal).deactivate(definition_id, data)
    return FieldDefinitionRead.model_validate(definition)


@router.get("/{definition_id}/history")
async def custom_field_history(definition_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> HistoryRead:
    """The definition's change history, newest first."""
    return HistoryRead(items=await FieldDefinitionService(session, principal).history(definition_id))
