"""The advanced search's conditions as the API accepts them, turned into engine filters."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from tbms_core.jp.fields import OptionalDate

from search.engine.base import DateRange, SearchFilters
from search.query.schemas import RecordType

MAX_AGE = 130


class SearchConditions(BaseModel):
    """Filters of the advanced search (every one optional; values of one field are alternatives)."""

    type: list[RecordType] = Field(default_factory=list, description="種別")
    status: list[str] = Field(default_factory=list, description="状態")
    district: list[str] = Field(default_factory=list, description="地区担当")
    nurse: list[str] = Field(default_factory=list, description="担当保健師")
    sex: list[str] = Field(default_factory=list, description="性別")
    birth_from: OptionalDate = None
    birth_to: OptionalDate = None
    registered_from: OptionalDate = None
    registered_to: OptionalDate = None
    diagnosed_from: OptionalDate = None
    diagnosed_to: OptionalDate = None
    age_min: int | None = Field(default=None, ge=0, le=MAX_AGE)
    age_max: int | None = Field(default=None, ge=0, le=MAX_AGE)
    dots_type: list[str] = Field(default_factory=list, description="DOTSの種類（計画中のもの）")
    dots_intensity: list[str] = Field(default_factory=list, description="支援強度（A/B/C）")
    dots_due_from: OptionalDate = None
    dots_due_to: OptionalDate = None
    dots_overdue: bool = Field(default=False, description="服薬確認の期日を過ぎている（途絶・中断の疑い）")
    facets: bool = Field(default=False, description="種別・状態・地区・性別ごとの件数も返す")

    def filters(self, today: date) -> SearchFilters:
        """The engine filters, with an age range read as a range of birth dates on `today`."""
        birth = _narrow(DateRange(self.birth_from, self.birth_to), _birth_range(today, self.age_min, self.age_max))
        return SearchFilters(
            record_types=tuple(kind.value for kind in self.type),
            statuses=tuple(self.status),
            districts=tuple(self.district),
            nurses=tuple(self.nurse),
            sexes=tuple(self.sex),
            birth=birth,
            registered=DateRange(self.registered_from, self.registered_to),
            diagnosed=DateRange(self.diagnosed_from, self.diagnosed_to),
            dots_types=tuple(self.dots_type),
            dots_intensities=tuple(self.dots_intensity),
            dots_due=self._dots_due(today),
        )

    def _dots_due(self, today: date) -> DateRange:
        """The due range asked; overdue means due before today (TB_PRACTICE §5.1: a gap beyond the intensity's
        frequency is checked at once)."""
        asked = DateRange(self.dots_due_from, self.dots_due_to)
        return _narrow(asked, DateRange(None, today - timedelta(days=1))) if self.dots_overdue else asked


def _birth_range(today: date, age_min: int | None, age_max: int | None) -> DateRange:
    """Born on or before today minus age_min years, and after today minus (age_max + 1) years."""
    latest = _years_before(today, age_min) if age_min is not None else None
    earliest = None
    if age_max is not None:
        earliest = date.fromordinal(_years_before(today, age_max + 1).toordinal() + 1)
    return DateRange(earliest, latest)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _narrow(a: DateRange, b: DateRange) -> DateRange:
    starts = [day for day in (a.start, b.start) if day]
    ends = [day for day in (a.end, b.end) if day]
    return DateRange(max(starts) if starts else None, min(ends) if ends else None)
