"""What the search API accepts and returns."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field
from tbms_core.jp.wareki import format_wareki

from search.engine.base import IndexStatus, SearchHit
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
    index_patient: str = Field(default="", description="接触者の発端者（登録番号 氏名）")
    dots_type_label: str = Field(default="", description="服薬支援計画のDOTSの種類")
    dots_intensity: str = Field(default="", description="支援強度（A/B/C）")
    dots_due_on: date | None = Field(default=None, description="次の服薬確認の期日（過ぎていれば途絶）")
    highlight: dict[str, list[Segment]] = Field(default_factory=dict)

    @classmethod
    def of(cls, hit: SearchHit, words: list[str] | None = None) -> SearchItem:
        """The item of an engine hit, with the birth date in 和暦 as forms show it."""
        shown = {name: value for name, value in vars(hit).items() if name != "marks"}
        return cls(**shown, birth_date_wareki=wareki(hit.birth_date), highlight=marks_of(hit, words))


class IndexInfo(BaseModel):
    """Whether the index holds every record; results from an incomplete index may miss some."""

    state: str = Field(description="complete / rebuilding / needs_reindex")
    detail: str = ""
    done: int | None = Field(default=None, description="records copied so far while rebuilding")
    total: int | None = Field(default=None, description="records to copy while rebuilding")

    @classmethod
    def of(cls, status: IndexStatus) -> IndexInfo:
        """The API's view of an engine's index status."""
        return cls(**status.to_json())


class SearchPage(BaseModel):
    """Found records, best first, how many matched, and counts per facet value.

    A broad query stops counting at 1,000: `total_is_lower_bound` then says the total and the facet counts
    are "at least" (「1,000件以上」), and the page is ranked among the matches counted.
    """

    items: list[SearchItem]
    total: int
    total_is_lower_bound: bool = False
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    index: IndexInfo = Field(default_factory=lambda: IndexInfo(state="complete"))


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
    index_patient: str = ""
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
            index_patient=hit.index_patient,
            highlight=marks_of(hit, words),
        )


class SuggestionList(BaseModel):
    """At most eight suggestions, best first."""

    items: list[Suggestion]


def marks_of(hit: SearchHit, words: list[str] | None) -> dict[str, list[Segment]]:
    """Name and カナ cut into matched and unmatched runs: what the engine marked, else the query's words."""
    found = list(hit.marks) or words or []
    return {"name": highlight(hit.name, found), "name_kana": highlight(hit.name_kana, found)}


def wareki(day: date | None) -> str | None:
    """昭和45年3月1日 for a date (西暦 before 1873), None for none."""
    return format_wareki(day) if day else None
