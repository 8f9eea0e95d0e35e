"""What the investigation computes from its items: the infectious period, the delays and the contact candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from patients.investigation.items import PLACE_KINDS, SETTING_KINDS
from patients.investigation.rules import COUGH, doctor_delay, infectious_period, overlap, patient_delay
from patients.investigation.schemas import CandidateRead, DelayRead, Items, PeriodRead

DELAY_LABELS = {"patient": "受診の遅れ", "doctor": "診断の遅れ"}


def computed(
    items: Items,
    *,
    override_start: date | None,
    override_end: date | None,
    override_reason: str,
    lookback_months: int,
    smear_negative_months: int,
    recorded_ends: Sequence[tuple[date, str]] = (),
) -> tuple[PeriodRead, list[DelayRead], list[CandidateRead]]:
    """The period (computed, or overridden with the reason), both delays, and the candidates inside the period."""
    onsets = [s.onset_on for s in items.symptoms if s.onset_on]
    cough = min((s.onset_on for s in items.symptoms if s.symptom == COUGH and s.onset_on), default=None)
    first_visit = min((v.visited_on for v in items.visits), default=None)
    period = infectious_period(
        cough_onset=cough,
        found_by_screening=items.found_by_screening,
        first_positive_on=items.first_positive_on,
        diagnosed_on=items.diagnosed_on,
        smear_negative=items.smear_negative,
        treatment_started_on=items.treatment_started_on,
        isolated_on=items.isolated_on,
        lookback_months=lookback_months,
        smear_negative_months=smear_negative_months,
        override_start=override_start,
        override_end=override_end,
        override_reason=override_reason,
        recorded_ends=recorded_ends,
    )
    delays = [
        patient_delay(min(onsets, default=None), first_visit),
        doctor_delay(first_visit, items.diagnosed_on),
    ]
    return (
        PeriodRead(**period.__dict__),
        [DelayRead(label=DELAY_LABELS[d.kind], **d.__dict__) for d in delays],
        candidates(items, period.start, period.end),
    )


def candidates(items: Items, start: date | None, end: date | None) -> list[CandidateRead]:
    """Household members, each setting (a class, a workplace) and each place or trip that overlaps the period."""
    found: list[CandidateRead] = []
    inside = overlap(start, end, None, None)
    shown = "感染性期間の全体" if start else "感染性期間が未確定"
    for member in items.household:
        found.append(
            CandidateRead(
                kind="household",
                kind_label="同居者",
                name=member.name,
                relation=member.relation,
                age=member.age,
                exposure_from=inside[0] if inside else None,
                exposure_to=inside[1] if inside else None,
                basis=f"同居（{shown}）",
            )
        )
    for setting in items.settings:
        detail = "・".join(filter(None, [setting.hours, setting.room]))
        found.append(
            CandidateRead(
                kind=setting.kind,
                kind_label=SETTING_KINDS.get(setting.kind, setting.kind),
                name=setting.name,
                setting=detail,
                exposure_from=inside[0] if inside else None,
                exposure_to=inside[1] if inside else None,
                basis=f"{SETTING_KINDS.get(setting.kind, '')}で同じ時間・部屋を共有（{shown}）",
                poor_ventilation=setting.ventilation == "poor",
            )
        )
    for place in [*items.places, *items.travel]:
        kind = "travel" if place in items.travel else place.kind
        window = overlap(start, end, place.from_on, place.to_on)
        if window is None:
            continue  # entirely outside the infectious period
        found.append(
            CandidateRead(
                kind=kind,
                kind_label="旅行" if kind == "travel" else PLACE_KINDS.get(kind, kind),
                name=place.name,
                setting=place.frequency,
                exposure_from=window[0],
                exposure_to=window[1],
                basis="感染性期間と重なる期間に利用" if place.from_on or place.to_on else f"定期的に利用（{shown}）",
            )
        )
    return found


def as_json(items: Items) -> dict[str, Any]:
    """The items as stored (JSON values)."""
    return items.model_dump(mode="json")
