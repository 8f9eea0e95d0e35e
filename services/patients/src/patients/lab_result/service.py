"""Recording and correcting test results (菌検査), with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import LabResultCorrected, LabResultRecorded, LabResultSnapshot, VersionPage
from tbms_core import audit, outbox, read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.errors import InvalidInput, field_errors
from tbms_core.events import Envelope

from patients.code_list.service import code_book
from patients.custom_field.service import checked_values
from patients.history.service import HistoryService
from patients.lab_result.details import DETAILS, DstDetails, Kind, summary
from patients.lab_result.models import LabResult
from patients.lab_result.repository import LabResultRepository
from patients.lab_result.schemas import LabResultBatchCreate, LabResultChange, LabResultCreate
from patients.patient.repository import PatientRepository
from patients.patient_list.repository import PatientListRepository

SERVICE = "patients"
EDITABLE = ("specimen", "collected_on", "result_on", "laboratory", "details", "custom")


def checked_details(kind: str, details: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The kind's items validated and normalised, and whether they make the result MDR."""
    try:
        model = DETAILS[Kind(kind)].model_validate(details)
    except ValidationError as exc:
        errors = field_errors(RequestValidationError(exc.errors()))
        raise InvalidInput(errors={f"details.{k}" if k != "_" else "details": v for k, v in errors.items()}) from exc
    mdr = isinstance(model, DstDetails) and model.mdr
    return model.model_dump(mode="json", exclude_none=True), mdr


def lab_snapshot(result: LabResult) -> LabResultSnapshot:
    """The event-carried state of a result."""
    return LabResultSnapshot(
        id=str(result.id),
        patient_id=str(result.patient_id),
        version=result.version,
        kind=result.kind,
        specimen=result.specimen,
        collected_on=result.collected_on,
        result_on=result.result_on,
        laboratory=result.laboratory,
        details=result.details,
        mdr=result.mdr,
        summary=summary(result.kind, result.details),
        custom=dict(result.custom),
    )


class LabResultService:
    """What staff do with test results: record them, correct them, read them."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.results = LabResultRepository(session)
        self.patients = PatientRepository(session)
        self.edit_history = HistoryService(session, principal)

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[LabResultSnapshot]:
        """Every result's current snapshot after `after` in id order, as its events carry it: what reports' 菌検査
        read model is rebuilt from (`tbms replay reports`). Changes nothing."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # every patient's results, for an administrator's rebuild
        self.principal.require(Area.PATIENTS, Access.READ)
        found = [lab_snapshot(result) for result in await self.results.page_after(after, limit)]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "lab-results", found, named=False)

    async def snapshots_of(self, result_ids: list[uuid.UUID]) -> list[LabResultSnapshot]:
        """The current snapshots of the results named that exist, in id order (`tbms reconcile` repairs drift)."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)
        found = [lab_snapshot(result) for result in await self.results.having(result_ids)]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "lab-results", found, named=True)

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every result's id and current version after `after`, in id order; changes nothing."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)
        return await read_models.version_page(self.session, LabResult.id, LabResult.version, after, limit)

    async def record(self, patient_id: uuid.UUID, data: LabResultCreate) -> LabResult:
        """Records a result for a patient and publishes LabResultRecorded."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        patient = await self.patients.get(patient_id)
        details, mdr = checked_details(data.kind, data.details)
        await self._check_codes(data.collected_on, data.specimen, details, {}, kind=str(data.kind))
        custom = await checked_values(self.session, "lab_result", data.custom)
        fields = data.model_dump(exclude={"details"}) | {"custom": custom}
        fields["specimen"] = fields["specimen"] or ""
        result = LabResult(**fields, patient_id=patient.id, details=details, mdr=mdr, updated_by=self.principal.user_id)
        await self.results.add(result)
        await self._publish(LabResultRecorded(lab_result=lab_snapshot(result)), result)
        await self._audit(Operation.CREATE, result)
        await PatientListRepository(self.session).mark_stale(patient.id)
        return result

    async def record_all(self, patient_id: uuid.UUID, batch: LabResultBatchCreate) -> list[LabResult]:
        """Records several results of one specimen at once: all of them, or none with every item's message."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        errors: dict[str, str] = {}
        for index, data in enumerate(batch.results):
            try:
                checked_details(data.kind, data.details)
                await checked_values(self.session, "lab_result", data.custom)
            except InvalidInput as exc:
                errors |= {f"results.{index}.{key}": message for key, message in (exc.errors or {}).items()}
        if errors:
            raise InvalidInput(errors=errors)
        return [await self.record(patient_id, data) for data in batch.results]

    async def correct(self, patient_id: uuid.UUID, result_id: uuid.UUID, data: LabResultChange) -> LabResult:
        """Saves a correction if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        result = await self.results.get_of_patient(patient_id, result_id)
        result.check_version(data.version)
        values = data.changes.model_dump(exclude_unset=True, exclude_none=True)
        if "details" in values:
            values["details"], values["mdr"] = checked_details(result.kind, values["details"])
        if data.changes.custom is not None:  # read directly: a null inside it clears a field
            values["custom"] = await checked_values(
                self.session, "lab_result", data.changes.custom, existing=result.custom
            )
        before = {name: to_jsonable_python(getattr(result, name)) for name in (*EDITABLE, "mdr")}
        changes = diff(before, to_jsonable_python({**before, **values}))
        if not changes:
            return result
        specimen = values.get("specimen") if "specimen" in changes else None  # codes kept as they were stay
        details = values.get("details") if any(name.startswith("details") for name in changes) else None
        await self._check_codes(values.get("collected_on") or result.collected_on, specimen, details, result.details)
        await self.edit_history.save_change(
            result,
            assignments=values,
            record_type="lab_result",
            person_id=result.patient_id,
            changes=changes,
            reason=data.reason,
        )
        changed = sorted({name.split(".")[0] for name in changes})
        await self._publish(LabResultCorrected(lab_result=lab_snapshot(result), changed_fields=changed), result)
        await self._audit(Operation.UPDATE, result)
        await PatientListRepository(self.session).mark_stale(result.patient_id)
        return result

    async def _check_codes(
        self,
        collected_on: date,
        specimen: str | None,
        details: dict[str, Any] | None,
        before: dict[str, Any],
        *,
        kind: str = "",
    ) -> None:
        """Refuses a 検査種別 (of a new result), a 検体 or a DST drug the コード表 does not hold on the collection
        date (drugs already in the result, and a result's kind, are kept as they were)."""
        added = set((details or {}).get("results") or {}) - set((before or {}).get("results") or {})
        if specimen or added or kind:
            fields = {
                "kind": ("exam_kind", kind),
                "specimen": ("specimen", specimen),
                "details.results": ("drug", sorted(added)),
            }
            (await code_book(self.session)).check(collected_on, fields)

    async def timeline(self, patient_id: uuid.UUID) -> list[LabResult]:
        """A patient's results, newest collection first (audited as a read)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.patients.get(patient_id)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="lab_result", person_id=patient.id
        )
        return await self.results.of_patient(patient.id)

    async def _publish(self, event: LabResultRecorded | LabResultCorrected, result: LabResult) -> None:
        envelope = Envelope.of(event, aggregate_id=result.id, version=result.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def _audit(self, operation: Operation, result: LabResult) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="lab_result",
            record_id=result.id,
            person_id=result.patient_id,
        )
