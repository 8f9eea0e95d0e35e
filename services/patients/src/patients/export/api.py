"""HTTP API of the CSV exports (R24, R33)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from tbms_core.csv_export import csv_response
from tbms_core.jp.gaiji import load_policy

from patients.deps import ExportServiceDep
from patients.export.schemas import ExportFilter
from patients.settings import get_settings

# Registered before the patient router: `/patients/export` would otherwise be read as `/patients/{patient_id}`.
router = APIRouter(prefix="/patients", tags=["出力"])


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 (BOM付き) または Shift_JIS (CP932) のCSV"}},
)
async def export_csv(criteria: Annotated[ExportFilter, Query()], exports: ExportServiceDep) -> Response:
    """Patients, test results or treatments as CSV for Excel, configurable fields as extra columns."""
    export = await exports.export(criteria)
    settings = get_settings()
    # the 外字 master's substitutes in force; the settings' table only for a character the master has nothing for
    policy = load_policy(settings.gaiji_mode, settings.gaiji_substitutes_file, export.substitutes)
    return csv_response(
        export.filename,
        export.header,
        export.rows,
        encoding=criteria.encoding,
        policy=policy,
        substitute=criteria.substitute,
    )
