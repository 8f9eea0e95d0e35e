"""様式の版 (R33 for forms): administrators upload a new version of a form's template (HTML and CSS) with the day it
takes effect (様式改正), list the versions with the one in force today, and preview any version with a real
patient's record before it takes effect. Looking needs 帳票 参照; uploading needs マスタ管理 更新."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse
from tbms_core.auth import Access, Area

from gateway.pages.documents import view as v
from gateway.web.deps import PatientsDep, ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.errors import BadRequest, PageNotFound
from gateway.web.templating import flash, render

router = APIRouter()
CAN_LOOK = [Depends(require_access(Area.FORMS, Access.READ))]
CAN_UPLOAD = [Depends(require_access(Area.MASTERS, Access.UPDATE))]
MAX_HTML, MAX_CSS = 500_000, 200_000  # as reports accepts them (characters)


@router.get("/templates", dependencies=CAN_LOOK)
async def template_forms(request: Request, reports: ReportsDep) -> Response:
    """Every printable form whose template can be versioned, by genre."""
    forms = await reports.forms()
    return render(request, "documents/templates.html", {"title": "帳票の様式（版の管理）", "forms": forms})


@router.get("/templates/{form}", dependencies=CAN_LOOK)
async def template_versions(request: Request, form: str, reports: ReportsDep, patients: PatientsDep) -> Response:
    """A form's template versions, the one in force today marked; the preview and (for administrators) the upload."""
    return await _versions_page(request, form, reports, patients)


async def _versions_page(
    request: Request,
    form: str,
    reports: ReportsDep,
    patients: PatientsDep,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    spec = await _form(reports, form)
    versions = [v.template_row(t) for t in await reports.form_templates(spec["id"])]
    listed = await patients.patients(limit=50)
    context: dict[str, Any] = {
        "title": f"様式の版：{spec['id']} {spec['title']}",
        "form": spec,
        "versions": versions,
        "patients": listed.get("items", []),
        "typed": typed or {},
        "errors": errors or {},
    }
    return render(request, "documents/template_versions.html", context, status_code=status_code)


async def _form(reports: ReportsDep, form: str) -> dict[str, Any]:
    found = next((f for f in await reports.forms() if f["id"] == form.upper()), None)
    if found is None:
        raise PageNotFound(f"帳票「{form}」の様式はここでは管理できません。")
    return found


@router.post("/templates/{form}", dependencies=CAN_UPLOAD)
async def upload_template(request: Request, form: str, reports: ReportsDep, patients: PatientsDep) -> Response:
    """Stores a new version; every mistake is said beside its field and nothing is stored."""
    spec = await _form(reports, form)
    posted = await request.form()
    typed = {key: str(posted.get(key) or "").strip() for key in ("revision", "effective_from", "note")}
    errors: dict[str, str] = {}
    if not typed["revision"]:
        errors["revision"] = "版（例: 2）を入力してください。"
    effective = v.typed_date(typed["effective_from"], errors, "effective_from", "施行日")
    html = await _text(posted.get("html"), "html", "様式のHTML", MAX_HTML, errors, required=True)
    css = await _text(posted.get("css"), "css", "様式のCSS", MAX_CSS, errors, required=False)
    if not errors:
        body = {**typed, "effective_from": effective or "", "html": html, "css": css}
        result = await reports.upload_template(spec["id"], body)
        if result.record is not None:
            saved = v.template_row(result.record)
            flash(
                request,
                f"第{saved['revision']}版（{saved['effective_label']}施行）を登録しました。"
                "施行日より前の日付で印刷する帳票は、それまでの版で印刷されます。",
            )
            return RedirectResponse(f"/documents/templates/{spec['id']}", status_code=303)
        errors = {key if key in FIELDS else "html": message for key, message in (result.errors or {}).items()}
        errors = errors or {"html": result.conflict or "様式の版を登録できませんでした。"}
    return await _versions_page(request, form, reports, patients, typed=typed, errors=errors, status_code=422)


FIELDS = ("revision", "effective_from", "html", "css", "note")


async def _text(value: object, key: str, what: str, limit: int, errors: dict[str, str], *, required: bool) -> str:
    """A chosen file's text (UTF-8), or a message beside its field."""
    if not isinstance(value, UploadFile) or not value.filename:
        if required:
            errors[key] = f"{what}のファイルを選んでください。"
        return ""
    raw = await value.read(limit * 4 + 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors[key] = f"{what}は UTF-8 の文字コードで保存したファイルを選んでください。"
        return ""
    if len(text) > limit:
        errors[key] = f"{what}が大きすぎます（{limit:,}文字まで）。"
        return ""
    if required and not text.strip():
        errors[key] = f"{what}のファイルが空です。"
    return text


@router.get("/templates/{form}/preview", dependencies=CAN_LOOK)
async def preview_template(
    form: str,
    reports: ReportsDep,
    patient_id: str = Query("", max_length=40),
    template_id: str = Query("", max_length=40),
) -> StreamingResponse:
    """The form printed with a chosen version for a real patient, shown in the browser (not stored, audited)."""
    try:
        patient = str(uuid.UUID(patient_id))
        chosen = str(uuid.UUID(template_id)) if template_id else None
    except ValueError:
        raise BadRequest("プレビューする患者と様式の版を選んでから開いてください。") from None
    return relay(await reports.form_preview(form.upper(), patient, chosen), media_type="application/pdf")


@router.get("/templates/{form}/source", dependencies=CAN_LOOK)
async def template_source(
    form: str,
    reports: ReportsDep,
    part: str = Query("html", pattern="^(html|css)$"),
    template_id: str = Query("", max_length=40),
) -> Response:
    """A version's HTML or CSS saved as a file, to write the next version from."""
    try:
        chosen = str(uuid.UUID(template_id)) if template_id else None
    except ValueError:
        raise BadRequest("様式の版の指定が正しくありません。") from None
    source = await reports.template_source(form.upper(), chosen)
    name = f"{source['form_id'].lower()}-{source['revision']}.{part}"
    headers = {"Content-Disposition": v.content_disposition(name).replace("inline", "attachment", 1)}
    media = "text/html" if part == "html" else "text/css"
    return Response(source[part], media_type=f"{media}; charset=utf-8", headers=headers)
