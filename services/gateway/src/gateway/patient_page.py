"""The patient page: every item of the card in sections, each section's forms, and the header (R30).

Every form on the page is built here from what is stored; a refused one (422, or 409 when someone saved first)
comes back in `failed` and is shown instead, with what the user typed and the version it was based on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.card_forms import (
    EXCLUSION,
    REINSTATEMENT,
    SECTIONS,
    at_registration_fields,
    basic_fields,
    custom_fields,
)
from gateway.card_view import card_facts, comparison, custom_facts, filled_custom_facts, gakkai_parts, record_view
from gateway.care_forms import CARE_KINDS, CareKind, current, current_cover
from gateway.clients import Backend, Saved
from gateway.errors import PageNotFound
from gateway.forms import EntryForm
from gateway.lab_forms import LAB_KINDS, correction_fields, filled_correction, new_lab_fields
from gateway.reference import card_codes, definitions_today
from gateway.templating import render

Codes = Mapping[str, Mapping[str, str]]


@dataclass
class PatientData:
    """What the patient page shows, read from patients in one go."""

    patient: dict[str, Any]
    history: list[dict[str, Any]]
    lab_results: list[dict[str, Any]]
    care: dict[str, list[dict[str, Any]]]
    codes: dict[str, dict[str, str]]
    definitions: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


async def load(request: Request, backend: Backend, patient_id: str) -> PatientData:
    """Reads the patient's whole record in one call, with the code lists and the field definitions."""
    record, codes, definitions = await asyncio.gather(
        backend.patient_record(patient_id), card_codes(request, backend), definitions_today(backend)
    )
    care = record.get("care") or {}
    return PatientData(
        record["patient"],
        list(record.get("history") or []),
        list(record.get("lab_results") or []),
        {path: list(care.get(path) or []) for path in CARE_KINDS},
        codes,
        definitions,
        list(record.get("alerts") or []),
    )


def latest_labs(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest result of each kind (results come newest collection first)."""
    latest: dict[str, dict[str, Any]] = {}
    for result in results:
        latest.setdefault(str(result.get("kind")), result)
    return latest


def page_forms(data: PatientData) -> dict[str, EntryForm]:
    """Every form of the page, keyed by the id its fields are bound to, showing what is stored."""
    patient, version, defs = data.patient, data.patient.get("version"), data.definitions
    forms = {"basic": EntryForm.filled(basic_fields(defs), patient, version)}
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


def _custom(definitions: list[dict[str, Any]], target: str) -> tuple:
    return custom_fields(definitions, target) if target else ()


ALERT_LEVELS = {"danger": "要対応", "warning": "注意", "info": "確認"}  # said in words, never by colour alone
ALERT_ANCHORS = {"lab": "labs-title"}  # a section whose heading id is not "<section>-title"


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


def header_facts(data: PatientData) -> dict[str, Any]:
    """What the header adds to the person: the current treatment and hospital stay, the latest results."""
    treatments, stays = data.care["treatments"], data.care["hospitalisations"]
    results = data.lab_results
    return {
        "latest_labs": latest_labs(results),
        "has_mdr": any(r.get("mdr") for r in results),
        "current_treatment": current(treatments, "ended_on"),
        "current_stay": current(stays, "discharged_on"),
        "current_cover": current_cover(data.care["public-expenses"]),
    }


def listed(kind: CareKind, record: dict[str, Any], codes: Codes, definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """A care record as its list shows it, with the values of its configurable fields."""
    view = record_view(kind, record, codes)
    custom = (record.get("data") or {}).get("custom") or {}
    view["facts"] = [*view["facts"], *filled_custom_facts(definitions, kind.custom_target, custom)]
    return view


async def show_patient(
    request: Request,
    backend: Backend,
    patient_id: uuid.UUID,
    *,
    failed: Mapping[str, EntryForm] | None = None,
    status_code: int = 200,
) -> Response:
    """Renders the patient page; a refused form replaces the stored-values form with the same key."""
    data = await load(request, backend, str(patient_id))
    # After a 409 the form keeps what was typed and the version it was based on: it sends every item of its
    # section, so saving it again must not overwrite the other person's change unseen (the user reloads first).
    forms = page_forms(data) | dict(failed or {})
    patient, codes, header = data.patient, data.codes, header_facts(data)
    defs = data.definitions
    records = {
        path: [(record, listed(kind, record, codes, defs)) for record in data.care[path]]
        for path, kind in CARE_KINDS.items()
    }
    context = {
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
        "comparison": comparison(patient, codes, header["latest_labs"]),
        "custom_facts": custom_facts(data.definitions, "patient", patient.get("custom") or {}),
        "forms": forms,
        "lab_kinds": dict(LAB_KINDS),
        "alerts": header_alerts(data.alerts),
        **header,
    }
    return render(request, "patients/detail.html", context, status_code=status_code)


async def after_save(
    request: Request,
    backend: Backend,
    patient_id: uuid.UUID,
    *,
    key: str,
    form: EntryForm,
    saved: Saved,
    anchor: str,
    aliases: Mapping[str, str] | None = None,
) -> Response:
    """Back to the section after a save; else the page again with the form as typed and why it was refused."""
    if saved.record is not None:
        return RedirectResponse(f"/patients/{patient_id}#{anchor}", status_code=303)
    form.place(saved.errors or {}, aliases)
    form.conflict = saved.conflict or ""
    status = 409 if form.conflict else 422
    return await show_patient(request, backend, patient_id, failed={key: form}, status_code=status)


async def refused_here(
    request: Request, backend: Backend, patient_id: uuid.UUID, key: str, form: EntryForm
) -> Response:
    """The page again with a form the gateway itself refused (e.g. a required reason left empty)."""
    return await show_patient(request, backend, patient_id, failed={key: form}, status_code=422)


def care_kind(path: str) -> CareKind:
    """The care kind of a URL segment; an unknown one is a missing page."""
    kind = CARE_KINDS.get(path)
    if kind is None:
        raise PageNotFound()
    return kind
