"""How the card reads on the patient page: each item with its label, codes as their Japanese labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.forms import Field, lookup
from gateway.pages.patients.entry_forms.card import (
    CLINICAL,
    CONTACT,
    DISEASE,
    GAKKAI,
    GUARDIAN,
    NOTIFICATION,
    PERSON,
    custom_fields,
)
from gateway.pages.patients.entry_forms.care import CareKind
from gateway.web.templating import wareki, wareki_with_seireki

Codes = Mapping[str, Mapping[str, str]]
Fact = tuple[str, str]
ComparisonRow = tuple[str, str, str, bool]  # item, as at registration, now, changed since
EMPTY = "未入力"
BACTERIOLOGY_ROWS = (  # record #1's bacteriology beside the newest result of the same kind
    ("喀痰塗抹", "smear", "smear"),
    ("培養", "culture", "culture"),
    ("核酸増幅法", "naat", "naat"),
    ("同定", "identification", "identification"),
)


def display_value(f: Field, value: Any, codes: Codes, *, long_dates: bool = False) -> str:
    """A stored value as staff read it: choice labels, dates in 和暦, はい／いいえ; 未入力 when empty."""
    if value is None or value == "" or value == []:
        return EMPTY
    options = f.labels(codes)  # ended codes keep their label on old records
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, list):
        return "、".join(options.get(str(v), str(v)) for v in value)
    if f.kind == "date":
        return wareki_with_seireki(str(value)) if long_dates else wareki(str(value))
    return options.get(str(value), str(value))


def facts(fields: Iterable[Field], record: Mapping[str, Any], codes: Codes, **kwargs: Any) -> list[Fact]:
    """(label, value) of each field of a record (dotted names reach into its sections)."""
    return [(f.label, display_value(f, lookup(record, f.name), codes, **kwargs)) for f in fields if f.name != "reason"]


def custom_facts(definitions: list[dict[str, Any]], target: str, values: Mapping[str, Any]) -> list[Fact]:
    """(label, value) of each configurable field in use (a deactivated field's value stays stored, unshown)."""
    return [
        (f.label, display_value(f, values.get(f.name.removeprefix("custom.")), {}))
        for f in custom_fields(definitions, target)
    ]


def filled_custom_facts(definitions: list[dict[str, Any]], target: str, values: Mapping[str, Any]) -> list[Fact]:
    """(label, value) of the configurable fields in use that hold a value: what a list of records shows."""
    return [fact for fact in custom_facts(definitions, target, values) if fact[1] != EMPTY] if target else []


def gakkai_parts(disease: Mapping[str, Any], codes: Codes) -> str:
    """The 学会分類 spelled out: 両側（b）・II 非広汎空洞型・2（1と3の間）."""
    parts = [display_value(f, disease.get(f.name.removeprefix("disease.")), codes) for f in GAKKAI]
    return "・".join(p for p in parts if p != EMPTY)


def at_registration_comparison(
    patient: Mapping[str, Any], codes: Codes, latest: Mapping[str, Mapping[str, Any]]
) -> list[ComparisonRow]:
    """Record #1 beside the current facts (TB_PRACTICE §1.6); its bacteriology beside the newest results."""
    first = patient.get("at_registration") or {}
    category = Field("category", "登録区分", kind="select", codes="category")
    rows = [
        _row(
            category.label,
            display_value(category, first.get("category"), codes),
            display_value(category, patient.get("category"), codes),
        )
    ]
    for f in (*DISEASE, *CLINICAL):
        if f not in GAKKAI:
            rows.append(
                _row(
                    f.label,
                    display_value(f, lookup(first, f.name), codes),
                    display_value(f, lookup(patient, f.name), codes),
                )
            )
        if f.name == "disease.site_note":
            rows.append(_row("学会分類", _gakkai(first.get("disease") or {}), patient.get("gakkai") or EMPTY))
    rows.append(_row("総合患者分類", _classified(first), _classified(patient)))
    bacteriology = first.get("bacteriology") or {}
    for label, item, kind in BACTERIOLOGY_ROWS:
        then = bacteriology.get(item) or ""
        if item == "smear" and bacteriology.get("smear_gaffky"):
            then = f"{then}（{bacteriology['smear_gaffky']}）" if then else bacteriology["smear_gaffky"]
        rows.append((label, then or EMPTY, _latest(latest.get(kind)), False))
    tested = bacteriology.get("dst") or {}
    resistant = [drug for drug, result in tested.items() if result == "R"]
    then = f"耐性: {', '.join(resistant)}" if resistant else ("耐性なし" if tested else EMPTY)
    rows.append(("薬剤感受性", then, _latest(latest.get("dst")), False))
    return rows


def _row(label: str, then: str, now: str) -> ComparisonRow:
    return (label, then, now, then != now)


def _gakkai(disease: Mapping[str, Any]) -> str:
    code = "".join(str(disease.get(k) or "") for k in ("gakkai_side", "gakkai_type", "gakkai_extent"))
    return code or EMPTY


def _classified(record: Mapping[str, Any]) -> str:
    code = record.get("classification_code")
    return f"{code} {record.get('classification', '')}".strip() if code else "判定できません（病類などが未入力）"


def _latest(result: Mapping[str, Any] | None) -> str:
    if not result:
        return "最新の結果: 記録なし"
    return f"最新の結果: {result.get('summary', '')}（{wareki(result.get('collected_on'))}採取）"


def card_facts(patient: Mapping[str, Any], codes: Codes) -> dict[str, list[Fact]]:
    """The card's items per section, for the 基本情報, 届出, 病状 and 治療歴・合併症 sections."""
    person = [f for f in PERSON if f.name not in ("name", "name_kana")]
    registration = (
        Field("registration_no", "登録番号"),
        Field("registered_on", "登録年月日", kind="date"),
        Field("category", "登録区分", kind="select", codes="category"),
        Field("district", "地区"),
        Field("nurse", "担当保健師"),
    )
    return {
        "person": facts(person, patient, codes, long_dates=True),
        "contact": facts(CONTACT, patient, codes),
        "registration": facts(registration, patient, codes, long_dates=True),
        "guardian": facts(GUARDIAN, patient, codes) if any((patient.get("guardian") or {}).values()) else [],
        "notification": facts(NOTIFICATION, patient, codes),
        "disease": facts([f for f in DISEASE if f not in GAKKAI], patient, codes),
        "clinical": facts(CLINICAL, patient, codes),
    }


def _listed(kind: CareKind, f: Field, data: Mapping[str, Any]) -> bool:
    """Whether a record's list shows an item: a note's text shows apart, a master code only when one was picked."""
    if kind.path == "notes" and f.name == "text":
        return False
    return f.kind != "hidden" or bool(data.get(f.name))


def care_record_view(kind: CareKind, record: Mapping[str, Any], codes: Codes) -> dict[str, Any]:
    """A care record as listed: a one-line title, its items, and the 勧告入院 flag of a hospital stay."""
    data = record.get("data") or {}
    item = {f.name: display_value(f, data.get(f.name), codes) for f in kind.fields}
    titles = {
        "treatments": lambda: f"{item['regimen']}　{item['started_on']}〜{_end(data, 'ended_on', '治療中')}",
        "hospitalisations": lambda: (
            f"{item['hospital']}　{item['admitted_on']}〜{_end(data, 'discharged_on', '入院中')}"
        ),
        "transfers": lambda: f"{item['direction']}　{item['moved_on']}　{data.get('counterpart') or ''}".strip(),
        "public-expenses": lambda: "　".join(
            part
            for part in (
                item["basis"],
                item["status"],
                f"{_end(data, 'valid_from', '')}〜{_end(data, 'valid_to', '')}"
                if data.get("valid_from") or data.get("valid_to")
                else "",
            )
            if part
        ),
        "notes": lambda: f"{item['noted_on']}　{item['kind']}　記録者: {data.get('author_name') or '不明'}",
    }
    return {
        "title": titles[kind.path](),
        "facts": [(f.label, item[f.name]) for f in kind.fields if _listed(kind, f, data)],
        "recommended": bool(data.get("recommended")),
        "text": data.get("text", ""),
    }


def _end(data: Mapping[str, Any], name: str, still: str) -> str:
    return wareki(data.get(name)) if data.get(name) else still
