"""患者データのCSV出力 (R24, R33): the conditions form, and patients' CSV file relayed to the browser.

The form is sent with GET: an export only reads, so staff with 患者管理 参照 may use it (a POST under
/patients needs 更新 in the gateway). The conditions are checked by patients alone; its Japanese messages are
shown beside the fields they are about.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from tbms_core.auth import Access, Area

from gateway.forms import DATE_HINT, EntryForm
from gateway.pages.patients.entry_forms.export import export_conditions, export_fields
from gateway.web.deps import MastersDep, PatientsDep, require_access, same_site_only
from gateway.web.downloads import csv_format, relay
from gateway.web.templating import render

router = APIRouter(tags=["患者"])
CAN_READ_PATIENTS = [Depends(same_site_only), Depends(require_access(Area.PATIENTS, Access.READ))]


def _page(request: Request, form: EntryForm, *, status_code: int = 200) -> Response:
    context = {"form": form, "title": "患者データのCSV出力", "date_hint": DATE_HINT, "nav_path": "/patients"}
    return render(request, "patients/export.html", context, status_code=status_code)


@router.get("/export", dependencies=CAN_READ_PATIENTS)
async def export_patients(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """The conditions form; with `target` given, the CSV file itself (or the form with patients' messages)."""
    typed = request.query_params
    fields = export_fields(await masters.districts())
    form = EntryForm(fields, {f.name: str(typed.get(f.name) or "") for f in fields})
    if "target" not in typed:
        form.values["target"], form.values["encoding"] = "patients", "utf-8"
        return _page(request, form)
    answer = await patients.export(export_conditions(form) | csv_format(request))
    if answer.download is None:
        form.place(answer.errors or {})
        return _page(request, form, status_code=422)
    return relay(answer.download)
