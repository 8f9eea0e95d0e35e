"""Patient pages: registration with the duplicate check, the list, the patient page and its 基本情報 correction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response
from tbms_core.jp.gaiji import OUTPUTS, GaijiPolicy
from tbms_core.jp.my_number import MY_NUMBER_WARNING
from tbms_core.jp.text import normalize_input
from tbms_core.jp.wareki import WarekiError, format_both, parse_date

from gateway.clients.masters import MastersClient
from gateway.clients.patients import PatientsClient
from gateway.forms import DatePreview, EntryForm, Field, preview_date
from gateway.forms.chars import accepted_note, char_report, check_chars, gaiji_policy, master_policy
from gateway.forms.my_number import my_number_fields, my_number_warnings
from gateway.pages.patients import card_routes, export_routes, list_routes, record_routes, transfer_routes
from gateway.pages.patients.entry_forms.card import basic_fields, handover_values, nurse_field, registration_fields
from gateway.pages.patients.entry_forms.regimen import propose_planned_end
from gateway.pages.patients.page import PatientPageDep, definitions_today
from gateway.web.deps import ContactsDep, LoginDep, MastersDep, PatientsDep, ReportsDep
from gateway.web.templating import flash, render

router = APIRouter(prefix="/patients", tags=["患者"])
router.include_router(export_routes.router)
router.include_router(list_routes.router)
router.include_router(card_routes.router)
router.include_router(record_routes.router)
router.include_router(transfer_routes.router)
PRINTABLE_FORMS = frozenset({"F03", "F06", "F08", "F29"})
CHECKED_CHARS = ("name", "alias", "address", "guardian.name", "guardian.address")  # what forms and CSV carry


async def _form_page(
    request: Request,
    patients: PatientsClient,
    form: EntryForm,
    *,
    duplicates: Sequence[dict[str, Any]] = (),
    status_code: int = 200,
    filled: bool = False,
    policy: GaijiPolicy | None = None,
) -> Response:
    preview = preview_date(form.value("birth_date"))
    if "birth_date" in form.errors:
        preview = DatePreview(text=preview.text)  # the field's own message already says what is wrong
    guardian = form.group("guardian.")
    context = {
        "form": form,
        "codes": await patients.card_codes(),
        "title": "患者登録",
        "birth_preview": preview,
        "nav_path": "/patients/new",
        "duplicates": duplicates,
        "guardian_open": any(form.value(f.name) or f.name in form.errors for f in guardian),
        "filled": filled,
        "source_contact_id": form.value("source_contact_id"),
        "outputs": OUTPUTS,
    }
    check_chars(form, policy or gaiji_policy(request))  # each name's and address's 外字 report beside it
    return render(request, "patients/new.html", context, status_code=status_code)


def _checked_here(form: EntryForm, policy: GaijiPolicy) -> dict[str, str]:
    """What the gateway refuses before asking anyone: the browser's checks (required fields left empty, dates it
    cannot read, 郵便番号 and カナ; EntryForm.checked_here) and names with 外字 the health center's policy refuses.
    The patients service checks everything again."""
    errors = form.checked_here()
    for name, message in check_chars(form, policy).items():
        errors.setdefault(name, message)
    return errors


def _confirmation(
    request: Request,
    form: EntryForm,
    codes: dict[str, Any],
    posted: FormData,
    policy: GaijiPolicy,
    *,
    unconfirmed: bool = False,
) -> Response:
    """The 確認画面: every filled field as it will be registered, 外字 shown as outputs will carry them, and the
    個人番号 warning beside each free-text field that holds what looks like one (N17), to be confirmed."""
    rows = []
    for f in form.fields:
        typed = form.values.get(f.name)
        if f.kind == "hidden" or not typed:
            continue
        options = f.options(codes)
        if isinstance(typed, list):
            shown = "、".join(options.get(v, v) for v in typed)
        elif options:
            shown = options.get(typed, typed)
        elif f.kind == "date":
            try:
                shown = f"{typed}（{format_both(parse_date(typed))}）"
            except WarekiError:
                shown = typed
        else:
            shown = normalize_input(typed) if f.kind != "textarea" else typed
        rows.append((f, shown))
    chars = [(form.field(n), char_report(form.value(n), policy)) for n in CHECKED_CHARS if form.value(n)]
    skipped = ("csrf_token", "step", "my_number_confirmed")
    kept = [(key, str(value)) for key, value in posted.multi_items() if key not in skipped]
    context = {
        "title": "患者登録（確認）",
        "rows": rows,
        "kept": kept,
        "chars": [(f, r) for f, r in chars if not r.ok],
        "outputs": OUTPUTS,
        "nav_path": "/patients/new",
        "my_numbers": [form.field(name) for name in my_number_fields(form)],
        "my_number_warning": MY_NUMBER_WARNING,
        "my_number_unconfirmed": unconfirmed,
    }
    return render(request, "patients/confirm.html", context, status_code=422 if unconfirmed else 200)


async def _registration_fields(patients: PatientsClient, masters: MastersClient) -> tuple[Field, ...]:
    return registration_fields(
        await definitions_today(patients), await masters.districts(), await masters.nurse_names()
    )


@router.get("/new")
async def new_patient(
    request: Request,
    patients: PatientsDep,
    masters: MastersDep,
    contacts: ContactsDep,
    from_contact: uuid.UUID | None = None,
) -> Response:
    """The empty registration form; `from_contact` (the contact page's 「患者として登録する」) fills it from that
    contact, who is linked to the patient once registered. A contact already registered leads to their patient."""
    fields = await _registration_fields(patients, masters)
    if from_contact is None:
        return await _form_page(request, patients, EntryForm(fields, {"category": "patient"}))
    contact = await contacts.contact(str(from_contact))
    if contact.get("patient_id"):
        flash(request, f"接触者「{contact.get('name', '')}」はすでに患者として登録されています。")
        return RedirectResponse(f"/patients/{contact['patient_id']}", status_code=303)
    form = EntryForm(fields, handover_values(contact, fields))
    policy = gaiji_policy(request, await masters.gaiji_substitutes())
    return await _form_page(request, patients, form, filled=True, policy=policy)


@router.get("/new/nurse")
async def propose_nurse(
    request: Request, masters: MastersDep, _: LoginDep, district: str = "", address: str = "", nurse: str = ""
) -> Response:
    """The 担当保健師 field again (an htmx fragment), the nurse masters assigns to the typed address and district
    chosen, with why; the user may choose another. Nothing is proposed while masters names no nurse."""
    field = nurse_field(await masters.nurse_names())
    form = EntryForm((field,), {"nurse": nurse[:64]})
    proposal = await masters.nurse_lookup(district.strip(), address.strip()) if district or address else None
    proposed = (proposal or {}).get("proposed") or {}
    if proposed.get("nurse_username") and proposed["nurse_username"] in dict(field.choices):
        form.values["nurse"] = proposed["nurse_username"]
    context = {"form": form, "field": field, "proposal": proposal}
    return render(request, "patients/_nurse.html", context)


@router.post("")
async def register_patient(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """Registers a patient after the duplicate check; a wrong field shows the form again with every value kept."""
    posted = await request.form()
    fields = await _registration_fields(patients, masters)
    form = EntryForm.posted(fields, posted)
    policy = gaiji_policy(request, await masters.gaiji_substitutes())
    step = str(posted.get("step") or "")
    if step == "back":  # 「入力画面に戻って修正する」 on the confirmation page
        return await _form_page(request, patients, form, filled=True, policy=policy)
    if step != "confirmed" and (refused := _checked_here(form, policy)):
        form.place(refused)
        return await _form_page(request, patients, form, status_code=422, filled=True, policy=policy)
    candidates = await patients.possible_duplicates(
        form.value("name"), form.value("name_kana"), form.value("birth_date")
    )
    if candidates and not _confirmed_distinct(posted, candidates):
        return await _form_page(request, patients, form, duplicates=candidates, filled=True, policy=policy)
    if step != "confirmed":
        return _confirmation(request, form, await patients.card_codes(), posted, policy)
    if my_number_warnings(form, posted):  # 登録する without ticking 「個人番号ではないことを確認しました」
        return _confirmation(request, form, await patients.card_codes(), posted, policy, unconfirmed=True)
    result = await patients.register_patient(form.json())
    if result.errors is not None:
        form.place(result.errors)
        return await _form_page(request, patients, form, status_code=422, filled=True, policy=policy)
    record: dict[str, Any] = result.record  # type: ignore[assignment]
    number = record.get("registration_no") or "—"
    linked = (
        "接触者の記録にもこの患者を結び付けます（数秒かかることがあります）。"
        if form.value("source_contact_id")
        else ""
    )
    flash(request, f"患者「{record.get('name', '')}」を登録しました（登録番号 {number}）。{linked}")
    return RedirectResponse(f"/patients/{record['id']}", status_code=303)


def _confirmed_distinct(posted: FormData, candidates: Sequence[dict[str, Any]]) -> bool:
    """True when the user ticked 別人 after seeing every one of these candidates (not only earlier ones)."""
    seen = set(str(posted.get("checked_duplicates") or "").split())
    return posted.get("confirm_distinct") == "yes" and {str(c["id"]) for c in candidates} <= seen


@router.get("/planned-end")
async def planned_end(
    request: Request, _: LoginDep, regimen: str = "", started_on: str = "", target: str = ""
) -> Response:
    """終了予定日 proposed from a standard regimen and the start date (an htmx fragment with a button to use it)."""
    proposal = propose_planned_end(regimen, started_on)
    safe_target = target if target.replace("-", "").replace("_", "").isalnum() else ""
    return render(request, "patients/_planned_end.html", {"proposal": proposal, "target": safe_target})


@router.get("/birth-date-preview")
async def birth_date_preview(request: Request, _: LoginDep, birth_date: str = "") -> Response:
    """The typed 生年月日 (or another date field's value, e.g. F06's period) read back in 和暦 and 西暦 (htmx)."""
    typed = birth_date or next(iter(request.query_params.values()), "")
    return render(request, "patients/_date_preview.html", {"preview": preview_date(typed)})


@router.get("")
async def list_patients(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """患者一覧: sorted and filtered as the URL says, with 注意事項 and 次回予定, 50 a page."""
    return await list_routes.list_page(request, patients, masters)


@router.get("/{patient_id:uuid}")
async def view_patient(patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """The patient page: header, every section of the card, care records, 菌検査 and 修正履歴."""
    return await page.show(patient_id)


@router.post("/{patient_id:uuid}/edit")
async def correct_patient(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """Saves a correction of 基本情報; a wrong field, a name with 外字 the policy refuses or a newer save by someone
    else shows the page again."""
    fields = basic_fields(await definitions_today(page.patients), await page.masters.districts())
    posted = await request.form()
    form = EntryForm.posted(fields, posted)
    if held := await page.held_here(patient_id, "basic", form, posted):
        return held
    if refused := check_chars(form, await master_policy(request, page.masters)):  # 外字 the policy refuses (N26)
        form.place(refused)
        return await page.refused_here(patient_id, "basic", form)
    saved = await page.patients.correct_patient(str(patient_id), form.version, form.json(), form.value("reason"))
    note = accepted_note(form)
    return await page.after_save(patient_id, key="basic", form=form, saved=saved, anchor="basic-title", note=note)


@router.post("/{patient_id:uuid}/documents")
async def print_form(request: Request, patient_id: uuid.UUID, reports: ReportsDep) -> Response:
    """Generates a form (F03 結核登録票, F06 経過記録 for a period, F08 行動調査票, F29 管理検診お知らせ) and opens
    the PDF; a period that cannot be read comes back with its message beside the date."""
    posted = await request.form()
    form_code = str(posted.get("form") or "F03")
    period: dict[str, str] = {}
    if form_code == "F06":
        values, period, errors = print_period(posted)
        if errors:
            context = {"patient_id": patient_id, "values": values, "errors": errors}
            return render(request, "patients/f06_period.html", context, status_code=422)
    form = form_code if form_code in PRINTABLE_FORMS else "F03"
    document = await reports.create_document(form, str(patient_id), **period)
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)


def print_period(posted: FormData) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """F06's period as typed (with each date read back), as reports takes it (ISO dates), and a message per field
    that cannot be read or ends before it starts."""
    values: dict[str, str] = {}
    period: dict[str, str] = {}
    errors: dict[str, str] = {}
    days = {}
    for name in ("period_from", "period_to"):
        typed = str(posted.get(name) or "").strip()
        values[name] = typed
        if not typed:
            continue
        try:
            days[name] = parse_date(typed)
        except WarekiError as exc:
            errors[name] = str(exc)  # parse_date's words, as static/checks.js says them before sending (N27)
            continue
        values[f"{name}_label"] = format_both(days[name])
        period[name] = days[name].isoformat()
    if not errors and "period_from" in days and "period_to" in days and days["period_to"] < days["period_from"]:
        errors["period_to"] = f"始まり（{format_both(days['period_from'])}）と同じ日かそれより後にしてください。"
    return values, period, errors
