"""CSV exports of patients, test results and treatments with their configurable fields (R24, R33).

Each export reads in a few set-wise queries (never one per patient), refuses more than 100,000 rows instead of
cutting the file short, and is recorded once in the operation history as an export.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.csv_export import MAX_EXPORT_ROWS

from patients.care.models import Treatment
from patients.custom_field.repository import FieldDefinitionRepository
from patients.export.columns import (
    LAB_RESULT_HEADER,
    PATIENT_HEADER,
    TREATMENT_HEADER,
    CustomColumns,
    lab_result_row,
    patient_row,
    treatment_row,
)
from patients.export.errors import ExportTooLarge
from patients.export.schemas import ExportFilter, ExportTarget
from patients.lab_result.models import LabResult
from patients.patient.classification import current_classification
from patients.patient.models import Patient

SERVICE = "patients"
FILE_TITLES = {
    ExportTarget.PATIENTS: "患者一覧",
    ExportTarget.LAB_RESULTS: "菌検査結果",
    ExportTarget.TREATMENTS: "治療",
}
CUSTOM_TARGETS = {  # the configurable-field target of each export, also its record type in the audit trail
    ExportTarget.PATIENTS: "patient",
    ExportTarget.LAB_RESULTS: "lab_result",
    ExportTarget.TREATMENTS: "treatment",
}
BACTERIOLOGY_KINDS = ("smear", "culture", "naat", "identification")  # what the 総合患者分類 looks at


@dataclass(frozen=True)
class CsvExport:
    """A file to download: its Japanese name, header and rows."""

    filename: str
    header: list[str]
    rows: list[list[object]]


def patient_conditions(criteria: ExportFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions on `patients` for the export's filters."""
    conditions: list[ColumnElement[bool]] = []
    if criteria.registered_from is not None:
        conditions.append(Patient.registered_on >= criteria.registered_from)
    if criteria.registered_to is not None:
        conditions.append(Patient.registered_on <= criteria.registered_to)
    if criteria.status is not None:
        conditions.append(Patient.status == criteria.status)
    if criteria.district:
        conditions.append(Patient.district == criteria.district)
    return conditions


class ExportService:
    """What staff export for Excel: the patient list, the test results, the treatments."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal

    async def export(self, criteria: ExportFilter) -> CsvExport:
        """The matching records as a CSV file with a column per configurable field; audited as an export."""
        self.principal.require(Area.PATIENTS, Access.READ)
        conditions = patient_conditions(criteria)
        found = await self._count(criteria.target, conditions)
        if found > MAX_EXPORT_ROWS:
            raise ExportTooLarge(found, MAX_EXPORT_ROWS)
        on = today()
        definitions = await FieldDefinitionRepository(self.session).of_target(CUSTOM_TARGETS[criteria.target])
        custom = CustomColumns(definitions, on)
        if criteria.target == ExportTarget.PATIENTS:
            header, rows = list(PATIENT_HEADER), await self._patients(conditions, custom)
        elif criteria.target == ExportTarget.LAB_RESULTS:
            header, rows = list(LAB_RESULT_HEADER), await self._lab_results(conditions, custom)
        else:
            header, rows = list(TREATMENT_HEADER), await self._treatments(conditions, custom)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.EXPORT,
            record_type=CUSTOM_TARGETS[criteria.target],
            query=criteria.described(),
            detail=f"CSV {len(rows)}件",
        )
        return CsvExport(f"{FILE_TITLES[criteria.target]}_{on:%Y%m%d}.csv", header + custom.header(header), rows)

    async def _count(self, target: ExportTarget, conditions: Sequence[ColumnElement[bool]]) -> int:
        if target == ExportTarget.PATIENTS:
            query = select(func.count()).select_from(Patient)
        else:
            model = LabResult if target == ExportTarget.LAB_RESULTS else Treatment
            query = select(func.count()).select_from(model).join(Patient, model.patient_id == Patient.id)
        return int(await self.session.scalar(query.where(*conditions)) or 0)

    async def _all(self, query: Select[Any]) -> Sequence[Any]:
        """The rows of a query, refusing (never cutting) more than the limit if records arrived since the count."""
        rows = (await self.session.execute(query.limit(MAX_EXPORT_ROWS + 1))).all()
        if len(rows) > MAX_EXPORT_ROWS:
            raise ExportTooLarge(len(rows), MAX_EXPORT_ROWS)
        return rows

    async def _patients(self, conditions: Sequence[ColumnElement[bool]], custom: CustomColumns) -> list[list[object]]:
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
            .where(*conditions)
            .order_by(Patient.registered_on, Patient.registration_no)
        )
        rows = await self._all(query)
        results, latest = await self._bacteriology(conditions), await self._latest_treatments(conditions)
        return [
            patient_row(
                row,
                current_classification(
                    row.category, row.disease_form, row.prior_treatment, results.get(row.id, ()), latest.get(row.id)
                ),
                custom,
            )
            for row in rows
        ]

    async def _bacteriology(
        self, conditions: Sequence[ColumnElement[bool]]
    ) -> dict[uuid.UUID, list[tuple[str, str, dict[str, Any]]]]:
        """The results the classification looks at, per patient, in one query."""
        query = (
            select(LabResult.patient_id, LabResult.kind, LabResult.specimen, LabResult.details)
            .join(Patient, LabResult.patient_id == Patient.id)
            .where(LabResult.kind.in_(BACTERIOLOGY_KINDS), *conditions)
        )
        found: dict[uuid.UUID, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        for patient_id, kind, specimen, details in await self.session.execute(query):
            found[patient_id].append((kind, specimen, details or {}))
        return found

    async def _latest_treatments(
        self, conditions: Sequence[ColumnElement[bool]]
    ) -> dict[uuid.UUID, tuple[date | None, str]]:
        """Each patient's latest treatment course (end date, outcome), in one DISTINCT ON query."""
        query = (
            select(Treatment.patient_id, Treatment.ended_on, Treatment.outcome)
            .join(Patient, Treatment.patient_id == Patient.id)
            .where(*conditions)
            .distinct(Treatment.patient_id)
            .order_by(Treatment.patient_id, Treatment.started_on.desc(), Treatment.created_at.desc())
        )
        return {patient_id: (ended_on, outcome) for patient_id, ended_on, outcome in await self.session.execute(query)}

    async def _lab_results(
        self, conditions: Sequence[ColumnElement[bool]], custom: CustomColumns
    ) -> list[list[object]]:
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
            .where(*conditions)
            .order_by(Patient.registered_on, Patient.registration_no, LabResult.collected_on, LabResult.created_at)
        )
        return [lab_result_row(row, custom) for row in await self._all(query)]

    async def _treatments(self, conditions: Sequence[ColumnElement[bool]], custom: CustomColumns) -> list[list[object]]:
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
                Treatment.note,
                Treatment.custom,
            )
            .join(Patient, Treatment.patient_id == Patient.id)
            .where(*conditions)
            .order_by(Patient.registered_on, Patient.registration_no, Treatment.started_on, Treatment.created_at)
        )
        return [treatment_row(row, custom) for row in await self._all(query)]
