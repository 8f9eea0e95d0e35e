"""What the 管理検診 and 行動調査 pages send and show: the typed form turned into the API's body (blank rows left
out), the API's answer back into the form's rows, and the list's tabs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

VIEWS = {
    "notices": "今月送るお知らせ",
    "due": "今月の検診予定",
    "overdue": "期限を過ぎた検診",
    "missing": "結果が未入力",
}
EXAM_FIELDS = (
    "notice_sent_on",
    "second_notice_on",
    "appointment_on",
    "appointment_time",
    "place",
    "institution",
    "method",
    "examined_on",
    "xray_finding",
    "sputum_smear",
    "sputum_culture",
    "judgement",
    "outreach",
    "outreach_on",
    "outreach_note",
    "note",
)
# 行動調査票: rows offered per list (blank rows are not sent).
ROWS = {"visits": 4, "household": 6, "settings": 3, "places": 4, "travel": 3}
LIST_FIELDS = {
    "visits": ("visited_on", "institution", "what"),
    "household": ("name", "relation", "age", "note"),
    "settings": ("kind", "name", "hours", "room", "ventilation", "people"),
    "places": ("kind", "name", "frequency", "from_on", "to_on"),
    "travel": ("name", "from_on", "to_on", "frequency"),
}
SCALARS = (
    "diagnosed_on",
    "first_positive_on",
    "treatment_started_on",
    "isolated_on",
    "birth_country",
    "entry_year",
    "past_tb",
    "past_contact",
    "bcg",
    "comorbidities",
)
FLAGS = ("found_by_screening", "smear_negative")
NUMBERS = {"age", "people", "entry_year"}


def exam_changes(posted: Mapping[str, str], exam: Mapping[str, Any]) -> dict[str, Any]:
    """The items of an exam that the form changed (a cleared date is sent as null)."""
    changes: dict[str, Any] = {}
    for name in EXAM_FIELDS:
        typed = str(posted.get(name, "")).strip()
        stored = exam.get(name) or ""
        if typed == str(stored):
            continue
        changes[name] = typed or (None if name.endswith("_on") else "")
    return changes


def investigation_body(posted: Mapping[str, str], symptoms: Mapping[str, str]) -> dict[str, Any]:
    """The PUT body of the 行動調査票 from the typed form."""
    items: dict[str, Any] = {}
    for name in SCALARS:
        typed = str(posted.get(name, "")).strip()
        if typed:
            items[name] = int(typed) if name in NUMBERS and typed.isdigit() else typed
    for name in FLAGS:
        items[name] = bool(posted.get(name))
    items["symptoms"] = [
        {"symptom": code, "onset_on": str(posted.get(f"symptom-{code}", "")).strip() or None}
        for code in symptoms
        if posted.get(f"has-{code}") or str(posted.get(f"symptom-{code}", "")).strip()
    ]
    for group, fields in LIST_FIELDS.items():
        rows = []
        for n in range(ROWS[group] + 2):
            row = {f: str(posted.get(f"{group}-{n}-{f}", "")).strip() for f in fields}
            if not any(value for key, value in row.items() if key not in ("kind", "ventilation")):
                continue
            clean: dict[str, Any] = {}
            for key, value in row.items():
                if value == "":
                    continue
                clean[key] = int(value) if key in NUMBERS and value.isdigit() else value
            if group == "travel":
                clean["kind"] = "travel"
            rows.append(clean)
        items[group] = rows
    extra = {
        key.removeprefix("extra-"): str(value).strip() for key, value in posted.items() if key.startswith("extra-")
    }
    if any(extra.values()):
        items["extra"] = {key: value for key, value in extra.items() if value}
    body: dict[str, Any] = {"items": items}
    for name in ("interviewed_on", "interviewer", "override_start", "override_end", "override_reason", "reason"):
        typed = str(posted.get(name, "")).strip()
        if typed or name in ("interviewer", "override_reason", "reason"):
            body[name] = typed
    version = str(posted.get("version", "")).strip()
    if version:
        body["version"] = version
    return body


def form_rows(items: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The stored list items padded with blank rows, as the form shows them."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for group in LIST_FIELDS:
        stored = list(items.get(group) or [])
        rows[group] = stored + [{} for _ in range(max(ROWS[group] - len(stored), 2))]
    return rows


def symptom_onsets(items: Mapping[str, Any]) -> dict[str, str]:
    """Each recorded symptom's onset date (ISO), by code."""
    return {s.get("symptom", ""): s.get("onset_on") or "" for s in items.get("symptoms") or []}


def error_for(errors: Mapping[str, str], *prefixes: str, but: Sequence[str] = ()) -> str:
    """The first message whose key starts with one of the prefixes (e.g. items.household.2), leaving out those under
    `but`: a row's dates have their messages beside themselves, where static/checks.js puts its own (N27)."""

    def under(key: str, prefix: str) -> bool:
        return key == prefix or key.startswith(f"{prefix}.")

    for key, message in errors.items():
        if any(under(key, p) for p in prefixes) and not any(under(key, b) for b in but):
            return message
    return ""


def symptom_errors(items: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """The message of each sent symptom, by code: patients numbers them in the order sent (items.symptoms.0)."""
    found = {}
    for number, symptom in enumerate(items.get("symptoms") or []):
        if message := error_for(errors, f"items.symptoms.{number}"):
            found[str(symptom.get("symptom", ""))] = message
    return found


# 接触の場 of the contacts service for each kind of candidate of the investigation
CONTACT_SETTINGS = {
    "household": "household",
    "work": "workplace",
    "school": "school",
    "facility": "facility",
    "club": "other",
    "transport": "other",
    "travel": "other",
    "other": "other",
}


def contact_body(patient_id: str, candidate: Mapping[str, Any]) -> dict[str, Any]:
    """A person of the investigation as a new contact of the contacts service, exposed inside the period."""
    exposure = {
        "index_patient_id": patient_id,
        "setting": CONTACT_SETTINGS.get(str(candidate.get("kind")), "other"),
        "relation": str(candidate.get("relation") or "")[:50],
        "first_contact_on": candidate.get("exposure_from"),
        "last_contact_on": candidate.get("exposure_to"),
        "note": f"行動調査から登録：{candidate.get('basis') or ''}"[:300],
    }
    return {"name": str(candidate.get("name") or ""), "exposures": [exposure]}


def group_body(patient_id: str, candidate: Mapping[str, Any]) -> dict[str, Any]:
    """A class, workplace or place of the investigation as a contact group of the contacts service, with the
    exposure its members share inside the infectious period (members are added on the group's page)."""
    return {
        "index_patient_id": patient_id,
        "name": str(candidate.get("name") or "")[:200],
        "setting": CONTACT_SETTINGS.get(str(candidate.get("kind")), "other"),
        "place": " ".join(filter(None, [str(candidate.get("kind_label") or ""), str(candidate.get("setting") or "")]))[
            :300
        ],
        "first_contact_on": candidate.get("exposure_from"),
        "last_contact_on": candidate.get("exposure_to"),
        "poor_ventilation": bool(candidate.get("poor_ventilation")),
        "note": f"行動調査から登録：{candidate.get('basis') or ''}"[:2000],
    }
