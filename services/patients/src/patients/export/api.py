"""HTTP API of the CSV exports (R24, R33)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from tbms_core.csv_export import csv_response

from patients.deps import ExportServiceDep
from patients.export.schemas import ExportFilter

# Registered before the patient router: `/patients/export` would otherwise be read as `/patients/{patient_id}`.
router = APIRouter(prefix="/patients", tags=["出力"])


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 (BOM付き) のCSV"}},
)
async def export_csv(criteria: Annotated[ExportFilter, Query()], exports: ExportServiceDep) -> Response:
    """Patients, test results or treatments as CSV for Excel, configurable fields as extra columns."""
    export = await exports.export(criteria)
    return csv_response(export.filename, export.header, export.rows)
