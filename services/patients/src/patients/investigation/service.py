"""行動調査: recording and correcting the interview, with the computed infectious period, delays and candidates;
access checks, history, audit and outbox events as every module."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from tbms_contracts.audit import Operation
from tbms_contracts.patients import InvestigationSaved, InvestigationSnapshot, VersionPage
from tbms_core import audit, outbox, read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope

from patients.care.repository import HospitalisationRepository, TreatmentRepository
from patients.followup.settings_service import FollowupSettings
from patients.history.service import HistoryService
from patients.investigation.derived import as_json, computed
from patients.investigation.items import BCG, PLACE_KINDS, SECTIONS, SETTING_KINDS, SYMPTOMS, VENTILATION
from patients.investigation.models import Investigation
from patients.investigation.repository import InvestigationRepository
from patients.investigation.schemas import InvestigationRead, InvestigationSave, Items
from patients.patient.models import Patient
from patients.patient.repository import PatientRepository

SERVICE = "patients"
CODES = {
    "symptom": SYMPTOMS,
    "setting_kind": SETTING_KINDS,
    "place_kind": PLACE_KINDS,
    "ventilation": VENTILATION,
    "bcg": BCG,
}
STORED = ("interviewed_on", "interviewer", "items", "override_start", "override_end", "override_reason")


def investigation_snapshot(row: Investigation, result: InvestigationRead) -> InvestigationSnapshot:
    """An investigation as InvestigationSaved carries it: with the period and delays computed as `result` has them."""
    return InvestigationSnapshot(
        id=str(row.id),
        patient_id=str(row.patient_id),
        version=row.version,
        interviewed_on=row.interviewed_on,
        interviewer=row.interviewer,
        items=result.items,
        period=result.period.model_dump(mode="json"),
        delays=[delay.model_dump(mode="json") for delay in result.delays],
        extra_items=result.extra_items,
    )


class InvestigationService:
    """What staff do with a patient's behavioural investigation."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.patients = PatientRepository(session)
        self.investigations = InvestigationRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def patient_to_record_for(self, patient_id: uuid.UUID) -> Patient:
        """The patient, once the user may record (403) and the patient exists (404)."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        return await self.patients.get(patient_id)

    def _may_hand_out(self) -> None:
        """Every patient's investigation, for an administrator's rebuild of a read model elsewhere."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[InvestigationSnapshot]:
        """Every investigation's current snapshot after `after` in id order, with its period and delays computed
        now, as its events carry it: what reports' 行動調査 read model is rebuilt from (`tbms replay reports`).
        Changes nothing."""
        self._may_hand_out()
        rows = await self.investigations.page_after(after, limit)
        found = [investigation_snapshot(row, await self.read(row, row.patient_id)) for row in rows]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "investigations", found, named=False)

    async def snapshots_of(self, investigation_ids: list[uuid.UUID]) -> list[InvestigationSnapshot]:
        """The current snapshots of the investigations named that exist, in id order (`tbms reconcile` repairs
        drift)."""
        self._may_hand_out()
        rows = await self.investigations.having(investigation_ids)
        found = [investigation_snapshot(row, await self.read(row, row.patient_id)) for row in rows]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "investigations", found, named=True)

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every investigation's id and current version after `after`, in id order; changes nothing."""
        self._may_hand_out()
        return await read_models.version_page(self.session, Investigation.id, Investigation.version, after, limit)

    async def view(self, patient_id: uuid.UUID) -> InvestigationRead:
        """The investigation with what is computed from it (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="investigation", person_id=patient.id
        )
        return await self.read(await self.investigations.of(patient.id), patient.id)

    async def recorded_ends(self, patient_id: uuid.UUID) -> list[tuple[date, str]]:
        """The starts of treatment and the admissions in the patient's care records, which end the period."""
        treatments = await TreatmentRepository(self.session).of_patient(patient_id)
        stays = await HospitalisationRepository(self.session).of_patient(patient_id)
        return [(t.started_on, f"有効な治療の開始（治療の記録：{t.regimen}）") for t in treatments] + [
            (h.admitted_on, f"隔離・入院（入院の記録：{h.hospital}）") for h in stays
        ]

    async def read(self, row: Investigation | None, patient_id: uuid.UUID) -> InvestigationRead:
        """The stored investigation (or an empty one) with its period, delays and candidates."""
        configured = FollowupSettings(self.session)
        extra_items, months = await configured.extra_items(), await configured.infectious_months()
        items = Items.model_validate(row.items) if row else Items()
        period, delays, candidates = computed(
            items,
            override_start=row.override_start if row else None,
            override_end=row.override_end if row else None,
            override_reason=row.override_reason if row else "",
            lookback_months=months["lookback_months"],
            smear_negative_months=months["smear_negative_months"],
            recorded_ends=await self.recorded_ends(patient_id),
        )
        return InvestigationRead(
            id=row.id if row else None,
            version=row.version if row else None,
            interviewed_on=row.interviewed_on if row else None,
            interviewer=row.interviewer if row else "",
            items=as_json(items),
            override_start=row.override_start if row else None,
            override_end=row.override_end if row else None,
            override_reason=row.override_reason if row else "",
            updated_at=row.updated_at if row else None,
            period=period,
            delays=delays,
            candidates=candidates,
            sections=SECTIONS,
            extra_items=extra_items,
            codes=CODES,
        )

    async def save(self, patient_id: uuid.UUID, data: InvestigationSave) -> InvestigationRead:
        """Records the investigation, or corrects it (409 when somebody saved first); keeps the change history."""
        patient = await self.patient_to_record_for(patient_id)
        if errors := data.inconsistencies():
            raise InvalidInput(errors=errors)
        unknown = set(data.items.extra) - set(await FollowupSettings(self.session).extra_items())
        if unknown:
            raise InvalidInput(errors={"items.extra": f"設定にない項目です：{'、'.join(sorted(unknown))}"})
        values: dict[str, Any] = {
            "interviewed_on": data.interviewed_on,
            "interviewer": data.interviewer,
            "items": as_json(data.items),
            "override_start": data.override_start,
            "override_end": data.override_end,
            "override_reason": data.override_reason,
        }
        row = await self.investigations.of(patient.id)
        if row is None:
            row = await self.investigations.add(
                Investigation(**values, patient_id=patient.id, updated_by=self.principal.user_id)
            )
            changes = diff({}, to_jsonable_python(values))
            await self.edit_history.record_change(
                record_type="investigation",
                record_id=row.id,
                person_id=patient.id,
                version=row.version,
                changes=changes,
                reason=data.reason,
            )
            created = True
            await self._audit(Operation.CREATE, row)
        else:
            if data.version is None:
                raise InvalidInput(errors={"version": "調査票の版がありません。画面を開き直してください。"})
            row.check_version(data.version)
            before = {name: to_jsonable_python(getattr(row, name)) for name in STORED}
            changes = diff(before, to_jsonable_python(values))
            if not changes:
                return await self.read(row, patient.id)
            await self.edit_history.save_change(
                row,
                assignments={name: values[name] for name in {c.split(".")[0] for c in changes}},
                record_type="investigation",
                person_id=patient.id,
                changes=changes,
                reason=data.reason,
            )
            created = False
            await self._audit(Operation.UPDATE, row)
        result = await self.read(row, patient.id)
        await self._publish(row, result, created=created, changed=sorted({c.split(".")[0] for c in changes}))
        return result

    async def follow_care_records(self, patient_id: uuid.UUID) -> None:
        """A treatment start or an admission was recorded or corrected: the investigation's period may end
        differently now, so the printed 行動調査票 (reports' copy) receives the period as it is computed now."""
        row = await self.investigations.of(patient_id)
        if row is None:
            return
        row.updated_by = self.principal.user_id
        flag_modified(row, "items")  # a new version, so the copy of the period held elsewhere is replaced
        await flush_versioned(self.session)
        await self._publish(row, await self.read(row, patient_id), created=False, changed=["period"])

    async def _publish(
        self, row: Investigation, result: InvestigationRead, *, created: bool, changed: list[str]
    ) -> None:
        event = InvestigationSaved(
            investigation=investigation_snapshot(row, result), created=created, changed_fields=changed
        )
        envelope = Envelope.of(event, aggregate_id=row.id, version=row.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def _audit(self, operation: Operation, row: Investigation) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="investigation",
            record_id=row.id,
            person_id=row.patient_id,
        )
