"""Recording and correcting care records, with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import CareRecordSaved, CareRecordSnapshot
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.errors import InvalidInput, field_errors
from tbms_core.events import Envelope

from patients.care.errors import CareRecordNotFound
from patients.care.kinds import CareKind
from patients.care.schemas import CareChange, CareRecordRead
from patients.custom_field.service import checked_values
from patients.history import service as history
from patients.patient.repository import PatientRepository

SERVICE = "patients"


def checked(schema: type, values: dict[str, Any]) -> dict[str, Any]:
    """The values validated by a schema, or InvalidInput with a Japanese message per field."""
    try:
        model = schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(errors=field_errors(RequestValidationError(exc.errors()))) from exc
    return model.model_dump(exclude_unset=True)


def data_of(kind: CareKind, record: Any) -> dict[str, Any]:
    """A record's items as JSON values."""
    names = (*kind.editable, "author", "author_name") if kind.name == "progress_note" else kind.editable
    return {name: to_jsonable_python(getattr(record, name)) for name in names}


def read_model(kind: CareKind, record: Any) -> CareRecordRead:
    """A record as the API shows it."""
    data = data_of(kind, record)
    return CareRecordRead(
        id=record.id,
        patient_id=record.patient_id,
        version=record.version,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
        data=data,
        labels=kind.labels(data),
    )


class CareService:
    """What staff do with one kind of care record of a patient: record, correct, list."""

    def __init__(self, session: AsyncSession, principal: Principal, kind: CareKind) -> None:
        self.session, self.principal, self.kind = session, principal, kind
        self.patients = PatientRepository(session)

    async def record(self, patient_id: uuid.UUID, values: dict[str, Any]) -> Any:
        """Records a new entry and publishes CareRecordSaved."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        fields = checked(self.kind.create, values)
        if "custom" in self.kind.editable:
            fields["custom"] = await checked_values(self.session, self.kind.name, fields.get("custom") or {})
        if self.kind.name == "progress_note":
            fields |= {"author": self.principal.user_id, "author_name": self._name()}
        record = self.kind.model(**fields, patient_id=patient.id, updated_by=self.principal.user_id)
        self.session.add(record)
        await self.session.flush()
        await self.session.refresh(record)
        await self._publish(record, created=True, changed=[])
        await self._audit(Operation.CREATE, record)
        return record

    async def correct(self, patient_id: uuid.UUID, record_id: uuid.UUID, data: CareChange) -> Any:
        """Saves a correction if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        record = await self._get(patient_id, record_id)
        record.check_version(data.version)
        values = checked(self.kind.fields, data.changes)
        if values.get("custom") is not None:  # only the keys given change; null or "" clears one
            values["custom"] = await checked_values(
                self.session, self.kind.name, values["custom"], existing=record.custom
            )
        before = {name: to_jsonable_python(getattr(record, name)) for name in self.kind.editable}
        after = {**before, **to_jsonable_python(values)}
        whole = {k: v for k, v in after.items() if v is not None and k != "custom"}
        checked(self.kind.create, whole)  # the record as a whole stays consistent
        changes = history.diff(before, after)
        if not changes:
            return record
        await history.save_change(
            self.session,
            self.principal,
            record,
            assignments={name: values[name] for name in {change.split(".")[0] for change in changes}},
            record_type=self.kind.name,
            person_id=record.patient_id,
            changes=changes,
            reason=data.reason,
        )
        await self._publish(record, created=False, changed=list(changes))
        await self._audit(Operation.UPDATE, record)
        return record

    async def list(self, patient_id: uuid.UUID) -> list[Any]:
        """The patient's records of this kind, newest first (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        model = self.kind.model
        rows = await self.session.scalars(
            select(model)
            .where(model.patient_id == patient.id)
            .order_by(getattr(model, self.kind.order_by).desc(), model.created_at.desc())
        )
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type=self.kind.name, person_id=patient.id
        )
        return list(rows)

    async def _get(self, patient_id: uuid.UUID, record_id: uuid.UUID) -> Any:
        record = await self.session.get(self.kind.model, record_id)
        if record is None or record.patient_id != patient_id:
            raise CareRecordNotFound()
        return record

    def _name(self) -> str:
        return self.principal.display_name or self.principal.username

    async def _publish(self, record: Any, *, created: bool, changed: list[str]) -> None:
        data = data_of(self.kind, record)
        snapshot = CareRecordSnapshot(
            id=str(record.id),
            patient_id=str(record.patient_id),
            version=record.version,
            kind=self.kind.name,
            data=data,
            labels=self.kind.labels(data),
        )
        event = CareRecordSaved(care_record=snapshot, created=created, changed_fields=changed)
        envelope = Envelope.of(event, aggregate_id=record.id, version=record.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def _audit(self, operation: Operation, record: Any) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=self.kind.name,
            record_id=record.id,
            person_id=record.patient_id,
        )
