"""Care records on the patient page (治療, 入院, 公費負担, 転入・転出, 経過記録), each added and corrected alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tbms_core import clock

from gateway.forms import DATE_HINT, EntryForm, Field, Picker

REASON = Field("reason", "修正理由", hint="例: 退院日の入力誤り（修正履歴に残ります）", kind="text-wide")
PICKER_HINT = "名称・カナ・コードの一部を入力すると候補を表示します。候補にないときはそのまま入力します。"
# The name stays text (typed freely, or as older records hold it); a row picked from the masters also keeps its code.
# 2号記録: how staff were in contact (the patients API's code list of the same name)
CONTACT_MODES = (("visit", "訪問"), ("office", "来所"), ("phone", "電話"), ("meeting", "会議"), ("letter", "文書"))
INSTITUTION = Picker("institution", code="institution_code")
HOSPITAL = Picker("institution", code="hospital_code")
MUNICIPALITY = Picker("municipality", code="counterpart_code")


@dataclass(frozen=True)
class CareKind:
    """One kind of care record: its path under the patient in the API, its title and its items."""

    path: str
    key: str  # the stem of its form ids
    title: str
    add_label: str
    fields: tuple[Field, ...]
    custom_target: str = ""  # the configurable fields of this kind of record, if any

    def new_fields(self, custom: tuple[Field, ...] = ()) -> tuple[Field, ...]:
        """The add form's fields."""
        return tuple(f.bound(f"{self.key}-new") for f in (*self.fields, *custom))

    def correction_fields(self, record_id: str, custom: tuple[Field, ...] = ()) -> tuple[Field, ...]:
        """One record's correction form's fields."""
        return tuple(f.bound(f"{self.key}-{record_id}") for f in (*self.fields, *custom, REASON))

    def filled(self, record: dict[str, Any], custom: tuple[Field, ...] = ()) -> EntryForm:
        """A record's correction form showing what is stored."""
        data = record.get("data") or {}
        return EntryForm.filled(self.correction_fields(str(record["id"]), custom), data, record.get("version"))


