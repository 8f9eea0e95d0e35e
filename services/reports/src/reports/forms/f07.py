"""F07 結核患者服薬支援個別計画及び実施報告書: the individual DOTS plan agreed at the DOTSカンファレンス with the
patient's consent, its reviews, and the report of what was done (confirmations per month, interruptions, outcome)."""

from __future__ import annotations

from collections.abc import Mapping

from reports.forms.common import iso_date, wareki, wareki_both
from reports.forms.dots_records import (
    confirmations,
    courses,
    identity,
    interruptions,
    months,
    newest,
    run_label,
    supporters,
)
from reports.forms.spec import FormInput, RequiredItem

REQUIRED = (
    RequiredItem("plan.dots_type", "DOTSの種類", "dots-title"),
    RequiredItem("plan.starts_on", "支援開始日", "dots-title"),
    RequiredItem("plan.conference_on", "DOTSカンファレンスの日", "dots-title"),
    RequiredItem("plan.consent_on", "本人の同意日", "dots-title"),
)


def build_context(data: FormInput) -> Mapping[str, object]:
    """The newest support plan with its reviews, and the report of the confirmations made under it."""
    plan = newest(data.care_records, "dots_plan", "starts_on")
    values = plan.data if plan else {}
    labels = plan.labels if plan else {}
    first, last = iso_date(values.get("starts_on")), iso_date(values.get("ends_on"))
    rows = confirmations(data.care_records, first, last) if plan else []
    review = newest(data.care_records, "dots_cohort_review", "treatment_id")
    return identity(data.patient) | {
        "plan": {
            "dots_type": labels.get("dots_type", ""),
            "intensity": labels.get("intensity") or str(values.get("intensity") or ""),
            "interval_days": values.get("interval_days") or "",
            "nurse": str(values.get("nurse_name") or values.get("nurse") or ""),
            "supporters": supporters(values.get("supporters")),
            "starts_on": wareki_both(first),
            "ends_on": wareki_both(last),
            "conference_on": wareki_both(iso_date(values.get("conference_on"))),
            "participants": str(values.get("conference_participants") or ""),
            "consent_on": wareki_both(iso_date(values.get("consent_on"))),
            "consent_how": str(values.get("consent_how") or ""),
            "goals": str(values.get("goals") or ""),
            "planned": str(values.get("planned_confirmations") or ""),
            "ltbi_regimen": labels.get("ltbi_regimen", ""),
            "note": str(values.get("note") or ""),
        }
        if plan
        else {},
        "reviews": [
            {"on": wareki(iso_date(r.get("reviewed_on"))), "note": str(r.get("note") or "")}
            for r in values.get("reviews") or []
            if isinstance(r, Mapping)
        ],
        "courses": courses(data.care_records),
        "months": months(rows),
        "interruptions": [run_label(run) for run in interruptions(rows)],
        "outcome": {
            "label": review.labels.get("outcome", ""),
            "reason": str(review.data.get("override_reason") or ""),
            "meeting_note": str(review.data.get("meeting_note") or ""),
        }
        if review
        else None,
    }
