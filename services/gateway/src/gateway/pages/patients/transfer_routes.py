"""転出先への送付 (施行規則27条の8; N32): for a 転出, the patient's filed documents made into an encrypted file whose
key is shown once, and the record of what was sent to the new health centre, to whom, when and how."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.forms import DATE_HINT, EntryForm, Field
from gateway.web.deps import PatientsDep, ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.errors import PageNotFound
from gateway.web.templating import flash, jst, render

router = APIRouter()
CAN_SEND = [
    Depends(require_access(Area.PATIENTS, Access.UPDATE)),
    Depends(require_access(Area.FORMS, Access.READ)),
]
DOCUMENTS = (("registration_card", "登録票"), ("record_summary", "記録の要約"))
METHODS = (("paper_mail", "郵送（紙）"), ("hand", "手渡し（紙）"), ("electronic", "電子ファイル（暗号化）"))
KEY_CHANNELS = (("phone", "電話で伝達"), ("fax", "FAXで送付"), ("post", "別便で郵送"), ("hand", "手渡し"))
SENDING_ALIASES = {"direction": "documents", "package_id": "method", "package_sha256": "method"}


def package_fields(documents: list[dict[str, Any]]) -> tuple[Field, ...]:
    """The patient's filed documents to tick for the encrypted file."""
    choices = tuple((str(d["id"]), f"{d['title']}（{d['kind']}）{jst(d['created_at'])}出力") for d in documents)
    label = "暗号化ファイルに入れる帳票・資料"
    return (Field("document_ids", label, required=True, kind="checkboxes", choices=choices),)


def sending_fields(counterpart: str) -> tuple[Field, ...]:
    """What was sent, to whom, when and how; for an encrypted file which one and how its key went."""
    return (
        Field("documents", "送付した書類", kind="checkboxes", choices=DOCUMENTS),
        Field("other_documents", "その他の書類", hint="例：胸部X線写真の所見、服薬記録の写し"),
        Field("method", "送付方法", required=True, kind="radio", choices=METHODS),
        Field("sent_on", "送付日", required=True, kind="date", hint=DATE_HINT),
        Field("recipient", "送付先", hint=f"空欄のときは転出先の保健所（{counterpart or '未入力'}）"),
        Field("package_id", "暗号化ファイル", kind="hidden", blank="omit"),
        Field("package_sha256", "暗号化ファイルのSHA-256", kind="hidden", blank="omit"),
        Field("key_channel", "パスワードの伝達方法", kind="radio", choices=KEY_CHANNELS, blank="omit"),
        Field("key_sent_on", "パスワードを伝えた日", kind="date", hint=DATE_HINT),
        Field("note", "備考", kind="textarea"),
    )


def correction_fields(counterpart: str, sending_id: str) -> tuple[Field, ...]:
    """A recorded sending's items and the reason of the correction, bound to that sending's form."""
    reason = Field("reason", "修正の理由", required=True, hint="例：送付方法を誤って記録した")
    return tuple(f.bound(f"s{sending_id[:8]}") for f in (*sending_fields(counterpart), reason))


def correction_changes(form: EntryForm) -> dict[str, Any]:
    """Every item of the sending as corrected (an emptied one sent empty, so a paper sending loses its key)."""
    changes = form.json(skip=("reason",))
    for name in ("package_id", "key_sent_on"):
        changes[name] = changes.get(name) or None
    for name in ("package_sha256", "key_channel"):
        changes[name] = changes.get(name) or ""
    return changes


async def _transfer(patients: Any, patient_id: uuid.UUID, record_id: uuid.UUID) -> tuple[dict[str, Any], dict]:
    """The patient's record and the 転出 asked for (no other record has this page)."""
    record = await patients.patient_record(str(patient_id))
    move = next((t for t in record["care"].get("transfers", []) if t["id"] == str(record_id)), None)
    if move is None or move["data"].get("direction") != "out":
        raise PageNotFound("この転出の記録が見つかりません。")
    return record, move


async def _page(
    request: Request,
    patients: Any,
    reports: Any,
    patient_id: uuid.UUID,
    record_id: uuid.UUID,
    *,
    package_form: EntryForm | None = None,
    sending_form: EntryForm | None = None,
    package: dict[str, Any] | None = None,
    correction: tuple[str, EntryForm] | None = None,
    status_code: int = 200,
) -> Response:
    record, move = await _transfer(patients, patient_id, record_id)
    documents = (await reports.printed_documents("patient", str(patient_id)))["items"]
    counterpart = str(move["data"].get("counterpart") or "")
    if sending_form is None:
        values: dict[str, Any] = {"documents": [], "method": ""}
        if package:
            values |= {"method": "electronic", "package_id": package["id"], "package_sha256": package["sha256"]}
        sending_form = EntryForm(sending_fields(counterpart), values, version=str(move["version"]))
    corrections = {
        s["id"]: EntryForm.filled(correction_fields(counterpart, s["id"]), s, version=move["version"])
        for s in move.get("sendings", [])
    }
    if correction is not None:
        corrections[correction[0]] = correction[1]
    context = {
        "corrections": corrections,
        "patient": record["patient"],
        "move": move,
        "documents": documents,
        "package_form": package_form or EntryForm(package_fields(documents), {"document_ids": []}),
        "sending_form": sending_form,
        "package": package,
        "title": "転出先への送付",
    }
    return render(request, "patients/transfer_sending.html", context, status_code=status_code)


