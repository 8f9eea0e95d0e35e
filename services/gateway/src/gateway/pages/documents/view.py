"""How a generated document is named when the browser opens or saves it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tbms_core.clock import JST, today
from tbms_core.jp.wareki import WarekiError, parse_date

from gateway.web.errors import PageNotFound
from gateway.web.templating import wareki, wareki_with_seireki


def document_filename(meta: dict[str, Any], registration_no: str | None) -> str:
    """The file name staff expect: <form>_<登録番号>.pdf (F03_2026-00001.pdf), or <form>.pdf without one."""
    form = str(meta.get("form") or meta.get("kind") or "document")
    return f"{form}_{registration_no}.pdf" if registration_no else f"{form}.pdf"


def content_disposition(filename: str) -> str:
    """inline with an ASCII fallback and the real name RFC 5987-encoded (F03_2026-00001.pdf)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


OWNER_KINDS = {"patients": "patient", "contacts": "contact"}


@dataclass(frozen=True)
class Owner:
    """Whose files a page shows: a patient or a contact, their name and the page the files belong to."""

    owner_type: str  # patient, contact (as reports names them)
    id: str
    name: str
    label: str  # 患者, 接触者
    record_page: str  # the patient's or contact's own page

    @property
    def page(self) -> str:
        """The files page of this record."""
        return f"/documents/{self.owner_type}s/{self.id}/files"


def owner_kind(kind: str) -> str:
    """The path word (patients, contacts), or the not-found page for any other."""
    if kind not in OWNER_KINDS:
        raise PageNotFound()
    return kind


def kind_of(owner_type: str) -> str:
    """The path word of an owner type (patient → patients)."""
    return f"{owner_type}s" if f"{owner_type}s" in OWNER_KINDS else "patients"


def patient_owner(patient: dict[str, Any]) -> Owner:
    """A patient as the owner of files."""
    pid = str(patient["id"])
    return Owner("patient", pid, str(patient.get("name") or ""), "患者", f"/patients/{pid}")


def contact_owner(contact: dict[str, Any]) -> Owner:
    """A contact as the owner of files."""
    cid = str(contact["id"])
    return Owner("contact", cid, str(contact.get("name") or ""), "接触者", f"/contacts/{cid}")


def size_label(size: int) -> str:
    """1.2MB, 340KB, 12バイト."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}MB"
    return f"{size // 1024}KB" if size >= 1024 else f"{size}バイト"


def attachment_row(attachment: dict[str, Any]) -> dict[str, Any]:
    """What a row of the files table shows: kind, title, dates in 和暦, the current file and older versions."""
    current = attachment["current"]
    return {
        **attachment,
        "document_date_label": wareki(attachment.get("document_date")),
        "uploaded_label": datetime_label(current["uploaded_at"]),
        "size_label": size_label(int(current["size"])),
        "older": [f for f in attachment["versions"] if f["number"] != current["number"]],
    }


def printed_row(document: dict[str, Any]) -> dict[str, Any]:
    """A printed form filed with the record: which form, when (和暦), who printed it, the template version."""
    return {**document, "printed_label": datetime_label(document["created_at"])}


def datetime_label(value: str) -> str:
    """令和8年12月3日 14:05 in Japan time."""
    moment = datetime.fromisoformat(value).astimezone(JST)
    return f"{wareki(moment.date())} {moment:%H:%M}"


def required_rows(patient_id: str, missing: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each empty required item with the link to the section of the patient page where it is filled in."""
    return [{"label": m["label"], "href": f"/patients/{patient_id}#{m['section']}"} for m in missing]


def batch_view(batch: dict[str, Any]) -> dict[str, Any]:
    """A batch's progress as the page shows it; each form not printed links to the page of its record."""
    skipped = [s | {"link": skipped_link(s)} for s in batch.get("skipped") or []]
    return {
        **batch,
        "skipped": skipped,
        "created_label": datetime_label(batch["created_at"]),
        "running": batch["status"] in RUNNING,
    }


