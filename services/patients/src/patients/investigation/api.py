"""HTTP API of the 行動調査 (積極的疫学調査): the interview, the infectious period, the delays and the contact
candidates (to be registered as contacts in the contacts service)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from patients.deps import InvestigationServiceDep
from patients.investigation.schemas import CandidateRead, InvestigationRead, InvestigationSave

router = APIRouter(tags=["行動調査"])
PATIENT = "/patients/{patient_id}/investigation"


async def may_record(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> None:
    """Refuses (403) or misses the patient (404) before the body is validated."""
    await investigations.patient_to_record_for(patient_id)


@router.get(PATIENT)
async def view_investigation(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> InvestigationRead:
    """The investigation with the computed infectious period (and its rule), the delays and the candidates."""
    return await investigations.view(patient_id)


@router.put(PATIENT, dependencies=[Depends(may_record)])
async def save_investigation(
    patient_id: uuid.UUID, data: InvestigationSave, investigations: InvestigationServiceDep
) -> InvestigationRead:
    """Records or corrects the investigation (the version the user saw; 409 when somebody saved first)."""
    return await investigations.save(patient_id, data)


@router.get(f"{PATIENT}/candidates")
async def contact_candidates(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> list[CandidateRead]:
    """The contact candidates from the interview with their exposure inside the infectious period."""
    return (await investigations.view(patient_id)).candidates
