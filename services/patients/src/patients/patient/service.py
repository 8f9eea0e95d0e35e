"""Patient registration and reading, with access checks, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.events import Envelope

from patients.history import service as history
from patients.history.schemas import HistoryEntryRead
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository
from patients.patient.schemas import PatientChange, PatientCreate, PatientUpdate
from patients.settings import get_settings

SERVICE = "patients"


def snapshot(patient: Patient) -> PatientSnapshot:
    """The event-carried state of a patient."""
    return PatientSnapshot(
        id=str(patient.id),
        version=patient.version,
        registration_no=patient.registration_no,
        registered_on=patient.registered_on,
        category=patient.category,
        name=patient.name,
        name_kana=patient.name_kana,
        sex=patient.sex,
        birth_date=patient.birth_date,
        postal_code=patient.postal_code,
        address=patient.address,
        phone=patient.phone,
        status=patient.status,
        district=patient.district,
        nurse=patient.nurse,
        excluded_on=patient.excluded_on,
        updated_at=patient.updated_at,
    )


def _editable(patient: Patient) -> dict[str, Any]:
    """The correctable fields of a patient as JSON values."""
    return {name: to_jsonable_python(getattr(patient, name)) for name in PatientUpdate.model_fields}


class PatientService:
    """What staff do with patients: register them and look them up."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)

    async def register(self, data: PatientCreate) -> Patient:
        """Registers a patient with a new 登録番号 and records PatientRegistered in the outbox."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        registered_on = data.registered_on or date.today()
        seq = await self.patients.next_sequence(registered_on.year)
        number = get_settings().registration_no_format.format(year=registered_on.year, seq=seq)
        fields = data.model_dump(exclude={"registered_on"})
        patient = Patient(
            **fields, registered_on=registered_on, registration_no=number, updated_by=self.principal.user_id
        )
        await self.patients.add(patient)
        await self.session.refresh(patient)
        event = PatientRegistered(patient=snapshot(patient))
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=patient.id, version=patient.version, actor=self.principal.user_id),
        )
        await self._audit(Operation.CREATE, patient)
        return patient

    async def view(self, patient_id: uuid.UUID) -> Patient:
        """Opens one patient's record (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await self._audit(Operation.READ, patient)
        return patient

    async def correct(self, patient_id: uuid.UUID, data: PatientChange) -> Patient:
        """Saves a correction (修正) if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        patient.check_version(data.version)
        values = data.changes.model_dump(exclude_unset=True, exclude_none=True)
        changes = history.diff(_editable(patient), to_jsonable_python({**_editable(patient), **values}))
        if not changes:
            return patient
        await history.save_change(
            self.session,
            self.principal,
            patient,
            assignments={name: values[name] for name in changes},
            record_type="patient",
            person_id=patient.id,
            changes=changes,
            reason=data.reason,
        )
        event = PatientUpdated(patient=snapshot(patient), changed_fields=list(changes))
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=patient.id, version=patient.version, actor=self.principal.user_id),
        )
        await self._audit(Operation.UPDATE, patient)
        return patient

    async def history(self, patient_id: uuid.UUID) -> list[HistoryEntryRead]:
        """The patient's edit history, newest first (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="patient_history",
            record_id=patient.id,
            person_id=patient.id,
        )
        return await history.timeline(self.session, patient.id)

    async def page(self, *, limit: int, offset: int) -> tuple[list[Patient], int]:
        """A page of patients for lists and for rebuilding other services' read models."""
        self.principal.require(Area.PATIENTS, Access.READ)
        return await self.patients.page(limit=limit, offset=offset)

    async def _audit(self, operation: Operation, patient: Patient) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="patient",
            record_id=patient.id,
            person_id=patient.id,
        )