def skipped_link(item: dict[str, str]) -> str:
    """The page where what a skipped form lacks is filled in: the patient's, the contact's, the 診査会's."""
    if item.get("patient_id"):
        return f"/patients/{quote(item['patient_id'])}"
    if item.get("contact_id"):
        return f"/contacts/{quote(item['contact_id'])}"
    if item.get("record_id"):
        kind = "sessions" if item.get("form") == "F14" else "cases"
        return f"/board/{kind}/{quote(item['record_id'])}"
    return ""


RUNNING = ("queued", "running")


# what a batch of each genre prints besides the 患者管理 forms reports lists: the 診査会's papers of a session, and
# the 接触者健診 forms of a screening day (each only where it applies to the case or contact)
# (form, title, ticked unless chosen otherwise): the 診査会's in the order a session's papers are put together
BOARD_BATCH_FORMS = (
    ("F16", "諮問書", True), ("F17", "委員用資料", True), ("F28", "諮問書（委員用）", True),
    ("F09", "協議会結果（病院に送る）", True), ("F13", "37条決定通知書", True), ("F15", "患者票", True),
    ("F10", "18条勧告文（就業制限通知書）", True), ("F11", "19条勧告文（入院勧告書）", True),
    ("F12", "20条勧告文（入院勧告書）", True), ("F14", "あて名ラベル（診査会ごとに1枚）", True),
)  # fmt: skip
# a screening day's: each contact's papers, then F05 of each index patient and the F25 受付簿 of each place
CONTACT_BATCH_FORMS = (
    ("F18", "健康診断の勧告書（勧告中の人）", True), ("F29", "健診のお知らせ", True), ("F19", "受診票", True),
    ("F23", "実施票", True), ("F24", "照射録（保健所で撮影した人）", True),
    ("F21", "結果報告書（検査を終えた人）", True), ("F22", "【保健所実施】結果文書（検査を終えた人）", True),
    ("F26", "結果報告書（医療機関で受診する人）", True), ("F05", "家族・接触者健診実施状況（発端患者ごと）", True),
    ("F25", "受付簿（会場ごと、受付のあった会場）", True),
)  # fmt: skip
GENRE_FORMS = {"診査会": BOARD_BATCH_FORMS, "接触者健診": CONTACT_BATCH_FORMS}


def genre_titles(genre: str, forms: list[dict[str, Any]]) -> list[str]:
    """The titles of the forms a batch of the genre prints unless others are chosen (those that apply to each)."""
    if genre in GENRE_FORMS:  # the titles alone (to whom each applies is said beside its tick)
        return list(dict.fromkeys(title.split("（")[0] for _, title, ticked in GENRE_FORMS[genre] if ticked))
    titles = [f["title"] for f in forms if f["genre"] == genre]
    return [*titles, INDEX_STATUS] if genre == "患者管理" and titles else titles


INDEX_STATUS = "家族・接触者健診実施状況（接触者のいる患者）"  # F05: printed from the contacts, not a template form


def typed_date(typed: str, errors: dict[str, str], key: str = "day", what: str = "健診の日") -> str | None:
    """A typed 和暦 or 西暦 date as ISO, or a message beside the field (nothing typed: it must be); a date that
    cannot be read gets parse_date's words, as static/checks.js says them before sending (N27)."""
    if not typed.strip():
        errors[key] = f"{what}を入力してください。"
        return None
    try:
        return parse_date(typed.strip()).isoformat()
    except WarekiError as exc:
        errors[key] = str(exc)
        return None


def template_row(template: dict[str, Any]) -> dict[str, Any]:
    """One version of a form's template as the page lists it: 施行日 in 和暦 and 西暦, the built-in one named."""
    effective = template.get("effective_from")
    return {
        **template,
        "builtin": template.get("id") is None,
        "pending": bool(effective) and str(effective) > today().isoformat(),  # not yet in force: 施行前
        "effective_label": wareki_with_seireki(effective) if effective else "（最初から）",
        "created_label": datetime_label(template["created_at"]) if template.get("created_at") else "",
    }
