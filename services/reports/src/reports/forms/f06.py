"""F06 経過記録（2号記録）: the dated entries of a patient's progress record, in date order, each with its author,
the kind of contact (訪問・来所・電話・会議・文書), who was met, what was done and the next action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from reports.forms.common import CATEGORY_LABELS, iso_date, wareki, wareki_both
from reports.forms.spec import FormInput, Period

CONTACT_LABELS = {"visit": "訪問", "office": "来所", "phone": "電話", "meeting": "会議", "letter": "文書"}
# an entry without the 2号記録 kind of contact (entered before it existed) prints the kind of its note instead
NOTE_KINDS = {
    "visit": "家庭訪問",
    "interview": "面接",
    "phone": "電話",
    "dots": "服薬支援",
    "hospital": "医療機関連絡",
    "conference": "会議",
    "other": "その他",
}


@dataclass(frozen=True)
class Entry:
    """One entry of the record as printed."""

    noted_on: date
    day: str
    contact: str
    met: str
    text: str
    next_action: str
    author: str


def build_context(data: FormInput) -> Mapping[str, object]:
    """The patient's identity and the progress notes of the period asked for (every note when none was asked
    for), in date order (oldest first), with their authors."""
    entries = sorted(
        (_entry(record.data, record.labels) for record in data.care_records if record.kind == "progress_note"),
        key=lambda entry: entry.noted_on,
    )
    if data.period.chosen:
        entries = [entry for entry in entries if entry.noted_on in data.period]
    patient = data.patient
    return {
        "registration_no": patient.registration_no,
        "name": patient.name,
        "name_kana": patient.name_kana,
        "birth_date": wareki_both(patient.birth_date),
        "category": CATEGORY_LABELS.get(patient.category, patient.category),
        "address": patient.address,
        "nurse": patient.nurse,
        "entries": entries,
        "period": _period(data.period, entries),
        "empty": "この期間の経過記録はありません。" if data.period.chosen else "経過記録はまだありません。",
    }


def _entry(values: Mapping[str, object], labels: Mapping[str, str]) -> Entry:
    day = iso_date(values.get("noted_on")) or date.min
    contact = str(values.get("contact") or "")
    kind = str(values.get("kind") or "")
    return Entry(
        noted_on=day,
        day=wareki(day) if day != date.min else "",
        contact=CONTACT_LABELS.get(contact) or labels.get("contact") or NOTE_KINDS.get(kind, kind),
        met=str(values.get("met") or ""),
        text=str(values.get("text") or ""),
        next_action=str(values.get("next_action") or ""),
        author=str(values.get("author_name") or values.get("author") or ""),
    )


def _period(period: Period, entries: list[Entry]) -> str:
    """The period printed: the one asked for (an open end: from the first or to the last note), else the first to
    the last note."""
    if period.chosen:
        start = wareki(period.start) if period.start else "最初の記録"
        end = wareki(period.end) if period.end else "最新の記録"
        return f"{start}〜{end}"
    return f"{wareki(entries[0].noted_on)}〜{wareki(entries[-1].noted_on)}" if entries else "記録なし"
