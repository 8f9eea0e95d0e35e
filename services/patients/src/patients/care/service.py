"""Recording and correcting care records, with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from tbms_contracts.audit import Operation
from tbms_contracts.patients import CareRecordSaved
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.errors import InvalidInput, field_errors
from tbms_core.events import Envelope

from patients.care.kinds import TRANSFER, CareKind
from patients.care.models import TransferSending
from patients.care.repository import sending_of, sendings_of
from patients.care.schemas import CareChange, CareRecordRead, SendingChange, TransferSend
from patients.care.sendings import sending_text, with_sendings
from patients.code_list.service import code_book
from patients.custom_field.service import checked_values
from patients.followup.service import FollowupService
from patients.history.service import HistoryService
from patients.investigation.service import InvestigationService
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository
from patients.patient_list.repository import PatientListRepository

SERVICE = "patients"
# the items of a 転出 sending a correction may change
SENDING_ITEMS = tuple(name for name in TransferSend.model_fields if name != "version")
# the 行動調査's infectious period ends at the first start of treatment or admission (investigation/rules.py)
ENDS_INFECTIOUS_PERIOD = {"treatment": "started_on", "hospitalisation": "admitted_on"}


def iso_day(value: Any) -> date | None:
    """A date kept as JSON (ISO), or None."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def checked(schema: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The values validated by a schema, or InvalidInput with a Japanese message per field."""
    try:
        model = schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(errors=field_errors(RequestValidationError(exc.errors()))) from exc
    return model.model_dump(exclude_unset=True)


