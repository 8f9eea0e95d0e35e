"""The DOTS records of a patient as the reports read model holds them (CareRecordSaved of kind `dots_*`), and the
figures the DOTS forms (F01, F02, F04, F07) print from them: the course, the plan, confirmations per month."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from reports.care_record.models import CareRecord
from reports.forms.common import CATEGORY_LABELS, iso_date, wareki, wareki_both
from reports.patient_summary.models import PatientSummary

GROUPS = {"disease": "疾患の特殊性", "patient": "患者の状態", "social": "社会的背景"}
SUPPORTER_KINDS = {"nurse": "保健師", "pharmacy": "薬局", "home_nursing": "訪問看護", "institution": "医療機関"}
LTBI_CODES = frozenset({"6H", "9H", "4R", "6R", "3-4HR"})


def of_kind(records: Iterable[CareRecord], kind: str) -> list[CareRecord]:
    """The records of one kind."""
    return [record for record in records if record.kind == kind]


def newest(records: Iterable[CareRecord], kind: str, day_field: str) -> CareRecord | None:
    """The record of a kind with the latest date in a field (the newest plan, the latest assessment)."""
    found = of_kind(records, kind)
    return max(found, key=lambda r: iso_date(r.data.get(day_field)) or date.min) if found else None


def identity(patient: PatientSummary) -> dict[str, str]:
    """The patient's lines every DOTS form heads with."""
    return {
        "registration_no": patient.registration_no,
        "registered_on": wareki_both(patient.registered_on),
        "category": CATEGORY_LABELS.get(patient.category, patient.category),
        "name": patient.name,
        "name_kana": patient.name_kana,
        "birth_date": wareki_both(patient.birth_date),
        "address": patient.address,
        "phone": patient.phone,
        "nurse": patient.nurse,
    }


@dataclass(frozen=True)
class Course:
    """A treatment course as printed: regimen, start and end."""

    regimen: str
    started_on: date | None
    ended_on: date | None
    planned_end_on: date | None
    label: str
    id: str = ""  # the treatment record's id (the course a form is printed for)

    @property
    def period(self) -> str:
        """令和7年1月10日〜令和7年7月9日 (〜 while it goes on)."""
        return f"{wareki(self.started_on)}〜{wareki(self.ended_on)}" if self.started_on else ""


def courses(records: Iterable[CareRecord], ltbi: bool | None = None) -> list[Course]:
    """The treatment courses in start order; only LTBI ones (or only the others) when asked."""
    found = []
    for record in of_kind(records, "treatment"):
        regimen = str(record.data.get("regimen") or "")
        if ltbi is not None and (regimen in LTBI_CODES) != ltbi:
            continue
        found.append(
            Course(
                regimen=regimen,
                started_on=iso_date(record.data.get("started_on")),
                ended_on=iso_date(record.data.get("ended_on")),
                planned_end_on=iso_date(record.data.get("planned_end_on")),
                label=record.labels.get("regimen") or regimen,
                id=str(record.id),
            )
        )
    return sorted(found, key=lambda c: c.started_on or date.min)


@dataclass(frozen=True)
class Month:
    """One calendar month of confirmations: days recorded, taken, missed, unknown, and the methods used."""

    label: str
    taken: int
    missed: int
    unknown: int
    methods: str

    @property
    def recorded(self) -> int:
        """Days with a confirmation."""
        return self.taken + self.missed + self.unknown

    @property
    def rate(self) -> str:
        """Doses confirmed over days recorded, as a percentage (blank without a day)."""
        return f"{self.taken * 100 / self.recorded:.0f}%" if self.recorded else ""


def confirmations(
    records: Iterable[CareRecord], first: date | None = None, last: date | None = None
) -> list[CareRecord]:
    """The confirmations in date order, within the dates given."""
    rows = [
        r
        for r in of_kind(records, "dots_confirmation")
        if (day := iso_date(r.data.get("confirmed_on")))
        and (first is None or day >= first)
        and (last is None or day <= last)
    ]
    return sorted(rows, key=lambda r: str(r.data.get("confirmed_on")))


def months(rows: Sequence[CareRecord]) -> list[Month]:
    """The confirmations summarised per calendar month, oldest first."""
    table: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        day = iso_date(row.data.get("confirmed_on"))
        if day is None:
            continue
        entry = table.setdefault((day.year, day.month), {"taken": 0, "missed": 0, "unknown": 0, "methods": {}})
        status = str(row.data.get("status") or "unknown")
        entry[status if status in ("taken", "missed") else "unknown"] += 1
        method = row.labels.get("method") or str(row.data.get("method") or "")
        entry["methods"][method] = entry["methods"].get(method, 0) + 1
    return [
        Month(
            label=wareki(date(year, month, 1)).removesuffix("1日"),
            taken=values["taken"],
            missed=values["missed"],
            unknown=values["unknown"],
            methods="、".join(f"{m}{n}" for m, n in sorted(values["methods"].items(), key=lambda kv: -kv[1])),
        )
        for (year, month), values in sorted(table.items())
    ]


def interruptions(rows: Sequence[CareRecord]) -> list[tuple[date, date]]:
    """Runs of consecutive days recorded as not taken (中断), oldest first."""
    missed = sorted(
        day for r in rows if r.data.get("status") == "missed" and (day := iso_date(r.data.get("confirmed_on")))
    )
    runs: list[tuple[date, date]] = []
    for day in missed:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def run_label(run: tuple[date, date]) -> str:
    """令和7年2月1日〜令和7年3月1日（29日）."""
    first, last = run
    days = (last - first).days + 1
    return f"{wareki(first)}（1日）" if first == last else f"{wareki(first)}〜{wareki(last)}（{days}日）"


def supporters(values: object) -> str:
    """Who supports and where: 薬局 試験薬局（世田谷区試験町）、…"""
    parts = []
    for item in values if isinstance(values, list) else []:
        if not isinstance(item, Mapping):
            continue
        kind = SUPPORTER_KINDS.get(str(item.get("kind") or ""), str(item.get("kind") or ""))
        place = f"（{item['place']}）" if item.get("place") else ""
        parts.append(f"{kind} {item.get('name') or ''}{place}".strip())
    return "、".join(parts)
