"""Patient registration, correction and reading, with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated, VersionPage
from tbms_core import audit, outbox, read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import Changes, diff
from tbms_core.clock import today
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope
from tbms_core.jp.text import to_katakana

from patients.care.repository import TreatmentRepository
from patients.code_list.service import code_book
from patients.custom_field.service import checked_values
from patients.history.schemas import HistoryEntryRead
from patients.history.service import HistoryService
from patients.lab_result.repository import LabResultRepository
from patients.patient.deadlines import deadlines_of
from patients.patient.derived import current_code_of, name_key, patient_read, snapshot
from patients.patient.errors import AlreadyExcluded, NotExcluded
from patients.patient.models import Patient
from patients.patient.record import PatientRecordService
from patients.patient.repository import PatientRepository, same_reading
from patients.patient.schemas import (
    AtRegistration,
    AtRegistrationChange,
    DuplicateFilter,
    DuplicateRead,
    ExclusionCreate,
    PatientChange,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    ReinstatementCreate,
)
from patients.patient_list.service import store_list_facts
from patients.settings import get_settings

SERVICE = "patients"
SECTIONS = ("guardian", "notification", "disease", "clinical")


def _editable(patient: Patient) -> dict[str, Any]:
    """The correctable fields of a patient as JSON values."""
    return {name: to_jsonable_python(getattr(patient, name)) for name in PatientUpdate.model_fields}


def given_fields(changes: BaseModel) -> set[str]:
    """The fields a correction names (not null); a section given is then stored whole, with its defaults."""
    return {name for name in changes.model_fields_set if getattr(changes, name) is not None}


class PatientService:
    """What staff do with patients: register them, correct them, take them off the register, look them up."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.lab_results = LabResultRepository(session)
        self.treatments = TreatmentRepository(session)
        self.edit_history = HistoryService(session, principal)
        self._codes: dict[uuid.UUID, tuple[int, str]] = {}  # patient → (version, 総合患者分類コード) derived

    async def register(self, data: PatientCreate) -> Patient:
        """Registers a patient with a new 登録番号 and records PatientRegistered in the outbox."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        registered_on = data.registered_on or today()
        (await code_book(self.session)).check(registered_on, {"occupation": ("occupation", data.occupation)})
        custom = await checked_values(self.session, "patient", data.custom)
        seq = await self.patients.next_sequence(registered_on.year)
        number = get_settings().registration_no_format.format(year=registered_on.year, seq=seq)
        fields = data.model_dump(exclude={"registered_on", "custom", "source_contact_id", *SECTIONS}) | {
            "custom": custom
        }
        sections = data.model_dump(mode="json", include=set(SECTIONS))
        first = AtRegistration(category=data.category, disease=data.disease, clinical=data.clinical)
        patient = Patient(
            **fields,
            **sections,
            at_registration=first.model_dump(mode="json"),
            name_key=name_key(data.name),
            registered_on=registered_on,
            registration_no=number,
            updated_by=self.principal.user_id,
        )
        await self.patients.add(patient)
        await self.session.refresh(patient)
        source = str(data.source_contact_id) if data.source_contact_id else ""
        event = PatientRegistered(patient=await self._snapshot(patient), source_contact_id=source)
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=patient.id, version=patient.version, actor=self.principal.user_id),
        )
        await self._audit(Operation.CREATE, patient)
        return patient

    async def view(self, patient_id: uuid.UUID) -> PatientRead:
        """Opens one patient's record with the derived items (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await self._audit(Operation.READ, patient)
        return await self.read_model(patient)

    async def read_model(self, patient: Patient) -> PatientRead:
        """The PatientRead of a patient just read or saved, with the derived items (the code derived for its event
        is reused when nothing changed since)."""
        version, code = self._codes.get(patient.id, (None, ""))
        if version != patient.version:
            code = await self.current_code(patient)
        return patient_read(patient, code)

    async def current_code(self, patient: Patient) -> str:
        """The 総合患者分類コード from the current facts: disease, prior treatment, results, treatment."""
        results = await self.lab_results.findings_of(patient.id)
        treatments = await self.treatments.of_patient(patient.id)
        code = current_code_of(patient, results, treatments)
        self._codes[patient.id] = (patient.version, code)
        return code

    async def correct_at_registration(self, patient_id: uuid.UUID, data: AtRegistrationChange) -> Patient:
        """Corrects record #1 in place (履歴修正), e.g. DST results that arrived after registration."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        patient.check_version(data.version)
        before = AtRegistration.model_validate(patient.at_registration or {}).model_dump(mode="json")
        after = before | data.changes.model_dump(mode="json", include=given_fields(data.changes))
        changes = {f"at_registration.{k}": v for k, v in diff(before, after).items()}
        if not changes:
            return patient
        added = set(after["bacteriology"].get("dst") or {}) - set(before["bacteriology"].get("dst") or {})
        (await code_book(self.session)).check(patient.registered_on, {"bacteriology.dst": ("drug", sorted(added))})
        await self._store(patient, {"at_registration": after}, changes, reason=data.reason)
        return patient

    async def exclude(self, patient_id: uuid.UUID, data: ExclusionCreate) -> Patient:
        """登録除外: the patient leaves the register on a date, for a reason; the record stays."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        patient.check_version(data.version)
        if patient.status == "excluded":
            raise AlreadyExcluded()
        if data.excluded_on < patient.registered_on:
            raise InvalidInput(errors={"excluded_on": "除外日が登録年月日より前になっています。"})
        (await code_book(self.session)).check(data.excluded_on, {"reason": ("exclusion_reason", data.reason)})
        assignments = {
            "status": "excluded",
            "excluded_on": data.excluded_on,
            "exclusion_reason": data.reason,
            "exclusion_note": data.note,
        }
        await self._save(patient, assignments, reason=data.note)
        return patient

    async def reinstate(self, patient_id: uuid.UUID, data: ReinstatementCreate) -> Patient:
        """Cancels an exclusion; the reason is kept in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        patient.check_version(data.version)
        if patient.status != "excluded":
            raise NotExcluded()
        assignments = {"status": "active", "excluded_on": None, "exclusion_reason": "", "exclusion_note": ""}
        await self._save(patient, assignments, reason=data.reason)
        return patient

    async def duplicates(self, query: DuplicateFilter) -> list[DuplicateRead]:
        """Registered patients who may be the person about to be registered."""
        self.principal.require(Area.PATIENTS, Access.READ)
        kana = to_katakana(query.name_kana) if query.name_kana else ""
        found = await self.patients.possible_duplicates(
            name_kana=kana, name_key=name_key(query.name) if query.name else "", birth_date=query.birth_date
        )
        candidates = []
        for patient in found:
            same_name = bool(query.name) and patient.name_key == name_key(query.name)
            same_kana = bool(kana) and same_reading(patient.name_kana, kana) and patient.birth_date == query.birth_date
            reason = "読みと生年月日が同じ" if same_kana else ("氏名が同じ（異体字を同一視）" if same_name else "")
            candidates.append(DuplicateRead.model_validate(patient).model_copy(update={"reason": reason}))
        if candidates:
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.SEARCH,
                record_type="patient_duplicate_check",
                query=" ".join(filter(None, [query.name, kana, str(query.birth_date or "")])),
            )
        return candidates

    async def _save(self, patient: Patient, assignments: dict[str, Any], *, reason: str) -> None:
        before = {name: to_jsonable_python(getattr(patient, name)) for name in assignments}
        await self._store(patient, assignments, diff(before, to_jsonable_python(assignments)), reason=reason)

    async def _store(self, patient: Patient, assignments: dict[str, Any], changes: Changes, *, reason: str) -> None:
        """Saves a change with its history entry, publishes PatientUpdated naming the changed items, audits it."""
        await self.edit_history.save_change(
            patient,
            assignments=assignments,
            record_type="patient",
            person_id=patient.id,
            changes=changes,
            reason=reason,
        )
        await self._publish_update(patient, sorted({change.split(".")[0] for change in changes}))
        await self._audit(Operation.UPDATE, patient)

    async def _publish_update(self, patient: Patient, changed: list[str]) -> None:
        event = PatientUpdated(patient=await self._snapshot(patient), changed_fields=changed)
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=patient.id, version=patient.version, actor=self.principal.user_id),
        )

    async def _snapshot(self, patient: Patient) -> PatientSnapshot:
        """The patient's event snapshot with the current 総合患者分類コード and the open alerts as deadlines."""
        alerts = await PatientRecordService(self.session, self.principal).alerts_of(patient)
        code = await self.current_code(patient)
        await store_list_facts(self.session, patient, code, alerts)
        return snapshot(patient, code, deadlines_of(patient, alerts))

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[PatientSnapshot]:
        """The current snapshots of the patients after `after` in id order, as their events carry them: what the
        read models of other services are rebuilt from (`tbms replay`). Changes nothing."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # every patient's whole card, for an administrator's rebuild
        self.principal.require(Area.PATIENTS, Access.READ)
        found = await self._snapshots(await self.patients.page_after(after, limit))
        return await read_models.handed_out(self.session, self.principal, SERVICE, "patients", found, named=False)

    async def snapshots_of(self, patient_ids: list[uuid.UUID]) -> list[PatientSnapshot]:
        """The current snapshots of the patients named that exist, in id order (`tbms reconcile` repairs drift)."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)
        found = await self._snapshots(await self.patients.having(patient_ids))
        return await read_models.handed_out(
            self.session, self.principal, SERVICE, "patients", found, named=True, person_of=lambda each: each.id
        )

    async def _snapshots(self, patients: list[Patient]) -> list[PatientSnapshot]:
        records = PatientRecordService(self.session, self.principal)
        found = []
        for patient in patients:
            alerts = await records.alerts_of(patient)
            found.append(snapshot(patient, await self.current_code(patient), deadlines_of(patient, alerts)))
        return found

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every patient's id and current version after `after`, in id order; changes nothing."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)
        return await read_models.version_page(self.session, Patient.id, Patient.version, after, limit)

    async def correct(self, patient_id: uuid.UUID, data: PatientChange) -> Patient:
        """Saves a correction (修正) if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        patient.check_version(data.version)
        values = data.changes.model_dump(exclude_unset=True, exclude_none=True, exclude={"custom", *SECTIONS})
        values |= data.changes.model_dump(mode="json", include=given_fields(data.changes) & set(SECTIONS))
        if data.changes.custom is not None:  # read directly: a null inside it clears a field
            values["custom"] = await checked_values(
                self.session, "patient", data.changes.custom, existing=patient.custom
            )
        changes = diff(_editable(patient), to_jsonable_python({**_editable(patient), **values}))
        if not changes:
            return patient
        if "occupation" in changes:  # a code kept as it was stays, even when masters has ended it since
            on = values.get("registered_on") or patient.registered_on
            (await code_book(self.session)).check(on, {"occupation": ("occupation", values["occupation"])})
        assignments = {name: values[name] for name in {change.split(".")[0] for change in changes}}
        if "name" in assignments:
            assignments["name_key"] = name_key(assignments["name"])
        await self._store(patient, assignments, changes, reason=data.reason)
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
        return await self.edit_history.timeline(patient.id)

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