TREATMENT = CareKind(
    "treatments",
    "tr",
    "治療",
    "治療を追加する",
    (
        Field("regimen", "処方（レジメン）", required=True, kind="select", codes="regimen"),
        Field("regimen_note", "処方の備考", hint="「その他」のときは内容を入力してください", kind="text-wide"),
        Field("started_on", "開始日", required=True, hint=DATE_HINT, kind="date"),
        Field("planned_end_on", "終了予定日", hint=DATE_HINT, kind="date"),
        Field("ended_on", "終了日", hint=DATE_HINT, kind="date"),
        Field("outcome", "治療成績（転帰）", kind="select", codes="outcome"),
        Field("institution", "医療機関", hint=PICKER_HINT, kind="text-wide", picker=INSTITUTION),
        Field("institution_code", "医療機関コード", kind="hidden"),
        Field("note", "備考", kind="textarea"),
    ),
    custom_target="treatment",
)
HOSPITALISATION = CareKind(
    "hospitalisations",
    "ho",
    "入院",
    "入院を追加する",
    (
        Field("hospital", "医療機関", required=True, hint=PICKER_HINT, kind="text-wide", picker=HOSPITAL),
        Field("hospital_code", "医療機関コード", kind="hidden"),
        Field("admitted_on", "入院日", required=True, hint=DATE_HINT, kind="date"),
        Field("discharged_on", "退院日", hint=f"入院中は空欄のままにします。{DATE_HINT}", kind="date"),
        Field("recommended", "勧告入院（感染症法に基づく入院勧告による入院）", kind="checkbox"),
        Field("note", "備考", kind="textarea"),
    ),
)
PUBLIC_EXPENSE = CareKind(
    "public-expenses",
    "pe",
    "公費負担",
    "公費負担を追加する",
    (
        Field("basis", "根拠（感染症法）", required=True, kind="radio", codes="public_expense_basis"),
        Field("applied_on", "申請日（受理日）", hint=DATE_HINT, kind="date"),
        Field("status", "申請の状況", required=True, kind="select", codes="public_expense_status"),
        Field("valid_from", "有効期間（開始）", hint=f"承認のときは必ず入力します。{DATE_HINT}", kind="date"),
        Field(
            "valid_to",
            "有効期間（終了）",
            hint=f"37条の2は6か月以内（例: R8.4.1開始ならR8.9.30まで）。{DATE_HINT}",
            kind="date",
        ),
        Field("payer_number", "公費負担者番号", hint="8桁の数字（37条は11、37条の2は10で始まります）"),
        Field("recipient_number", "受給者番号", hint="7桁の数字"),
        Field("institution", "指定医療機関", hint=PICKER_HINT, kind="text-wide", picker=INSTITUTION),
        Field("institution_code", "医療機関コード", kind="hidden"),
        Field("note", "備考", kind="textarea"),
    ),
)
TRANSFER = CareKind(
    "transfers",
    "tf",
    "転入・転出",
    "転入・転出を追加する",
    (
        Field("direction", "転入・転出の別", required=True, kind="radio", codes="direction"),
        Field("moved_on", "転入・転出日", required=True, hint=DATE_HINT, kind="date"),
        Field(
            "counterpart",
            "相手先（保健所・自治体）",
            hint=f"例: 横浜市鶴見福祉保健センター。{PICKER_HINT}",
            kind="text-wide",
            picker=MUNICIPALITY,
        ),
        Field("counterpart_code", "全国地方公共団体コード", kind="hidden"),
        Field("address", "転入前・転出後の住所", kind="text-wide"),
        Field("card_sent_on", "登録票の送付日", hint=f"転出のときだけ入力します。{DATE_HINT}", kind="date"),
        Field("note", "備考", kind="textarea"),
    ),
)
PROGRESS_NOTE = CareKind(
    "notes",
    "pn",
    "経過記録",
    "経過記録を書く",
    (
        Field("noted_on", "記録日", required=True, hint=DATE_HINT, kind="date"),
        Field("kind", "種類", required=True, kind="select", codes="note_kind"),
        Field("contact", "対応の種別（2号記録）", kind="select", choices=CONTACT_MODES, blank="omit"),
        Field("met", "対応した相手", hint="例: 本人と妻、主治医", blank="omit"),
        Field("text", "内容", required=True, kind="textarea"),
        Field("next_action", "次の対応", kind="textarea", blank="omit"),
    ),
)
CARE_KINDS = {kind.path: kind for kind in (TREATMENT, HOSPITALISATION, PUBLIC_EXPENSE, TRANSFER, PROGRESS_NOTE)}
COVER_WARNING_DAYS = 30  # a cover ending this soon shows how many days are left


def care_body(form: EntryForm) -> dict[str, Any]:
    """The JSON of a care record; configurable values only when entered (not every kind takes them yet)."""
    body = form.json()
    custom = {key: value for key, value in (body.pop("custom", None) or {}).items() if value not in ("", [], None)}
    if custom:
        body["custom"] = custom
    return body


def current(records: list[dict[str, Any]], open_field: str) -> dict[str, Any] | None:
    """The newest record still open (no end date): the current treatment or hospital stay."""
    return next((r for r in records if not (r.get("data") or {}).get(open_field)), None)


def current_cover(records: list[dict[str, Any]], today: date | None = None) -> dict[str, Any] | None:
    """The 公費負担 in force today (approved, today within its period), else the newest application still open."""
    today = today or clock.today()
    for record in records:
        data = record.get("data") or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if data.get("status") == "approved" and start and end and start <= today.isoformat() <= end:
            days_left = (date.fromisoformat(end) - today).days
            return {
                "record": record,
                "applied": False,
                "days_left": days_left if days_left <= COVER_WARNING_DAYS else None,
            }
    applied = next((r for r in records if (r.get("data") or {}).get("status") == "applied"), None)
    return {"record": applied, "applied": True, "days_left": None} if applied else None
