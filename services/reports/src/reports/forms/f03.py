"""F03 結核登録票: the registry card the 保健所 keeps for every registrant (感染症法53条の12)."""

from __future__ import annotations

from collections.abc import Mapping

from reports.forms.common import CATEGORY_LABELS, JST, SEX_LABELS, age_on, choices, wareki_both
from reports.forms.spec import FormInput


def build_context(data: FormInput) -> Mapping[str, object]:
    """The card's fields as printed; sections later issues fill stay empty boxes."""
    patient = data.patient
    printed_on = data.printed_at.astimezone(JST).date()
    return {
        "registration_no": patient.registration_no,
        "registered_on": wareki_both(patient.registered_on),
        "categories": choices(CATEGORY_LABELS, patient.category),
        "excluded_on": wareki_both(patient.excluded_on),
        "name": patient.name,
        "name_kana": patient.name_kana,
        "sexes": choices(SEX_LABELS, patient.sex),
        "birth_date": wareki_both(patient.birth_date),
        "age": age_on(patient.birth_date, printed_on),
        "postal_code": patient.postal_code,
        "address": patient.address,
        "phone": patient.phone,
        "district": patient.district,
        "nurse": patient.nurse,
    }
