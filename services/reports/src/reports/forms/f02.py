"""F02 LTBI治療終了後の管理に関するチェックリスト: the LTBI course, its completion judged by the doses taken, and the
checklist gone through at its end (each item with its basis), as kept with the course's review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports.forms.common import Choice, iso_date, wareki, wareki_both
from reports.forms.dots_records import confirmations, courses, identity, newest, of_kind
from reports.forms.spec import FormInput, RequiredItem

REQUIRED = (
    RequiredItem("course.period", "LTBIの治療期間", "treatments-title"),
    RequiredItem("checked_on", "チェックリストの確認日", "dots-title"),
)


@dataclass(frozen=True)
class CheckItem:
    """One item of the checklist as printed: ■ or □, the item, its note and its basis."""

    box: Choice
    label: str
    note: str
    basis: str


def build_context(data: FormInput) -> Mapping[str, object]:
    """The newest LTBI course, its completion by doses, and the review's checklist (items as they were saved)."""
    ltbi_courses = courses(data.care_records, ltbi=True)
    course = ltbi_courses[-1] if ltbi_courses else None
    reviews = [
        r
        for r in of_kind(data.care_records, "dots_cohort_review")
        if r.data.get("ltbi") or r.data.get("ltbi_checklist")
    ]
    review = max(reviews, key=lambda r: str(r.data.get("ltbi_checked_on") or "")) if reviews else None
    values = review.data if review else {}
    completion = values.get("ltbi") or {}
    answers = values.get("ltbi_checklist") or {}
    items = [
        CheckItem(
            box=Choice("", bool((answers.get(item.get("key")) or {}).get("checked"))),
            label=str(item.get("label") or ""),
            note=str((answers.get(item.get("key")) or {}).get("note") or ""),
            basis=str(item.get("basis") or ""),
        )
        for item in values.get("ltbi_checklist_items") or []
    ]
    rows = confirmations(data.care_records, course.started_on, course.ended_on) if course else []
    plan = newest(data.care_records, "dots_plan", "starts_on")
    return identity(data.patient) | {
        "course": {
            "regimen": completion.get("regimen_label") or (course.label if course else ""),
            "basis": str(completion.get("basis") or ""),
            "period": course.period if course else "",
            "planned_end_on": wareki(course.planned_end_on) if course else "",
        },
        "completion": {
            "label": str(completion.get("label") or ""),
            "why": str(completion.get("why") or ""),
            "doses": f"{completion.get('doses_taken')}回／{completion.get('doses_needed')}回" if completion else "",
            "deadline": wareki(iso_date(completion.get("deadline"))),
        },
        "confirmed_days": len(rows),
        "taken_days": sum(1 for r in rows if r.data.get("status") == "taken"),
        "dots_type": plan.labels.get("dots_type", "") if plan else "",
        "end_reason": review.labels.get("end_reason", "") if review else "",
        "checked_on": wareki_both(iso_date(values.get("ltbi_checked_on"))),
        "items": items,
        "meeting_note": str(values.get("meeting_note") or ""),
    }
