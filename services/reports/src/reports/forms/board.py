"""The 診査会's forms (F09–F17, F28): what each is printed from and the fields they share (宛名, 発信者, 和暦)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tbms_core.dates import age_on

from reports.board_record.models import BoardRecord
from reports.forms.common import JST, SEX_LABELS, iso_date, wareki, wareki_both
from reports.forms.letterhead import Letterhead
from reports.forms.spec import FormInput

LAWS = {"37-2": "第37条の2", "37": "第37条"}
LAW_NUMBERS = {"37-2": "10", "37": "11"}
# 行政不服審査法・行政事件訴訟法: every adverse administrative act names its appeal; the wording is the usual one
APPEAL = (
    "この処分に不服がある場合は、この処分があったことを知った日の翌日から起算して3か月以内に、"
    "審査請求をすることができます。また、処分の取消しの訴えを提起することができます。"
)


@dataclass(frozen=True)
class BoardFormInput(FormInput):
    """A 診査会 form's input: the patient, the case, its session, 患者票 or 勧告 (the letterhead is FormInput's)."""

    case: BoardRecord | None = None
    session: BoardRecord | None = None
    card: BoardRecord | None = None
    measure: BoardRecord | None = None
    addresses: tuple[dict[str, str], ...] = ()  # F14: one label each (postal code, address, name with 様 or 御中)
    sheet: dict[str, float] | None = None  # F14: the label sheet's geometry (settings)
    window: dict[str, float] | None = None  # F09–F13: where the envelope's window is (settings); None: plain 宛名


# the items the patients service sends of each kind (BoardRecordSnapshot.data): a form prints an absent one blank
ITEMS = {
    "case": (
        "session_id", "position", "kind", "received_on", "admitted_on", "summary", "bacteriology", "xray", "gakkai",
        "treatment_plan", "certificate_on", "certificate_doctor", "institution", "institution_code", "pharmacy",
        "income_tax_yen", "restricted_work", "decision", "decided_on", "valid_from", "valid_to", "conditions",
        "comments", "payer_number", "recipient_number", "notified_on", "withdrawn_reason", "note",
    ),
    "session": ("held_at", "place", "members", "quorum", "agenda", "minutes", "status"),
    "card": (
        "case_id", "payer_number", "recipient_number", "valid_from", "valid_to", "institution", "pharmacy", "care_kind",
        "issued_on", "reissues", "returned_on", "status",
    ),
    "measure": (
        "case_id", "article", "issued_on", "starts_at", "ends_at", "starts_on", "ends_on", "hospital",
        "restricted_work", "delivery", "delivered_on", "statement", "ended_on", "end_reason", "end_note",
    ),
}  # fmt: skip
LIST_ITEMS = frozenset({"members", "reissues"})


def d(record: BoardRecord | None, kind: str) -> dict[str, Any]:
    """A record's items, every item of its kind present (None, or [] for a list, when not sent)."""
    blank = {name: [] if name in LIST_ITEMS else None for name in ITEMS[kind]}
    return blank | (dict(record.data) if record is not None else {})


def day(value: object) -> str:
    """An ISO date of the events as 令和8年4月8日; blank when absent."""
    return wareki(iso_date(value))


def meeting(value: object) -> str:
    """A session's moment (ISO, aware) as the day it meets in Japan: 令和8年11月10日."""
    if not isinstance(value, str) or not value:
        return ""
    moment = datetime.fromisoformat(value)
    return wareki((moment.astimezone(JST) if moment.tzinfo else moment).date())


def sender(data: BoardFormInput) -> dict[str, str]:
    """The letterhead: the health center's name, its head, address, phone and 問い合わせ先 (the text masters holds,
    else the name, address and phone)."""
    head = data.letterhead or Letterhead()
    return {
        "office": head.name,
        "title": head.title or "保健所長",
        "director": head.director_name,
        "address": head.address,
        "postal_code": head.postal_code,
        "phone": head.phone,
        "contact": head.inquiry,
    }


def person(data: BoardFormInput) -> dict[str, str]:
    """The patient as the notices address them."""
    patient = data.patient
    return {
        "name": patient.name,
        "kana": patient.name_kana,
        "sex": SEX_LABELS.get(patient.sex, ""),
        "birth": wareki_both(patient.birth_date),
        "age": str(age_on(patient.birth_date, data.printed_at.date())),
        "address": patient.address,
        "postal_code": patient.postal_code,
        "registration_no": patient.registration_no,
    }


def common(data: BoardFormInput) -> dict[str, Any]:
    """What every 診査会 form prints: sender, patient, case, decision, period and their dates."""
    case = d(data.case, "case")
    return {
        "sender": sender(data),
        "person": person(data),
        "case": case,
        "case_labels": {"kind": "", "decision": ""} | (dict(data.case.labels) if data.case is not None else {}),
        "session": d(data.session, "session"),
        "card": d(data.card, "card"),
        "measure": d(data.measure, "measure"),
        "day": day,
        "meeting": meeting,
        "law": LAWS.get(_basis(case), ""),
        "basis": _basis(case),
        "appeal": APPEAL,
        "addresses": data.addresses,
        "sheet": data.sheet or {},
        "window": data.window,
        "hospital": _hospital(data.addresses),
    }


def _hospital(addresses: tuple[dict[str, str], ...]) -> dict[str, str]:
    """The 指定医療機関's postal code and address, when the case picked it from masters (the second label)."""
    return dict(addresses[1]) if len(addresses) > 1 else {"postal_code": "", "address": ""}


def _basis(case: Mapping[str, Any]) -> str:
    kind = str(case.get("kind") or "")
    return "37" if kind == "37_admission" else "37-2" if kind.startswith("37-2") or kind == "record_change" else ""


def context_with(extra: Mapping[str, Any]) -> Any:
    """A context builder: the common fields and a form's own."""

    def build(data: FormInput) -> Mapping[str, object]:
        assert isinstance(data, BoardFormInput)
        return {**common(data), **extra}

    return build
