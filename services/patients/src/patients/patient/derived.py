"""What is derived from a stored patient, without I/O: the 総合患者分類, the age, the API view, the event snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tbms_contracts.deadlines import Deadline
from tbms_contracts.patients import PatientSnapshot
from tbms_core.clock import today
from tbms_core.dates import age_on
from tbms_core.jp.text import search_key

from patients.care.models import Treatment
from patients.patient.card import gakkai_of
from patients.patient.classification import (
    CLASSIFICATIONS,
    Bacteriology,
    classify,
    current_classification,
    smear_positive,
)
from patients.patient.models import Patient
from patients.patient.schemas import PatientRead


def snapshot(patient: Patient, classification_code: str = "", deadlines: Sequence[Deadline] = ()) -> PatientSnapshot:
    """The event-carried state of a patient (with the 総合患者分類コード and the deadlines open when it was saved)."""
    return PatientSnapshot(
        id=str(patient.id),
        classification_code=classification_code,
        classification=CLASSIFICATIONS.get(classification_code, ""),
        version=patient.version,
        registration_no=patient.registration_no,
        registered_on=patient.registered_on,
        category=patient.category,
        name=patient.name,
        name_kana=patient.name_kana,
        sex=patient.sex,
        birth_date=patient.birth_date,
        postal_code=patient.postal_code,
        address=patient.address,
        phone=patient.phone,
        status=patient.status,
        district=patient.district,
        nurse=patient.nurse,
        excluded_on=patient.excluded_on,
        exclusion_reason=patient.exclusion_reason,
        updated_at=patient.updated_at,
        alias=patient.alias,
        occupation=patient.occupation,
        birth_country=patient.birth_country,
        nationality=patient.nationality,
        guardian=patient.guardian,
        notification=patient.notification,
        disease=patient.disease,
        clinical=patient.clinical,
        at_registration=patient.at_registration,
        gakkai=gakkai_of(patient.disease),
        custom=dict(patient.custom),
        deadlines=list(deadlines),
    )


def name_key(name: str) -> str:
    """The name folded for the duplicate check: width, case, spaces and 異体字 do not matter."""
    return search_key(name)


def registration_code(record: dict[str, Any]) -> str:
    """The 総合患者分類コード of record #1, from its own facts."""
    bacteriology = record.get("bacteriology") or {}
    other = (
        bacteriology.get("culture") == "陽性"
        or bacteriology.get("naat") == "+"
        or bacteriology.get("identification") == "結核菌群"
    )
    return classify(
        record.get("category", ""),
        (record.get("disease") or {}).get("form"),
        (record.get("clinical") or {}).get("prior_treatment"),
        Bacteriology(
            sputum_smear_positive=smear_positive(bacteriology.get("smear"), bacteriology.get("smear_gaffky")),
            other_positive=other,
        ),
    )


def patient_read(patient: Patient, code: str) -> PatientRead:
    """The API view of a patient with the derived items: classification, 学会分類, age."""
    read = PatientRead.model_validate(patient)
    at_registration = dict(patient.at_registration or {})
    if at_registration:
        first = registration_code(at_registration)
        at_registration |= {"classification_code": first, "classification": CLASSIFICATIONS.get(first, "")}
    return read.model_copy(
        update={
            "classification_code": code,
            "classification": CLASSIFICATIONS.get(code, ""),
            "gakkai": gakkai_of(patient.disease),
            "age": age_on(patient.birth_date, today()),
            "at_registration": at_registration,
        }
    )


def current_code_of(patient: Patient, results: list[tuple[Any, ...]], treatments: list[Treatment]) -> str:
    """The 総合患者分類コード of a patient from every (kind, specimen, details) of its results and its courses."""
    latest = max(treatments, key=lambda t: t.started_on, default=None)
    return current_classification(
        patient.category,
        (patient.disease or {}).get("form"),
        (patient.clinical or {}).get("prior_treatment"),
        results,
        (latest.ended_on, latest.outcome) if latest is not None else None,
    )
