"""HTTP API of index cases."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import SessionDep
from tbms_core.errors import NotFound

from contacts.index_case.models import IndexCase

router = APIRouter(prefix="/index-cases", tags=["発端患者"])


class IndexCaseNotFound(NotFound):
    """The patient is not (yet) known to contacts."""

    message = "発端患者の情報が見つかりません。患者登録の直後は数秒お待ちください。"


class IndexCaseRead(BaseModel):
    """An index case as the contacts pages show it."""

    model_config = ConfigDict(from_attributes=True)
    patient_id: uuid.UUID
    version: int
    registration_no: str
    name: str
    name_kana: str
    birth_date: str
    district: str
    status: str


@router.get("/{patient_id}")
async def view_index_case(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> IndexCaseRead:
    """The summary of one index patient (audited as a read)."""
    principal.require(Area.CONTACTS, Access.READ)
    case = await session.get(IndexCase, patient_id)
    if case is None:
        raise IndexCaseNotFound()
    await audit.record(
        session,
        principal,
        "contacts",
        Operation.READ,
        record_type="index_case",
        record_id=patient_id,
        person_id=patient_id,
    )
    return IndexCaseRead.model_validate({**case.__dict__, "birth_date": case.birth_date.isoformat()})