class CareService:
    """What staff do with a kind of care record of a patient: record, correct, list."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def patient_to_record_for(self, patient_id: uuid.UUID) -> Patient:
        """The patient a new record goes to, once the user may record (403) and the patient exists (404)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        return await self.patients.get(patient_id)

    async def record(self, kind: CareKind, patient_id: uuid.UUID, data: BaseModel) -> CareRecordRead:
        """Records a new entry of the kind and publishes CareRecordSaved."""
        patient = await self.patient_to_record_for(patient_id)
        fields = data.model_dump(exclude_unset=True)
        if kind.name == "treatment":
            await self._check_regimen(fields.get("regimen"), fields.get("started_on"))
        if "custom" in kind.editable:
            fields["custom"] = await checked_values(self.session, kind.name, fields.get("custom") or {})
        if kind.name == "progress_note":
            fields |= {"author": self.principal.user_id, "author_name": self._name()}
        record = await kind.repository(self.session).add(
            kind.model(**fields, patient_id=patient.id, updated_by=self.principal.user_id)
        )
        await self._publish(kind, record, created=True, changed=[])
        await self._audit(kind, Operation.CREATE, record)
        if kind.name == "treatment":
            await FollowupService(self.session, self.principal).follow_treatment_end(patient.id, None, record.ended_on)
        if kind.name in ENDS_INFECTIOUS_PERIOD:
            await InvestigationService(self.session, self.principal).follow_care_records(patient.id)
        return kind.read(record)

    async def correct(
        self, kind: CareKind, patient_id: uuid.UUID, record_id: uuid.UUID, data: CareChange
    ) -> CareRecordRead:
        """Saves a correction if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        record = await kind.repository(self.session).get_of_patient(patient_id, record_id)
        record.check_version(data.version)
        values = checked(kind.update, data.changes)
        if values.get("custom") is not None:  # only the keys given change; null or "" clears one
            values["custom"] = await checked_values(self.session, kind.name, values["custom"], existing=record.custom)
        before = {name: to_jsonable_python(getattr(record, name)) for name in kind.editable}
        after = {**before, **to_jsonable_python(values)}
        whole = {k: v for k, v in after.items() if v is not None and k != "custom"}
        checked(kind.create, whole)  # the record as a whole stays consistent
        changes = diff(before, after)
        if not changes:
            return kind.read(record)
        if kind.name == "treatment" and "regimen" in changes:  # a regimen kept as it was stays
            await self._check_regimen(after.get("regimen"), iso_day(after.get("started_on")))
        await self.edit_history.save_change(
            record,
            assignments={name: values[name] for name in {change.split(".")[0] for change in changes}},
            record_type=kind.name,
            person_id=record.patient_id,
            changes=changes,
            reason=data.reason,
        )
        await self._publish(kind, record, created=False, changed=list(changes))
        await self._audit(kind, Operation.UPDATE, record)
        if kind.name == "treatment" and "ended_on" in changes:
            followup = FollowupService(self.session, self.principal)
            await followup.follow_treatment_end(record.patient_id, iso_day(before.get("ended_on")), record.ended_on)
        if ENDS_INFECTIOUS_PERIOD.get(kind.name) in changes:
            await InvestigationService(self.session, self.principal).follow_care_records(record.patient_id)
        return kind.read(record)

    async def listing(self, kind: CareKind, patient_id: uuid.UUID) -> list[CareRecordRead]:
        """The patient's records of the kind, newest first (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        rows = await kind.repository(self.session).of_patient(patient.id)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type=kind.name, person_id=patient.id
        )
        if kind is not TRANSFER:
            return [kind.read(row) for row in rows]
        sent = await sendings_of(self.session, [row.id for row in rows])
        return [with_sendings(row, sent.get(row.id, [])) for row in rows]

    async def send_transfer(self, patient_id: uuid.UUID, record_id: uuid.UUID, data: TransferSend) -> CareRecordRead:
        """Records a sending of a 転出 patient's documents to the new health centre (施行規則27条の8) on the transfer,
        if nobody saved the transfer since the user's version; sending the 登録票 fills its 送付日 when still empty,
        in the same transaction. The sending is kept for good (never deleted) and named in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        transfer = await TRANSFER.repository(self.session).get_of_patient(patient_id, record_id)
        transfer.check_version(data.version)
        if transfer.direction != "out":
            raise InvalidInput(errors={"direction": "転出先への送付は転出の記録にだけ記録できます。"})
        sending = TransferSending(
            transfer_id=transfer.id,
            patient_id=transfer.patient_id,
            documents=data.documents,
            other_documents=data.other_documents,
            recipient=data.recipient or transfer.counterpart or "転出先の保健所",
            method=data.method,
            sent_on=data.sent_on,
            package_id=data.package_id,
            package_sha256=data.package_sha256,
            key_channel=data.key_channel,
            key_sent_on=data.key_sent_on,
            note=data.note,
            sent_by=self.principal.user_id,
            sent_by_name=self._name(),
        )
        self.session.add(sending)
        assignments: dict[str, Any] = {}
        changes: dict[str, Any] = {"sending": [None, sending_text(sending)]}
        if "registration_card" in data.documents and transfer.card_sent_on is None:
            assignments["card_sent_on"] = data.sent_on
            changes["card_sent_on"] = [None, data.sent_on.isoformat()]
        flag_modified(transfer, "updated_by")  # a sending changes the transfer: its version moves on even so
        await self.edit_history.save_change(
            transfer,
            assignments=assignments,
            record_type=TRANSFER.name,
            person_id=transfer.patient_id,
            changes=changes,
            reason="転出先への送付",
        )
        await self._publish(TRANSFER, transfer, created=False, changed=list(changes))
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.CREATE,
            record_type="transfer_sending",
            record_id=sending.id,
            person_id=transfer.patient_id,
        )
        sent = await sendings_of(self.session, [transfer.id])
        return with_sendings(transfer, sent.get(transfer.id, []))

    async def correct_sending(
        self, patient_id: uuid.UUID, record_id: uuid.UUID, sending_id: uuid.UUID, data: SendingChange
    ) -> CareRecordRead:
        """Corrects a wrong sending with a reason, if nobody saved the transfer since the user's version; the old and
        new sending stay in the history. A 登録票 added by the correction fills the 送付日 when still empty."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        transfer = await TRANSFER.repository(self.session).get_of_patient(patient_id, record_id)
        transfer.check_version(data.version)
        sending = await sending_of(self.session, transfer.id, sending_id)
        before = {name: to_jsonable_python(getattr(sending, name)) for name in SENDING_ITEMS}
        values = checked(TransferSend, {**before, **data.changes, "version": data.version})
        values["recipient"] = values.get("recipient") or sending.recipient
        old_text = sending_text(sending)
        if not diff(before, {**before, **to_jsonable_python({k: values[k] for k in SENDING_ITEMS})}):
            return with_sendings(transfer, (await sendings_of(self.session, [transfer.id])).get(transfer.id, []))
        for name in SENDING_ITEMS:
            setattr(sending, name, values[name])
        changes: dict[str, Any] = {"sending": [old_text, sending_text(sending)]}
        assignments: dict[str, Any] = {}
        if "registration_card" in sending.documents and transfer.card_sent_on is None:
            assignments["card_sent_on"] = sending.sent_on
            changes["card_sent_on"] = [None, sending.sent_on.isoformat()]
        flag_modified(transfer, "updated_by")
        await self.edit_history.save_change(
            transfer,
            assignments=assignments,
            record_type=TRANSFER.name,
            person_id=transfer.patient_id,
            changes=changes,
            reason=data.reason,
        )
        await self._publish(TRANSFER, transfer, created=False, changed=list(changes))
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="transfer_sending",
            record_id=sending.id,
            person_id=transfer.patient_id,
        )
        return with_sendings(transfer, (await sendings_of(self.session, [transfer.id])).get(transfer.id, []))

    async def _check_regimen(self, regimen: str | None, started_on: date | None) -> None:
        """Refuses a regimen the コード表 does not hold on the day the treatment started."""
        if regimen and started_on:
            (await code_book(self.session)).check(started_on, {"regimen": ("regimen", regimen)})

    def _name(self) -> str:
        return self.principal.display_name or self.principal.username

    async def _publish(self, kind: CareKind, record: Any, *, created: bool, changed: list[str]) -> None:
        event = CareRecordSaved(care_record=kind.snapshot(record), created=created, changed_fields=changed)
        envelope = Envelope.of(event, aggregate_id=record.id, version=record.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)
        await PatientListRepository(self.session).mark_stale(record.patient_id)

    async def _audit(self, kind: CareKind, operation: Operation, record: Any) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=kind.name,
            record_id=record.id,
            person_id=record.patient_id,
        )
