"""What the patient page shows: every item of the card in sections, each section's forms, and the header (R30).

Every form on the page is built here from what is stored; a refused one (422, or 409 when someone saved first)
replaces it, with what the user typed and the version it was based on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.forms import EntryForm, Field, every_code
from gateway.pages.patients.card_view import (
    at_registration_comparison,
    card_facts,
    care_record_view,
    custom_facts,
    filled_custom_facts,
    gakkai_parts,
)
from gateway.pages.patients.entry_forms.card import (
    EXCLUSION,
    REINSTATEMENT,
    SECTIONS,
    at_registration_fields,
    basic_fields,
    custom_fields,
)
from gateway.pages.patients.entry_forms.care import CARE_KINDS, CareKind, current, current_cover
from gateway.pages.patients.entry_forms.lab import correction_fields, filled_correction, lab_kinds, new_lab_fields

Codes = Mapping[str, Mapping[str, str]]
ALERT_LEVELS = {"danger": "要対応", "warning": "注意", "info": "確認"}  # said in words, never by colour alone
ALERT_ANCHORS = {"lab": "labs-title"}  # a section whose heading id is not "<section>-title"


@dataclass
class PatientPageData:
    """What the patient page shows, read from patients (in one go) and masters."""

    patient: dict[str, Any]
    history: list[dict[str, Any]]
    lab_results: list[dict[str, Any]]
    care: dict[str, list[dict[str, Any]]]
    codes: dict[str, dict[str, str]]
    definitions: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    districts: Sequence[str] = ()
    measures: Sequence[dict[str, Any]] = ()  # the 勧告 in force today (18・19・20条), for the header

    @classmethod
    def of_record(
        cls,
        record: dict[str, Any],
        codes: dict[str, dict[str, str]],
        definitions: list[dict[str, Any]],
        districts: Sequence[str],
    ) -> PatientPageData:
        """The page's data from patients' whole-record answer, the code lists, field definitions and districts."""
        care = record.get("care") or {}
        return cls(
            record["patient"],
            list(record.get("history") or []),
            list(record.get("lab_results") or []),
            {path: list(care.get(path) or []) for path in CARE_KINDS},
            codes,
            definitions,
            list(record.get("alerts") or []),
            districts,
            list(record.get("measures") or []),
        )


def latest_labs(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest result of each kind (results come newest collection first)."""
    latest: dict[str, dict[str, Any]] = {}
    for result in results:
        latest.setdefault(str(result.get("kind")), result)
    return latest


def page_entry_forms(data: PatientPageData) -> dict[str, EntryForm]:
    """Every form of the page, keyed by the id its fields are bound to, showing what is stored."""
    patient, version, defs = data.patient, data.patient.get("version"), data.definitions
    forms = {"basic": EntryForm.filled(basic_fields(defs, data.districts), patient, version)}
    forms |= {key: EntryForm.filled(s.fields, patient, version) for key, s in SECTIONS.items()}
    forms["r1"] = EntryForm.filled(at_registration_fields(data.codes), patient.get("at_registration") or {}, version)
    action = REINSTATEMENT if patient.get("status") == "excluded" else EXCLUSION
    forms["ex"] = EntryForm(tuple(f.bound("ex") for f in action), version=str(version or ""))
    forms["lab"] = EntryForm(new_lab_fields(data.codes, custom_fields(defs, "lab_result")), {"kind": "smear"})
    for result in data.lab_results:
        fields = correction_fields(str(result.get("kind")), str(result["id"]), data.codes, _custom(defs, "lab_result"))
        forms[f"lab-{result['id']}"] = filled_correction(result, fields)
    for kind in CARE_KINDS.values():
        custom = _custom(defs, kind.custom_target)
        forms[f"{kind.key}-new"] = EntryForm(kind.new_fields(custom))
        for record in data.care[kind.path]:
            forms[f"{kind.key}-{record['id']}"] = kind.filled(record, custom)
    return forms


def _custom(definitions: list[dict[str, Any]], target: str) -> tuple[Field, ...]:
    return custom_fields(definitions, target) if target else ()


def header_alerts(alerts: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The open alerts as the header lists them: the level in words and a link to the section to act in."""
    return [
        {
            "level": str(alert.get("level") or "info"),
            "level_label": ALERT_LEVELS.get(str(alert.get("level")), "確認"),
            "message": str(alert.get("message") or ""),
            "anchor": ALERT_ANCHORS.get(str(alert.get("section")), f"{alert.get('section')}-title"),
        }
        for alert in alerts
    ]


def header_facts(data: PatientPageData) -> dict[str, Any]:
    """What the header adds to the person: the current treatment and hospital stay, the latest results."""
    treatments, stays = data.care["treatments"], data.care["hospitalisations"]
    results = data.lab_results
    return {
        "latest_labs": latest_labs(results),
        "has_mdr": any(r.get("mdr") for r in results),
        "current_treatment": current(treatments, "ended_on"),
        "current_stay": current(stays, "discharged_on"),
        "current_cover": current_cover(data.care["public-expenses"]),
        "measures_in_force": list(data.measures),
    }


def care_list_item(
    kind: CareKind, record: dict[str, Any], codes: Codes, definitions: list[dict[str, Any]]
) -> dict[str, Any]:
    """A care record as its list shows it, with the values of its configurable fields."""
    view = care_record_view(kind, record, codes)
    custom = (record.get("data") or {}).get("custom") or {}
    view["facts"] = [*view["facts"], *filled_custom_facts(definitions, kind.custom_target, custom)]
    return view


def patient_page_context(data: PatientPageData, forms: Mapping[str, EntryForm]) -> dict[str, Any]:
    """Everything the patient page template shows, with these forms in its sections."""
    patient, codes, header, defs = data.patient, data.codes, header_facts(data), data.definitions
    records = {
        path: [(record, care_list_item(kind, record, codes, defs)) for record in data.care[path]]
        for path, kind in CARE_KINDS.items()
    }
    return {
        "patient": patient,
        "title": patient.get("name", "患者"),
        "history": data.history,
        "lab_results": data.lab_results,
        "lab_custom": {
            str(r["id"]): filled_custom_facts(defs, "lab_result", r.get("custom") or {}) for r in data.lab_results
        },
        "lab_custom_in_use": bool(custom_fields(defs, "lab_result")),
        "records": records,
        "care_kinds": CARE_KINDS,
        "codes": codes,
        "card": card_facts(patient, codes),
        "gakkai_parts": gakkai_parts(patient.get("disease") or {}, codes),
        "comparison": at_registration_comparison(patient, codes, header["latest_labs"]),
        "custom_facts": custom_facts(defs, "patient", patient.get("custom") or {}),
        "forms": forms,
        "lab_kinds": lab_kinds(codes, ended=True),
        "lab_kind_labels": every_code(codes, "exam_kind"),  # the コード表's; patients' own label while it has none
        "alerts": header_alerts(data.alerts),
        **header,
    }
