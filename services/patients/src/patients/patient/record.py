"""The whole record of one patient in one read: what the patient page shows (R30, R21).

One access check, one transaction and one audit event for the page, where reading the parts one by one cost
six of each. The 総合患者分類 is derived from the results and treatments already read, and the open alerts
from the same data.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today

from patients.care.kinds import KINDS
from patients.care.models import Treatment
from patients.care.schemas import CareRecordRead
from patients.care.service import read_model
from patients.history import service as history
from patients.history.schemas import HistoryEntryRead
from patients.lab_result.repository import LabResultRepository
from patients.lab_result.schemas import LabResultRead
from patients.patient.alerts import open_alerts
from patients.patient.repository import PatientRepository
from patients.patient.schemas import PatientRead
from patients.patient.service import SERVICE, current_code_of, with_derived


class AlertRead(BaseModel):
    """An open alert of the patient header: something staff should act on, and the section to do it in."""

    code: str
    level: str
    message: str
    section: str


class PatientRecord(BaseModel):
    """A patient with the edit history, the test results, every kind of care record and the open alerts."""

    patient: PatientRead
    history: list[HistoryEntryRead]
    lab_results: list[LabResultRead]
    care: dict[str, list[CareRecordRead]]  # by URL segment: treatments, hospitalisations, …
    alerts: list[AlertRead]


async def patient_record(session: AsyncSession, principal: Principal, patient_id: uuid.UUID) -> PatientRecord:
    """Reads everything about one patient (audited as one read of the record)."""
    principal.require(Area.PATIENTS, Access.READ)
    patient = await PatientRepository(session).get(patient_id)
    results = await LabResultRepository(session).of_patient(patient.id)
    care: dict[str, list[CareRecordRead]] = {}
    treatments: list[Treatment] = []
    for kind in KINDS:
        model = kind.model
        rows = list(
            await session.scalars(
                select(model)
                .where(model.patient_id == patient.id)
                .order_by(getattr(model, kind.order_by).desc(), model.created_at.desc())
            )
        )
        if model is Treatment:
            treatments = rows
        care[kind.path] = [read_model(kind, row) for row in rows]
    code = current_code_of(patient, [(r.kind, r.specimen, r.details) for r in results], treatments)
    shown = with_derived(patient, code)
    lab_results = [LabResultRead.model_validate(r) for r in results]
    alerts = open_alerts(
        shown.model_dump(mode="json"),
        [r.model_dump(mode="json") for r in lab_results],
        {path: [r.model_dump(mode="json") for r in records] for path, records in care.items()},
        today(),
    )
    await audit.record(
        session,
        principal,
        SERVICE,
        Operation.READ,
        record_type="patient_record",
        record_id=patient.id,
        person_id=patient.id,
    )
    return PatientRecord(
        patient=shown,
        history=await history.timeline(session, patient.id),
        lab_results=lab_results,
        care=care,
        alerts=[AlertRead(**asdict(alert)) for alert in alerts],
    )
