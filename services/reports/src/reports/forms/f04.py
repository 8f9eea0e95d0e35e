"""F04 治療・服薬支援の経過: one DOTS course on one page: the patient's regimens (the course printed marked), the
course's support plans, its confirmations summarised per month, side effects, the sputum tests along the months of
treatment, and interruptions.

Which course: the treatment chosen when printing (`FormInput.record_id`), else the current one (the latest started).
A course's records are those of its period, from its start to its end (or the print day while it goes on); its
plans are those linked to it, or not linked and starting in its period; its tests begin BASELINE_DAYS before the
start (the baseline smear and culture are taken at diagnosis, before treatment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reports.forms.common import JST, iso_date, wareki
from reports.forms.dots_records import (
    Course,
    confirmations,
    courses,
    identity,
    interruptions,
    months,
    of_kind,
    run_label,
)
from reports.forms.spec import FormInput
from reports.lab_result.models import LabResult

SPUTUM_KINDS = {"smear": "塗抹", "culture": "培養", "naat": "核酸増幅"}
SIDE_EFFECT_ROWS = 12
BASELINE_DAYS = 30  # [U] how long before the start a sputum test is the course's baseline


@dataclass(frozen=True)
class Test:
    """One sputum test along the course: the month of treatment it falls in (month 1 = the first month)."""

    day: str
    month: str
    kind: str
    result: str


def month_of(started_on: date | None, day: date | None) -> str:
    """The ordinal month of treatment (治療開始月を1か月目), as the cohort rules count it; blank before the start."""
    if started_on is None or day is None or day < started_on:
        return ""
    months = (day.year - started_on.year) * 12 + day.month - started_on.month
    if day.day < started_on.day:
        months -= 1
    return f"{months + 1}か月目"


def tests(results: Sequence[LabResult], course: Course | None) -> list[Test]:
    """The sputum smears, cultures and NAATs in date order, each with its month of treatment."""
    start = course.started_on if course else None
    found = [r for r in results if r.kind in SPUTUM_KINDS and r.collected_on]
    return [
        Test(wareki(r.collected_on), month_of(start, r.collected_on), SPUTUM_KINDS[r.kind], r.summary)
        for r in sorted(found, key=lambda r: r.collected_on or date.min)
    ]


def chosen_course(all_courses: Sequence[Course], record_id: str | None) -> Course | None:
    """The course chosen when printing, else the current one (the latest started); None without a course."""
    if record_id:
        return next((c for c in all_courses if c.id == record_id), None)
    return all_courses[-1] if all_courses else None


def build_context(data: FormInput) -> Mapping[str, object]:
    """The chosen course: the regimens, its plans, its confirmations per month, side effects, tests, interruptions."""
    all_courses = courses(data.care_records)
    course = chosen_course(all_courses, data.record_id)
    printed_on = data.printed_at.astimezone(JST).date()
    first = course.started_on if course else None
    last = (course.ended_on or printed_on) if course else None
    rows = confirmations(data.care_records, first, last) if course else []
    effects = [
        {"on": wareki(iso_date(r.data.get("confirmed_on"))), "text": str(r.data.get("side_effects"))}
        for r in rows
        if r.data.get("side_effects")
    ]
    plans = sorted(
        (p for p in of_kind(data.care_records, "dots_plan") if course and _plan_of(p.data, course, last)),
        key=lambda r: str(r.data.get("starts_on")),
    )
    taken = sum(1 for r in rows if r.data.get("status") == "taken")
    results = [
        r
        for r in data.lab_results
        if course and first and r.collected_on and first - timedelta(days=BASELINE_DAYS) <= r.collected_on <= last
    ]
    return identity(data.patient) | {
        "courses": all_courses,
        "course": course,
        "plans": [
            {
                "period": f"{wareki(iso_date(p.data.get('starts_on')))}〜{wareki(iso_date(p.data.get('ends_on')))}",
                "dots_type": p.labels.get("dots_type", ""),
                "intensity": p.labels.get("intensity") or str(p.data.get("intensity") or ""),
                "nurse": str(p.data.get("nurse_name") or p.data.get("nurse") or ""),
            }
            for p in plans
        ],
        "months": months(rows),
        "total": {"recorded": len(rows), "taken": taken, "rate": f"{taken * 100 / len(rows):.0f}%" if rows else ""},
        "side_effects": effects[:SIDE_EFFECT_ROWS],
        "more_side_effects": max(0, len(effects) - SIDE_EFFECT_ROWS),
        "tests": tests(results, course),
        "interruptions": [run_label(run) for run in interruptions(rows)],
    }


def _plan_of(plan: Mapping[str, object], course: Course, last: date | None) -> bool:
    """A plan is the course's when linked to it, or when not linked to any course and starting in its period."""
    if plan.get("treatment_id"):
        return str(plan["treatment_id"]) == course.id
    starts = iso_date(plan.get("starts_on"))
    return bool(starts and course.started_on and course.started_on <= starts and (last is None or starts <= last))
