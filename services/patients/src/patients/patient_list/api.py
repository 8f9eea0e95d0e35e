"""HTTP API of the patient list (患者一覧) and the 担当保健師 list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from tbms_core.web import MAX_OFFSET

from patients.deps import PatientListServiceDep
from patients.patient_list.schemas import NurseLoadPage, PatientListFilter, PatientListPage

router = APIRouter(prefix="/patients", tags=["患者"])


@router.get("")
async def list_patients(
    listing: PatientListServiceDep,
    query: Annotated[PatientListFilter, Query()],
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    fresh: bool = Query(False, description="judge the page's stale 注意事項 again (a page a person reads)"),
) -> PatientListPage:
    """Patients sorted and filtered as asked (newest registration first by default), with 注意事項 and 次回予定."""
    items, total = await listing.page(query, limit=limit, offset=offset, fresh=fresh)
    return PatientListPage(items=items, total=total)


@router.get("/nurses")
async def nurse_loads(listing: PatientListServiceDep) -> NurseLoadPage:
    """Every 担当保健師 named on a patient, with how many patients (registered, with 注意事項) they carry."""
    return NurseLoadPage(items=await listing.nurse_loads())
