"""総合患者分類コード, derived from the registration category, disease form, prior treatment and bacteriology.

JATA's codes (TB_PRACTICE §1.3): 1 肺結核活動性・喀痰塗抹陽性・初回治療, 2 同・再治療,
3 肺結核活動性・その他の結核菌陽性, 4 肺結核活動性・菌陰性/その他, 5 肺外結核活動性, 6 不活動性, 7 活動性不明;
8 and 9 are taken here as
潜在性結核感染症 (治療中 / 治療終了・観察中), which the source leaves unconfirmed.
A smear counts as positive from 1+ (or Gaffky G2) upwards: ± asks for a re-test (抗酸菌検査ガイド2020).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

CLASSIFICATIONS = {
    "1": "肺結核活動性・喀痰塗抹陽性・初回治療",
    "2": "肺結核活動性・喀痰塗抹陽性・再治療",
    "3": "肺結核活動性・その他の結核菌陽性",
    "4": "肺結核活動性・菌陰性/その他",
    "5": "肺外結核活動性",
    "6": "不活動性",
    "7": "活動性不明",
    "8": "潜在性結核感染症（治療中）",
    "9": "潜在性結核感染症（治療終了・観察中）",
}
POSITIVE_GRADES = {"1+", "2+", "3+"}
FINISHED = {"cured", "completed"}


@dataclass(frozen=True)
class Bacteriology:
    """What the bacteriology says for the classification."""

    sputum_smear_positive: bool = False
    other_positive: bool = False  # culture, NAAT or identification of M. tuberculosis complex


@dataclass(frozen=True)
class TreatmentState:
    """Where the patient's treatment stands."""

    on_treatment: bool = False
    finished_successfully: bool = False


def smear_positive(grade: str | None, gaffky: str | None) -> bool:
    """1+ or more, or an old Gaffky number of 2 or more."""
    if grade in POSITIVE_GRADES:
        return True
    return bool(gaffky) and gaffky != "G0" and gaffky != "G1"


def classify(
    category: str,
    disease_form: str | None,
    prior_treatment: str | None,
    bacteriology: Bacteriology,
    treatment: TreatmentState = TreatmentState(),
) -> str:
    """The code, or "" when the data do not yet allow one (仮登録, or the disease form unknown)."""
    if category == "provisional":
        return ""
    if category == "ltbi" or disease_form == "ltbi":
        return "9" if treatment.finished_successfully and not treatment.on_treatment else "8"
    if category == "recovered" or (treatment.finished_successfully and not treatment.on_treatment):
        return "6"
    if disease_form is None:
        return "7" if category == "patient" else ""
    if disease_form == "extrapulmonary":
        return "5"
    if bacteriology.sputum_smear_positive:
        return "2" if prior_treatment == "retreatment" else "1"
    return "3" if bacteriology.other_positive else "4"


def bacteriology_of_results(results: list[tuple[str, str, dict]]) -> Bacteriology:
    """The classification's view of recorded results: (kind, specimen, details) each."""
    smear = any(
        kind == "smear" and specimen in ("喀痰", "") and smear_positive(details.get("grade"), details.get("gaffky"))
        for kind, specimen, details in results
    )
    other = any(
        (kind == "culture" and details.get("result") == "陽性")
        or (kind == "naat" and details.get("result") == "+")
        or (kind == "identification" and details.get("organism") == "結核菌群")
        or (kind == "smear" and smear_positive(details.get("grade"), details.get("gaffky")))
        for kind, specimen, details in results
    )
    return Bacteriology(sputum_smear_positive=smear, other_positive=other)


def current_classification(
    category: str,
    disease_form: str | None,
    prior_treatment: str | None,
    results: Iterable[tuple[str, str, dict]],
    latest_treatment: tuple[date | None, str | None] | None,
) -> str:
    """The 総合患者分類コード from the current facts: results as (kind, specimen, details), and the latest
    treatment course as (end date, outcome), or None without one."""
    ended_on, outcome = latest_treatment or (None, None)
    state = TreatmentState(
        on_treatment=latest_treatment is not None and ended_on is None,
        finished_successfully=latest_treatment is not None and ended_on is not None and outcome in FINISHED,
    )
    return classify(category, disease_form, prior_treatment, bacteriology_of_results(list(results)), state)
