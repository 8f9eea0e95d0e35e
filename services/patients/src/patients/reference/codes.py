"""The code lists of the registration card with their Japanese labels, one table for screens, exports and forms."""

from __future__ import annotations

from tbms_contracts import card_codes
from tbms_contracts.labels import REGISTRATION_CATEGORY_LABELS

from patients.care import schemas as care
from patients.care.codes import REGIMENS
from patients.lab_result.details import DRUGS, Specimen
from patients.lab_result.schemas import KIND_LABELS
from patients.patient import card
from patients.patient.classification import CLASSIFICATIONS
from patients.patient.schemas import EXCLUSION_REASONS

CODE_LISTS: dict[str, dict[str, str]] = {
    "category": REGISTRATION_CATEGORY_LABELS,
    "sex": {"male": "男性", "female": "女性"},
    "occupation": card_codes.OCCUPATIONS,
    "notification_type": card.NOTIFICATION_TYPES,
    "disease_form": card_codes.DISEASE_FORMS,
    "extrapulmonary_site": card_codes.EXTRAPULMONARY_SITES,
    "symptom": card.SYMPTOMS,
    "gakkai_side": card.GAKKAI_SIDES,
    "gakkai_type": card.GAKKAI_TYPES,
    "gakkai_extent": {"1": "1（第2肋骨前端上縁より上）", "2": "2（1と3の間）", "3": "3（一側肺を超える）"},
    "prior_treatment": card.PRIOR_TREATMENTS,
    "risk_factor": card.RISK_FACTORS,
    "exclusion_reason": EXCLUSION_REASONS,
    "classification": CLASSIFICATIONS,
    "regimen": REGIMENS,
    "outcome": care.OUTCOMES,
    "direction": care.DIRECTIONS,
    "note_kind": care.NOTE_KINDS,
    "public_expense_basis": care.PUBLIC_EXPENSE_BASES,
    "public_expense_status": care.PUBLIC_EXPENSE_STATUSES,
    "specimen": {s.value: s.value for s in Specimen},
    "drug": {drug: drug for drug in DRUGS},
    "exam_kind": {str(kind): label for kind, label in KIND_LABELS.items()},
}
