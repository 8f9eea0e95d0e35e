"""What each producer's snapshot looks like in the index, and which area guards each kind of record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from tbms_contracts.patients import PatientSnapshot
from tbms_core.auth import Area

from search.engine.base import SearchDocument

PATIENT = "patient"
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
