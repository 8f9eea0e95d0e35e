"""What the search API accepts and returns."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field
from tbms_core.jp.wareki import format_wareki

from search.engine.base import SearchHit
from search.query.highlight import Segment, highlight


class RecordType(StrEnum):
    """Kinds of record the index holds; each is guarded by one area."""

    PATIENT = "patient"
    CONTACT = "contact"
    DOCUMENT = "document"
    MASTER = "master"


class SearchItem(BaseModel):
    """One found record as the result list shows it, with the matched characters of name and カナ."""

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
    sex: str = ""
    district: str = ""
    highlight: dict[str, list[Segment]] = Field(default_factory=dict)

    @classmethod
    def of(cls, hit: SearchHit, words: list[str] | None = None) -> SearchItem:
        """The item of an engine hit, with the birth date in 和暦 as forms show it."""
        marks = {"name": highlight(hit.name, words or []), "name_kana": highlight(hit.name_kana, words or [])}
        return cls(**vars(hit), birth_date_wareki=wareki(hit.birth_date), highlight=marks)


class SearchPage(BaseModel):
    """Found records, best first, how many matched in all, and counts per facet value."""

    items: list[SearchItem]
    total: int
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)


class Suggestion(BaseModel):
    """One entry of the search box's drop-down: name, カナ and 和暦 birth date, matches marked."""

    record_type: str
    id: str
    area: str
    name: str
    name_kana: str
    birth_date: date | None
    birth_date_wareki: str | None
    registration_no: str = ""
    highlight: dict[str, list[Segment]] = Field(default_factory=dict)

    @classmethod
    def of(cls, hit: SearchHit, words: list[str] | None = None) -> Suggestion:
        """The suggestion of an engine hit."""
        return cls(
            record_type=hit.record_type,
            id=hit.id,
            area=hit.area,
            name=hit.name,
            name_kana=hit.name_kana,
            birth_date=hit.birth_date,
            birth_date_wareki=wareki(hit.birth_date),
            registration_no=hit.registration_no,
            highlight={"name": highlight(hit.name, words or []), "name_kana": highlight(hit.name_kana, words or [])},
        )


class SuggestionList(BaseModel):
    """At most eight suggestions, best first."""

    items: list[Suggestion]


class PatientBatch(BaseModel):
    """One page of patient snapshots for a rebuild; `reset` empties the index first (the first page)."""

    patients: list[dict] = Field(max_length=1000)
    reset: bool = False


class ReindexReport(BaseModel):
    """How many records of a rebuild page were stored."""

    received: int
    indexed: int


def wareki(day: date | None) -> str | None:
    """昭和45年3月1日 for a date (西暦 before 1873), None for none."""
    return format_wareki(day) if day else None
