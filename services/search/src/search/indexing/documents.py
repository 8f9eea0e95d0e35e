"""What each producer's snapshot looks like in the index."""

from __future__ import annotations

from tbms_contracts.patients import PatientSnapshot
from tbms_core.auth import Area

from search.engine.base import SearchDocument

PATIENT = "patient"
EXCLUDED_STATUSES = frozenset({"excluded"})  # 登録除外


def patient_document(patient: PatientSnapshot) -> SearchDocument:
    """A patient as the index holds it, guarded by the 患者管理 area."""
    excluded = patient.excluded_on is not None or patient.status in EXCLUDED_STATUSES
    return SearchDocument(
        record_type=PATIENT,
        id=patient.id,
        version=patient.version,
        area=Area.PATIENTS.value,
        name=patient.name,
        name_kana=patient.name_kana,
        birth_date=patient.birth_date,
        registration_no=patient.registration_no,
        status=patient.status,
        active=not excluded,
        excluded_on=patient.excluded_on,
        phone=patient.phone,
        postal_code=patient.postal_code,
        address=patient.address,
    )
