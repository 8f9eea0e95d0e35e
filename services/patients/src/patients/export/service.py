"""CSV exports of patients, test results and treatments with their configurable fields (R24, R33).

Each export reads in a few set-wise queries (never one per patient), refuses more than 100,000 rows instead of
cutting the file short, and is recorded once in the operation history as an export.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.csv_export import MAX_EXPORT_ROWS, ExportTooLarge, within_limit

from patients.code_list.service import code_book
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
from patients.export.repository import ExportRepository
from patients.export.schemas import ExportFilter, ExportTarget
from patients.gaiji.service import substitutes
from patients.patient.classification import current_classification

SERVICE = "patients"
NARROW_BY = "登録年月日の期間や地区・状態"
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


@dataclass(frozen=True)
class CsvExport:
    """A file to download: its Japanese name, header and rows, and the 外字 master's substitutes in force."""

    filename: str
    header: list[str]
    rows: list[list[object]]
    substitutes: dict[str, str]  # {外字: 代替文字} a CP932 file writes (N26)


class ExportService:
    """What staff export for Excel: the patient list, the test results, the treatments."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.exports = ExportRepository(session)
        self.definitions = FieldDefinitionRepository(session)

    async def export(self, criteria: ExportFilter) -> CsvExport:
        """The matching records as a CSV file with a column per configurable field; audited as an export."""
        self.principal.require(Area.PATIENTS, Access.READ)
        self.principal.require(Area.STATS, Access.READ)  # a bulk copy of patient data is also an output (統計・出力)
        found = await self._count(criteria)
        if found > MAX_EXPORT_ROWS:
            raise ExportTooLarge(MAX_EXPORT_ROWS, NARROW_BY, found)
        on = today()
        custom = CustomColumns(await self.definitions.of_target(CUSTOM_TARGETS[criteria.target]), on)
        if criteria.target == ExportTarget.PATIENTS:
            header, rows = list(PATIENT_HEADER), await self._patients(criteria, custom)
        elif criteria.target == ExportTarget.LAB_RESULTS:
            header, rows = list(LAB_RESULT_HEADER), await self._lab_results(criteria, custom)
        else:
            header, rows = list(TREATMENT_HEADER), await self._treatments(criteria, custom)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.EXPORT,
            record_type=CUSTOM_TARGETS[criteria.target],
            query=criteria.described(),
            detail=f"CSV {len(rows)}件",
        )
        return CsvExport(
            f"{FILE_TITLES[criteria.target]}_{on:%Y%m%d}.csv",
            header + custom.header(header),
            rows,
            await substitutes(self.session, on),
        )

    async def _count(self, criteria: ExportFilter) -> int:
        if criteria.target == ExportTarget.PATIENTS:
            return await self.exports.count_patients(criteria)
        if criteria.target == ExportTarget.LAB_RESULTS:
            return await self.exports.count_lab_results(criteria)
        return await self.exports.count_treatments(criteria)

    async def _patients(self, criteria: ExportFilter, custom: CustomColumns) -> list[list[object]]:
        rows = within_limit(
            await self.exports.patients(criteria, limit=MAX_EXPORT_ROWS + 1), MAX_EXPORT_ROWS, NARROW_BY
        )
        results, latest = await self.exports.bacteriology(criteria), await self.exports.latest_treatments(criteria)
        reasons = (await code_book(self.session)).labels("exclusion_reason")
        return [
            patient_row(
                row,
                current_classification(
                    row.category, row.disease_form, row.prior_treatment, results.get(row.id, ()), latest.get(row.id)
                ),
                custom,
                reasons,
            )
            for row in rows
        ]

    async def _lab_results(self, criteria: ExportFilter, custom: CustomColumns) -> list[list[object]]:
        rows = within_limit(
            await self.exports.lab_results(criteria, limit=MAX_EXPORT_ROWS + 1), MAX_EXPORT_ROWS, NARROW_BY
        )
        return [lab_result_row(row, custom) for row in rows]

    async def _treatments(self, criteria: ExportFilter, custom: CustomColumns) -> list[list[object]]:
        rows = within_limit(
            await self.exports.treatments(criteria, limit=MAX_EXPORT_ROWS + 1), MAX_EXPORT_ROWS, NARROW_BY
        )
        regimens = (await code_book(self.session)).labels("regimen")
        return [treatment_row(row, custom, regimens) for row in rows]