@router.get("/{patient_id:uuid}/transfers/{record_id:uuid}/sending", dependencies=CAN_SEND)
async def sending_page(
    request: Request, patient_id: uuid.UUID, record_id: uuid.UUID, patients: PatientsDep, reports: ReportsDep
) -> Response:
    """The page: the documents to encrypt, the sendings so far and the form to record one."""
    return await _page(request, patients, reports, patient_id, record_id)


@router.post("/{patient_id:uuid}/transfers/{record_id:uuid}/package", dependencies=CAN_SEND)
async def make_package(
    request: Request, patient_id: uuid.UUID, record_id: uuid.UUID, patients: PatientsDep, reports: ReportsDep
) -> Response:
    """Makes the encrypted file of the ticked documents and shows its key this once (it is kept nowhere)."""
    documents = (await reports.printed_documents("patient", str(patient_id)))["items"]
    form = EntryForm.posted(package_fields(documents), await request.form())
    ids = list(form.values.get("document_ids") or [])
    if not ids:
        form.place({"document_ids": "暗号化ファイルに入れる帳票・資料を1つ以上選んでください。"})
        return await _page(request, patients, reports, patient_id, record_id, package_form=form, status_code=422)
    result = await reports.make_package(str(patient_id), ids)
    if result.record is None:
        form.place(result.errors or {"document_ids": result.conflict or "暗号化ファイルを作成できませんでした。"})
        return await _page(request, patients, reports, patient_id, record_id, package_form=form, status_code=422)
    return await _page(request, patients, reports, patient_id, record_id, package_form=form, package=result.record)


@router.get("/{patient_id:uuid}/packages/{package_id:uuid}", dependencies=CAN_SEND)
async def download_package(patient_id: uuid.UUID, package_id: uuid.UUID, reports: ReportsDep) -> Response:
    """The encrypted file (its key is not in it and not kept), only under the patient whose documents it holds."""
    if (await reports.package(str(package_id)))["patient_id"] != str(patient_id):
        raise PageNotFound("この患者の暗号化ファイルが見つかりません。")
    return relay(await reports.package_content(str(package_id)), media_type="application/zip")


@router.post("/{patient_id:uuid}/transfers/{record_id:uuid}/sending", dependencies=CAN_SEND)
async def record_sending(
    request: Request, patient_id: uuid.UUID, record_id: uuid.UUID, patients: PatientsDep, reports: ReportsDep
) -> Response:
    """Records the sending; a refused one comes back with the messages beside the fields, nothing saved."""
    _, move = await _transfer(patients, patient_id, record_id)
    form = EntryForm.posted(sending_fields(str(move["data"].get("counterpart") or "")), await request.form())
    body = {k: v for k, v in form.json(skip=()).items() if v not in (None, "")}
    body["version"] = int(form.version) if form.version.isdigit() else form.version
    result = await patients.send_transfer(str(patient_id), str(record_id), body)
    if result.record is not None:
        flash(request, "転出先への送付を記録しました。", target="transfers-title")
        return RedirectResponse(f"/patients/{patient_id}#transfers-title", status_code=303)
    if result.conflict:
        form.conflict = result.conflict
    else:
        form.place(result.errors or {}, SENDING_ALIASES)
    code = 409 if result.conflict else 422
    return await _page(request, patients, reports, patient_id, record_id, sending_form=form, status_code=code)


@router.post("/{patient_id:uuid}/transfers/{record_id:uuid}/sendings/{sending_id:uuid}", dependencies=CAN_SEND)
async def correct_sending(
    request: Request,
    patient_id: uuid.UUID,
    record_id: uuid.UUID,
    sending_id: uuid.UUID,
    patients: PatientsDep,
    reports: ReportsDep,
) -> Response:
    """Corrects a wrong sending with a reason (a sending is never deleted); a refusal stays beside its field."""
    _, move = await _transfer(patients, patient_id, record_id)
    fields = correction_fields(str(move["data"].get("counterpart") or ""), str(sending_id))
    form = EntryForm.posted(fields, await request.form())
    result = await patients.correct_sending(
        str(patient_id), str(record_id), str(sending_id), form.version, correction_changes(form), form.value("reason")
    )
    if result.record is not None:
        flash(request, "送付の記録を修正しました。", target="sent-title")
        return RedirectResponse(f"/patients/{patient_id}/transfers/{record_id}/sending#sent-title", status_code=303)
    if result.conflict:
        form.conflict = result.conflict
    else:
        form.place(result.errors or {}, SENDING_ALIASES)
    code = 409 if result.conflict else 422
    return await _page(
        request, patients, reports, patient_id, record_id, correction=(str(sending_id), form), status_code=code
    )
