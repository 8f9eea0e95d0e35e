"""What the search API accepts and returns."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel
from tbms_core.jp.wareki import format_wareki

from search.engine.base import SearchHit


class RecordType(StrEnum):
    """Kinds of record the index holds."""

    PATIENT = "patient"


class SearchItem(BaseModel):
    """One found record as the result list shows it."""

    record_type: str
    id: str
    area: str
    name: str
    name_kana: str
    birth_date: date | None
    birth_date_wareki: str | None
    registration_no: str
    status: str
    excluded_on: date | None

    @classmethod
    def of(cls, hit: SearchHit) -> SearchItem:
        """The item of an engine hit, with the birth date in 和暦 as forms show it."""
        return cls(**vars(hit), birth_date_wareki=wareki(hit.birth_date))


class SearchPage(BaseModel):
    """Found records, best first, and how many matched in all."""

    items: list[SearchItem]
    total: int


class Suggestion(BaseModel):
    """One entry of the search box's drop-down: name, カナ and 和暦 birth date."""

    record_type: str
    id: str
    area: str
    name: str
    name_kana: str
    birth_date: date | None
    birth_date_wareki: str | None

    @classmethod
    def of(cls, hit: SearchHit) -> Suggestion:
        """The suggestion of an engine hit."""
        return cls(
            record_type=hit.record_type,
            id=hit.id,
            area=hit.area,
            name=hit.name,
            name_kana=hit.name_kana,
            birth_date=hit.birth_date,
            birth_date_wareki=wareki(hit.birth_date),
        )


class SuggestionList(BaseModel):
    """At most eight suggestions, best first."""

    items: list[Suggestion]


def wareki(day: date | None) -> str | None:
    """昭和45年3月1日 for a date (西暦 before 1873), None for none."""
    return format_wareki(day) if day else None
