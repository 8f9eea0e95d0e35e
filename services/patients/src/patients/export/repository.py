"""Every query of the CSV exports: set-wise reads of patients, their results and their treatments; never commits.

An export is a report across the patient, test-result and care tables, so its joins live here rather than being
pieced together from each module's single-record reads.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from patients.care.models import Treatment
from patients.lab_result.models import LabResult
from patients.patient.models import Patient

BACTERIOLOGY_KINDS = ("smear", "culture", "naat", "identification")  # what the 総合患者分類 looks at


class PatientScope(Protocol):
    """The conditions on the patients an export covers (the export's filter has them)."""

    registered_from: date | None
    registered_to: date | None
    status: str | None
    district: str | None


def patient_conditions(scope: PatientScope) -> list[ColumnElement[bool]]:
    """The WHERE conditions on `patients` for the export's filters."""
    conditions: list[ColumnElement[bool]] = []
    if scope.registered_from is not None:
        conditions.append(Patient.registered_on >= scope.registered_from)
    if scope.registered_to is not None:
        conditions.append(Patient.registered_on <= scope.registered_to)
    if scope.status is not None:
        conditions.append(Patient.status == scope.status)
    if scope.district:
        conditions.append(Patient.district == scope.district)
    return conditions


class ExportRepository:
    """Reads what the exports list, in a few queries whatever the number of patients."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_patients(self, scope: PatientScope) -> int:
        """How many patients are in scope."""
        query = select(func.count()).select_from(Patient)
        return int(await self.session.scalar(query.where(*patient_conditions(scope))) or 0)

    async def count_lab_results(self, scope: PatientScope) -> int:
        """How many test results the patients in scope have."""
        return await self._count_of(LabResult, scope)

    async def count_treatments(self, scope: PatientScope) -> int:
        """How many treatment courses the patients in scope have."""
        return await self._count_of(Treatment, scope)

    async def patients(self, scope: PatientScope, *, limit: int) -> Sequence[Row[Any]]:
        """The patients in scope with the items of 患者一覧, by registration (at most `limit` rows)."""
        query = (
            select(
                Patient.id,
                Patient.registration_no,
                Patient.registered_on,
                Patient.category,
                Patient.name,
                Patient.name_kana,
                Patient.sex,
                Patient.birth_date,
                Patient.postal_code,
                Patient.address,
                Patient.phone,
                Patient.district,
                Patient.nurse,
                Patient.status,
                Patient.excluded_on,
                Patient.exclusion_reason,
                Patient.disease["form"].astext.label("disease_form"),
                Patient.clinical["prior_treatment"].astext.label("prior_treatment"),
                Patient.custom,
            )
            .where(*patient_conditions(scope))
            .order_by(Patient.registered_on, Patient.registration_no)
        )
        return await self._rows(query, limit)

    async def bacteriology(self, scope: PatientScope) -> dict[uuid.UUID, list[tuple[str, str, dict[str, Any]]]]:
        """The results the classification looks at, per patient in scope, in one query."""
        query = (
            select(LabResult.patient_id, LabResult.kind, LabResult.specimen, LabResult.details)
            .join(Patient, LabResult.patient_id == Patient.id)
            .where(LabResult.kind.in_(BACTERIOLOGY_KINDS), *patient_conditions(scope))
        )
        found: dict[uuid.UUID, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        for patient_id, kind, specimen, details in await self.session.execute(query):
            found[patient_id].append((kind, specimen, details or {}))
        return found

    async def latest_treatments(self, scope: PatientScope) -> dict[uuid.UUID, tuple[date | None, str]]:
        """Each patient's latest treatment course (end date, outcome), in one DISTINCT ON query."""
        query = (
            select(Treatment.patient_id, Treatment.ended_on, Treatment.outcome)
            .join(Patient, Treatment.patient_id == Patient.id)
            .where(*patient_conditions(scope))
            .distinct(Treatment.patient_id)
            .order_by(Treatment.patient_id, Treatment.started_on.desc(), Treatment.created_at.desc())
        )
        return {patient_id: (ended_on, outcome) for patient_id, ended_on, outcome in await self.session.execute(query)}

    async def lab_results(self, scope: PatientScope, *, limit: int) -> Sequence[Row[Any]]:
        """The results of the patients in scope with the patient's number and name (at most `limit` rows)."""
        query = (
            select(
                Patient.registration_no,
                Patient.name,
                LabResult.kind,
                LabResult.specimen,
                LabResult.collected_on,
                LabResult.result_on,
                LabResult.details,
                LabResult.mdr,
                LabResult.laboratory,
                LabResult.custom,
            )
            .join(Patient, LabResult.patient_id == Patient.id)
            .where(*patient_conditions(scope))
            .order_by(Patient.registered_on, Patient.registration_no, LabResult.collected_on, LabResult.created_at)
        )
        return await self._rows(query, limit)

    async def treatments(self, scope: PatientScope, *, limit: int) -> Sequence[Row[Any]]:
        """The treatment courses of the patients in scope with the patient's number and name (at most `limit`)."""
        query = (
            select(
                Patient.registration_no,
                Patient.name,
                Treatment.regimen,
                Treatment.regimen_note,
                Treatment.started_on,
                Treatment.planned_end_on,
                Treatment.ended_on,
                Treatment.outcome,
                Treatment.institution,
                Treatment.institution_code,
                Treatment.note,
                Treatment.custom,
            )
            .join(Patient, Treatment.patient_id == Patient.id)
            .where(*patient_conditions(scope))
            .order_by(Patient.registered_on, Patient.registration_no, Treatment.started_on, Treatment.created_at)
        )
        return await self._rows(query, limit)

    async def _count_of(self, model: type[LabResult] | type[Treatment], scope: PatientScope) -> int:
        query = select(func.count()).select_from(model).join(Patient, model.patient_id == Patient.id)
        return int(await self.session.scalar(query.where(*patient_conditions(scope))) or 0)

    async def _rows(self, query: Select[Any], limit: int) -> Sequence[Row[Any]]:
        return (await self.session.execute(query.limit(limit))).all()
