"""患者データのCSV出力 (R24, R33): the conditions form, and patients' CSV file relayed to the browser.

The form is sent with GET: an export only reads, so staff with 患者管理 参照 may use it (a POST under
/patients needs 更新 in the gateway). The conditions are checked by patients alone; its Japanese messages are
shown beside the fields they are about.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Depends, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from tbms_core.auth import Access, Area

from gateway.deps import BackendDep, require_access
from gateway.forms import DATE_HINT, GENERAL_ERROR, EntryForm, Field
from gateway.templating import render

router = APIRouter(prefix="/patients", tags=["患者"])
CAN_READ_PATIENTS = [Depends(require_access(Area.PATIENTS, Access.READ))]
TARGETS = {"patients": "患者一覧（基本情報）", "lab_results": "菌検査の結果", "treatments": "治療"}
STATUSES = {"active": "登録中", "excluded": "登録除外"}
FIELDS: tuple[Field, ...] = (
    Field("target", "出力する内容", required=True, kind="radio", choices=tuple(TARGETS.items())),
    Field("registered_from", "登録年月日（開始）"),
    Field("registered_to", "登録年月日（終了・この日を含む）"),
    Field("status", "状態", kind="select", choices=tuple(STATUSES.items())),
    Field("district", "地区", hint="例: 世田谷（完全一致）"),
)
FAILED = "CSVを出力できませんでした。条件を確認してください。"


def _page(request: Request, form: EntryForm, *, status_code: int = 200) -> Response:
    context = {"form": form, "title": "患者データのCSV出力", "date_hint": DATE_HINT, "nav_path": "/patients"}
    return render(request, "patients/export.html", context, status_code=status_code)


def _conditions(form: EntryForm) -> dict[str, str]:
    """The query string for patients: only the conditions given, as typed (patients reads 和暦 and 西暦)."""
    return {f.name: form.value(f.name).strip() for f in FIELDS if form.value(f.name).strip()}


@router.get("/export", dependencies=CAN_READ_PATIENTS)
async def export_patients(request: Request, backend: BackendDep) -> Response:
    """The conditions form; with `target` given, the CSV file itself (or the form with patients' messages)."""
    typed = request.query_params
    form = EntryForm(FIELDS, {f.name: str(typed.get(f.name) or "") for f in FIELDS})
    if "target" not in typed:
        form.values["target"] = "patients"
        return _page(request, form)
    url = f"{backend.settings.patients_url}/patients/export"
    response = await backend.send("GET", url, params=_conditions(form), stream=True)
    if response.status_code != 200:
        form.place(await _refusal(response))
        return _page(request, form, status_code=422)
    return _relay(response)


async def _refusal(response: httpx.Response) -> dict[str, str]:
    """patients' messages per field (a general one under "_"), from its 422 answer."""
    try:
        await response.aread()
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    finally:
        await response.aclose()
    return body.get("errors") or {GENERAL_ERROR: str(body.get("detail") or FAILED)}


def _relay(response: httpx.Response) -> StreamingResponse:
    """Streams patients' CSV file to the browser under the same (Japanese) file name."""
    return StreamingResponse(
        response.aiter_bytes(),
        media_type=response.headers.get("content-type", "text/csv; charset=utf-8"),
        headers={"Content-Disposition": response.headers.get("content-disposition", "attachment")},
        background=BackgroundTask(response.aclose),
    )
