"""Import and export of a master (R26): every row as CSV or Excel, and an upload previewed row by row
(新規 / 変更 / 変更なし / エラー) before it is applied all or nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.masters import EXPORT_FORMATS, MasterKind, MastersClient
from gateway.forms import EntryForm
from gateway.pages.masters.entry_forms import UPLOAD_FIELD, upload_form
from gateway.pages.masters.view import IMPORT_STATUSES, PreviewView, applied_message, preview_rows
from gateway.web.deps import MastersDep, require_access
from gateway.web.downloads import csv_format, relay
from gateway.web.errors import PageNotFound
from gateway.web.templating import flash, render

router = APIRouter()
CAN_READ = [Depends(require_access(Area.MASTERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.MASTERS, Access.UPDATE))]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # 10,000 institutions are about 2 MB of CSV
UPLOAD_TYPES = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
WRONG_TYPE = "CSVファイル（.csv）またはExcelファイル（.xlsx）を選んでください。"


@router.get("/{kind}/export.{file_format}", dependencies=CAN_READ)
async def export_rows(request: Request, kind: str, file_format: str, masters: MastersDep) -> Response:
    """Every row of the master with Japanese headers, as masters writes it (CSV with BOM or in Shift_JIS, or Excel)."""
    if file_format not in EXPORT_FORMATS:
        raise PageNotFound()
    await masters.kind(kind)
    return relay(await masters.export(kind, file_format, csv_format(request)))


@router.get("/{kind}/import", dependencies=CAN_UPDATE)
async def import_form(request: Request, kind: str, masters: MastersDep) -> Response:
    """The upload of a file to import."""
    return _upload_page(request, await masters.kind(kind), upload_form())


@router.post("/{kind}/import", dependencies=CAN_UPDATE)
async def upload(request: Request, kind: str, masters: MastersDep) -> Response:
    """Sends the file to masters for a preview and shows it; nothing changes until 「取り込む」."""
    master = await masters.kind(kind)
    form = upload_form()
    file = (await request.form()).get(UPLOAD_FIELD.name)
    content, name = await _read(file, form)
    if not form.errors:
        suffix = name[name.rfind(".") :].lower()
        sent = await masters.upload_import(kind, name, content, UPLOAD_TYPES[suffix])
        if sent.record is not None:
            preview_url = f"/masters/{kind}/imports/{quote(str(sent.record['id']), safe='')}"
            return RedirectResponse(preview_url, status_code=303)
        form.place({UPLOAD_FIELD.name if key == "file" else key: text for key, text in (sent.errors or {}).items()})
    return _upload_page(request, master, form, status_code=422)


async def _read(file: UploadFile | str | None, form: EntryForm) -> tuple[bytes, str]:
    """The uploaded file's bytes and name; what is wrong with it noted in the form."""
    if not isinstance(file, UploadFile) or not file.filename:
        form.errors[UPLOAD_FIELD.name] = "取り込むファイルを選んでください。"
        return b"", ""
    name = file.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not any(name.lower().endswith(suffix) for suffix in UPLOAD_TYPES):
        form.errors[UPLOAD_FIELD.name] = WRONG_TYPE
        return b"", name
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        form.errors[UPLOAD_FIELD.name] = "ファイルが空です。"
    elif len(content) > MAX_UPLOAD_BYTES:
        form.errors[UPLOAD_FIELD.name] = "ファイルが大きすぎます（20MBまで）。分けて取り込んでください。"
    return content, name


def _upload_page(request: Request, master: MasterKind, form: EntryForm, status_code: int = 200) -> Response:
    context = {"kind": master, "form": form, "title": f"{master.label}の一括取込", "nav_path": "/masters"}
    return render(request, "masters/import.html", context, status_code=status_code)


@router.get("/{kind}/imports/{import_id}", dependencies=CAN_UPDATE)
async def preview(request: Request, kind: str, import_id: str, masters: MastersDep, status: str = "") -> Response:
    """Each row of the file: 新規, 変更 (item: before → after), 変更なし or エラー (why), and the counts."""
    master = await masters.kind(kind)
    return _preview_page(request, master, await _preview_of(masters, kind, import_id), status)


@router.post("/{kind}/imports/{import_id}/apply", dependencies=CAN_UPDATE)
async def apply(request: Request, kind: str, import_id: str, masters: MastersDep) -> Response:
    """Applies the new and changed rows all at once, and goes back to the list saying how many."""
    master = await masters.kind(kind)
    previewed = await _preview_of(masters, kind, import_id)
    applied = await masters.apply_import(import_id)
    if applied.record is not None:
        flash(request, applied_message(applied.record.get("counts") or previewed.get("counts") or {}))
        return RedirectResponse(f"/masters/{kind}", status_code=303)
    refusal = applied.conflict or next(iter((applied.errors or {}).values()), "取り込めませんでした。")
    return _preview_page(request, master, previewed, "", refusal=refusal, status_code=422)


async def _preview_of(masters: MastersClient, kind: str, import_id: str) -> dict[str, Any]:
    previewed = await masters.import_preview(import_id)
    if previewed.get("kind") != kind:
        raise PageNotFound("指定された取込が見つかりません。")
    return previewed


def _preview_page(
    request: Request,
    master: MasterKind,
    previewed: dict[str, Any],
    status: str,
    *,
    refusal: str = "",
    status_code: int = 200,
) -> Response:
    view = PreviewView(previewed, status if status in IMPORT_STATUSES else "")
    context = {
        "kind": master,
        "preview": view,
        "rows": preview_rows(master, view.rows),
        "statuses": IMPORT_STATUSES,
        "refusal": refusal,
        "title": f"{master.label}の一括取込：内容の確認",
        "nav_path": "/masters",
    }
    return render(request, "masters/preview.html", context, status_code=status_code)
