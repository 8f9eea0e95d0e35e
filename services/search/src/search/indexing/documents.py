"""What each producer's snapshot looks like in the index, and which area guards each kind of record."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from tbms_contracts.contacts import ContactSnapshot
from tbms_contracts.patients import PatientSnapshot
from tbms_core.auth import Area

from search.engine.base import SearchDocument
from search.indexing.repository import IndexPatient, PlanFacts

PATIENT = "patient"
CONTACT = "contact"
ACTIVE_CONTACT = "active"  # a contact's screening goes on; "ended" once it is closed
EXCLUDED_STATUSES = frozenset({"excluded"})  # 登録除外
# Every record carries the area that guards it: nobody without read access there ever sees it in results.
AREA_OF_RECORD = {
    "patient": Area.PATIENTS,
    "contact": Area.CONTACTS,
    "document": Area.DOCUMENTS,
    "master": Area.MASTERS,
}
# Optional numbers a later snapshot may carry; indexed when present.
NUMBER_FIELDS = ("kohi_futansha_no", "kohi_jukyusha_no")  # 公費負担者番号, 受給者番号
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def patient_document(patient: PatientSnapshot, raw: Mapping[str, Any] | None = None) -> SearchDocument:
    """A patient as the index holds it, guarded by the 患者管理 area."""
    extra = raw or {}
    excluded = patient.excluded_on is not None or patient.status in EXCLUDED_STATUSES
    return SearchDocument(
        record_type=PATIENT,
        id=patient.id,
        version=patient.version,
        area=AREA_OF_RECORD[PATIENT].value,
        name=patient.name,
        name_kana=patient.name_kana,
        birth_date=patient.birth_date,
        registration_no=patient.registration_no,
        status="excluded" if excluded else patient.status,
        active=not excluded,
        excluded_on=patient.excluded_on,
        phone=patient.phone,
        postal_code=patient.postal_code,
        address=patient.address,
        sex=patient.sex,
        district=patient.district,
        nurse=patient.nurse,
        registered_on=patient.registered_on,
        diagnosed_on=_optional_date(extra.get("diagnosed_on")),
        numbers=tuple(str(extra[name]) for name in NUMBER_FIELDS if extra.get(name)),
        texts=custom_texts(patient.custom),
    )


def contact_document(contact: ContactSnapshot) -> SearchDocument:
    """A contact as the index holds it, guarded by the 接触者管理 area (its index patients are added by `with_index`).

    Found by name, カナ, birth date, phone, address and school or workplace; no 登録番号 of its own.
    """
    return SearchDocument(
        record_type=CONTACT,
        id=contact.id,
        version=contact.version,
        area=AREA_OF_RECORD[CONTACT].value,
        name=contact.name,
        name_kana=contact.name_kana,
        birth_date=contact.birth_date,
        registration_no="",
        status=contact.status,
        active=contact.status == ACTIVE_CONTACT,
        phone=contact.phone,
        address=contact.address,
        sex=contact.sex,
        registered_on=contact.found_on,
        texts=tuple(text for text in (contact.affiliation,) if text),
    )


def contact_as_listed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot fields of a contact as the contacts API lists it (`GET /contacts`, for a rebuild)."""
    fields = set(ContactSnapshot.model_fields) - {"priority", "priority_suggested", "deadlines"}
    contact = {name: value for name, value in raw.items() if name in fields}
    exposures = [
        {"id": item["id"], "index_patient_id": item["index_patient_id"], "setting": item.get("setting", "")}
        for item in raw.get("exposures") or []
    ]
    return contact | {"exposures": exposures, "exams": [], "recommendations": []}


def index_patient_ids(contact: ContactSnapshot) -> list[str]:
    """The contact's index patients, in the order of its exposures, each once."""
    return list(dict.fromkeys(exposure.index_patient_id for exposure in contact.exposures))


def with_index(document: SearchDocument, patients: Sequence[IndexPatient]) -> SearchDocument:
    """A contact's document with its index patients shown and searchable, and the district of the first one's team
    (the screening list's district is the index patient's, too)."""
    district = next((patient.district for patient in patients if patient.district), "")
    return replace(
        document,
        district=district,
        index_patient="、".join(patient.shown for patient in patients),
        index_numbers=tuple(patient.registration_no for patient in patients if patient.registration_no),
    )


def plan_in_force(plans: Sequence[PlanFacts], day: date) -> PlanFacts | None:
    """The DOTS plan in force on a day: the latest one started by then and not ended before it."""
    started = [plan for plan in plans if plan.starts_on <= day and (plan.ends_on is None or plan.ends_on >= day)]
    return max(started, key=lambda plan: plan.starts_on, default=None)


def with_dots(document: SearchDocument, plan: PlanFacts | None, due_on: date | None) -> SearchDocument:
    """A patient's document with the DOTS type and intensity of the plan in force and the next 服薬確認 due."""
    if plan is None:
        return replace(document, dots_type="", dots_type_label="", dots_intensity="", dots_due_on=None)
    return replace(
        document,
        dots_type=plan.dots_type,
        dots_type_label=plan.dots_type_label,
        dots_intensity=plan.intensity,
        dots_due_on=due_on,
    )


def custom_texts(custom: Mapping[str, Any]) -> tuple[str, ...]:
    """The words of configurable fields (R33): text and choice values; numbers, dates and yes/no are left out."""
    values = [item for value in custom.values() for item in (value if isinstance(value, list) else [value])]
    return tuple(value for value in values if isinstance(value, str) and value and not _ISO_DATE.fullmatch(value))


def record_type_of(event_type: str) -> str:
    """The record type an event is about: `tbms.<producer>.<aggregate>.<event>.v1` → aggregate."""
    return event_type.split(".")[2]


def _optional_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) and value else None
