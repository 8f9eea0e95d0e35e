"""F08 行動調査票（第2版）: the behavioural investigation of a patient (積極的疫学調査, 感染症法15条) with the
infectious period and the delays as the patients service computed them, each with its rule, and the places and
people of the interview. No national form was found (TB_PRACTICE §8 [U]): the layout follows its sections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.forms.common import CATEGORY_LABELS, SEX_LABELS, iso_date, wareki, wareki_both
from reports.forms.spec import FormInput

SYMPTOMS = {
    "cough": "咳",
    "sputum": "痰",
    "fever": "発熱",
    "hemoptysis": "血痰・喀血",
    "chest_pain": "胸痛",
    "weight_loss": "体重減少",
    "night_sweat": "寝汗",
    "fatigue": "倦怠感",
    "other": "その他",
}
SETTING_KINDS = {"work": "職場", "school": "学校・学級", "facility": "施設"}
PLACE_KINDS = {
    "facility": "施設",
    "club": "サークル・クラブ",
    "transport": "交通機関",
    "other": "その他",
    "travel": "旅行",
}
VENTILATION = {"good": "良好", "poor": "不良", "unknown": "不明"}
BCG = {"yes": "接種あり", "no": "接種なし", "unknown": "不明"}
ROWS = {"visits": 4, "household": 6, "settings": 3, "places": 4, "travel": 3}


def _day(value: object) -> str:
    return wareki(iso_date(value))


KEYS = ("name", "relation", "age", "note", "kind", "hours", "room", "ventilation", "frequency", "from_on", "to_on")


def _padded(rows: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    """The rows recorded (every printed item present, blank when not recorded), then blank lines up to the form's
    own number of lines."""
    blank: dict[str, Any] = {key: "" for key in KEYS} | {"age": None}
    return [blank | row for row in rows] + [dict(blank) for _ in range(max(ROWS[group] - len(rows), 0))]


def build_context(data: FormInput) -> Mapping[str, object]:
    """Every item of the investigation as printed; blank lines where nothing was recorded."""
    found = next((r.data for r in data.care_records if r.kind == "investigation"), {})
    items: Mapping[str, Any] = found.get("items") or {}
    period: Mapping[str, Any] = found.get("period") or {}
    onsets = {s.get("symptom"): s.get("onset_on") for s in items.get("symptoms") or []}
    patient = data.patient
    return {
        "recorded": bool(found),
        "registration_no": patient.registration_no,
        "name": patient.name,
        "name_kana": patient.name_kana,
        "sex": SEX_LABELS.get(patient.sex, patient.sex),
        "birth_date": wareki_both(patient.birth_date),
        "category": CATEGORY_LABELS.get(patient.category, patient.category),
        "address": patient.address,
        "interviewed_on": _day(found.get("interviewed_on")),
        "interviewer": found.get("interviewer") or "",
        "symptoms": [(label, code in onsets, _day(onsets.get(code))) for code, label in SYMPTOMS.items()],
        "visits": [
            {"day": _day(v.get("visited_on")), "institution": v.get("institution", ""), "what": v.get("what", "")}
            for v in list(items.get("visits") or []) + [{}] * max(ROWS["visits"] - len(items.get("visits") or []), 0)
        ],
        "diagnosed_on": _day(items.get("diagnosed_on")),
        "first_positive_on": _day(items.get("first_positive_on")),
        "found_by_screening": "■" if items.get("found_by_screening") else "□",
        "smear_negative": "■" if items.get("smear_negative") else "□",
        "treatment_started_on": _day(items.get("treatment_started_on")),
        "isolated_on": _day(items.get("isolated_on")),
        "household": _padded(list(items.get("household") or []), "household"),
        "settings": [
            s
            | {
                "kind_label": SETTING_KINDS.get(s.get("kind", ""), ""),
                "vent": VENTILATION.get(s.get("ventilation", ""), ""),
            }
            for s in _padded(list(items.get("settings") or []), "settings")
        ],
        "places": [
            p | {"kind_label": PLACE_KINDS.get(p.get("kind", ""), ""), "span": _span(p)}
            for p in _padded(list(items.get("places") or []) + list(items.get("travel") or []), "places")
        ],
        "birth_country": items.get("birth_country") or "",
        "entry_year": items.get("entry_year") or "",
        "past_tb": items.get("past_tb") or "",
        "past_contact": items.get("past_contact") or "",
        "bcg": [(label, code == items.get("bcg")) for code, label in BCG.items()],
        "comorbidities": items.get("comorbidities") or "",
        "extra": extra_items(found, items),
        "period_start": wareki_both(iso_date(period.get("start"))) or "未確定",
        "period_end": wareki_both(iso_date(period.get("end"))) or "未確定",
        "period_rule": period.get("rule") or "",
        "period_end_rule": period.get("end_rule") or "",
        "overridden": bool(period.get("overridden")),
        "override_reason": period.get("override_reason") or "",
        "delays": [
            {
                "label": {"patient": "受診の遅れ", "doctor": "診断の遅れ"}.get(d.get("kind", ""), ""),
                "result": "判定できない" if d.get("delayed") is None else ("あり" if d.get("delayed") else "なし"),
                "rule": d.get("rule") or "",
            }
            for d in found.get("delays") or []
        ],
    }


def extra_items(found: Mapping[str, Any], items: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The items the health center added (R33), each with its label as set when the sheet was saved and its value;
    every item in force prints (blank when not answered), then any answered item since removed from the settings."""
    labels: Mapping[str, str] = found.get("extra_items") or {}
    values: Mapping[str, Any] = items.get("extra") or {}
    keys = [*labels, *(key for key in values if key not in labels)]
    return [(str(labels.get(key) or key), str(values.get(key) or "")) for key in keys]


def _span(place: Mapping[str, Any]) -> str:
    first, last = _day(place.get("from_on")), _day(place.get("to_on"))
    return f"{first}〜{last}" if first or last else ""
