"""The built-in code lists: what the forms offer until the masters service has sent its コード表, and the codes
its migration seeded with the same values, labels and order (so nothing changes for existing records)."""

from __future__ import annotations

from tbms_contracts.card_codes import OCCUPATIONS
from tbms_contracts.code_lists import SEEDED_SINCE

from patients.care.codes import REGIMENS
from patients.dots.config import DOTS_TYPES
from patients.lab_result.details import DRUGS, Specimen
from patients.lab_result.schemas import KIND_LABELS
from patients.patient.schemas import EXCLUSION_REASONS

SINCE = SEEDED_SINCE  # in force before anything this system holds, as the masters seed

# The lists of masters' コード表 the patients service keeps, with the Japanese name its messages use.
NAMES = {
    "occupation": "職業区分",
    "specimen": "検体",
    "drug": "薬剤",
    "regimen": "処方（レジメン）",
    "exclusion_reason": "除外理由",
    "dots_type": "DOTSの種類",
    "exam_kind": "検査種別",
}

# The lists of those the registration card's forms offer (GET /reference/card); DOTSの種類 is the DOTS pages'.
CARD_NAMES = ("occupation", "specimen", "drug", "regimen", "exclusion_reason", "exam_kind")

DEFAULTS: dict[str, dict[str, str]] = {
    "occupation": dict(OCCUPATIONS),
    "specimen": {s.value: s.value for s in Specimen},
    "drug": {drug: drug for drug in DRUGS},
    "regimen": dict(REGIMENS),
    "exclusion_reason": dict(EXCLUSION_REASONS),
    "dots_type": dict(DOTS_TYPES),
    # 検査種別 of 菌検査: labels, order and active period from masters; a result's kind must also be one the service
    # has items for (lab_result.details.Kind), so a kind added in マスタ管理 alone is not offered
    "exam_kind": {str(kind): label for kind, label in KIND_LABELS.items()},
}
