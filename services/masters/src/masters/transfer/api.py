"""HTTP API of master import and export (docs/masters-api.md)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, UploadFile, status
from tbms_core.csv_export import CsvFormatDep, csv_response

from masters.deps import MAY_CHANGE
from masters.transfer.deps import TransferServiceDep
from masters.transfer.files import MAX_BYTES
from masters.transfer.schemas import ImportPreview
from masters.transfer.workbook import MEDIA_TYPE, original_file_response, xlsx_response

# Included before the master records' router, whose /masters/{kind}/{code} would read these paths as a code.
router = APIRouter(prefix="/masters", tags=["マスタ（取込・出力）"])
UNNAMED = "取込ファイル"


@router.get(
    "/{kind}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 (BOM付き) または Shift_JIS (CP932) のCSV"}},
)
async def export_csv(kind: str, written: CsvFormatDep, transfer: TransferServiceDep) -> Response:
    """Every record of a kind as CSV for Excel, under Japanese headers."""
    found = await transfer.export(kind, "csv")
    return csv_response(found.filename, found.header, found.rows, written=written)


@router.get(
    "/{kind}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "Excel (.xlsx)"}},
)
async def export_xlsx(kind: str, transfer: TransferServiceDep) -> Response:
    """Every record of a kind as an Excel workbook, under Japanese headers."""
    found = await transfer.export(kind, "xlsx")
    return xlsx_response(found.filename, found.title, found.header, found.rows)


@router.post("/{kind}/imports", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def upload_import(kind: str, file: UploadFile, transfer: TransferServiceDep) -> ImportPreview:
    """Reads a CSV (UTF-8 or CP932) or .xlsx file into a preview of what each row would change; stores nothing else."""
    content = await file.read(MAX_BYTES + 1)
    return ImportPreview.model_validate(await transfer.preview(kind, file.filename or UNNAMED, content))


@router.get("/imports/{import_id}")
async def show_import(import_id: uuid.UUID, transfer: TransferServiceDep) -> ImportPreview:
    """An import's preview."""
    return ImportPreview.model_validate(await transfer.shown(import_id))


@router.get("/imports/{import_id}/file", response_class=Response)
async def download_import_file(import_id: uuid.UUID, transfer: TransferServiceDep) -> Response:
    """The file exactly as it was uploaded."""
    item = await transfer.original(import_id)
    return original_file_response(item.filename, item.content)


@router.post("/imports/{import_id}/apply", dependencies=MAY_CHANGE)
async def apply_import(import_id: uuid.UUID, transfer: TransferServiceDep) -> ImportPreview:
    """Applies the import all or nothing; refused while a row is wrong, or when it was applied already."""
    return ImportPreview.model_validate(await transfer.apply(import_id))
