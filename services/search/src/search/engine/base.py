"""What every search engine offers: documents in, ranked hits out, always limited to readable areas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

DATE_FIELDS = ("birth_date", "excluded_on", "registered_on", "diagnosed_on", "dots_due_on")


@dataclass(frozen=True)
class SearchDocument:
    """One record as the index holds it: what results show, plus the folded keys search compares."""

    record_type: str
    id: str
    version: int
    area: str
    name: str
    name_kana: str
    birth_date: date | None
    registration_no: str
    status: str
    active: bool
    excluded_on: date | None = None
    phone: str = ""
    postal_code: str = ""
    address: str = ""
    sex: str = ""
    district: str = ""
    nurse: str = ""
    registered_on: date | None = None
    diagnosed_on: date | None = None
    numbers: tuple[str, ...] = ()  # 公費負担者番号, 受給者番号 … found by their digits
    texts: tuple[str, ...] = ()  # values of configurable fields (R33), found as free text
    index_patient: str = ""  # a contact's index patient(s) as the result shows them: 登録番号 and name
    index_numbers: tuple[str, ...] = ()  # the index patients' 登録番号: a contact is found by its index's number
    dots_type: str = ""  # a patient's DOTS type under the plan in force (visit, outpatient …)
    dots_type_label: str = ""  # 訪問DOTS …, found as free text
    dots_intensity: str = ""  # 支援強度 (A / B / C) of the plan in force
    dots_due_on: date | None = None  # the next 服薬確認 due; past means the confirmations have stopped (途絶)

    def hit_fields(self) -> dict[str, Any]:
        """What a result shows of this record, as JSON values."""
        return {
            "record_type": self.record_type,
            "id": self.id,
            "area": self.area,
            "name": self.name,
            "name_kana": self.name_kana,
            "birth_date": _iso(self.birth_date),
            "registration_no": self.registration_no,
            "status": self.status,
            "excluded_on": _iso(self.excluded_on),
        }

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON values: what an index keeps so that it can be rebuilt without the owners."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        tuples = {name: list(value) for name, value in values.items() if isinstance(value, tuple)}
        return values | {name: _iso(values[name]) for name in DATE_FIELDS} | tuples

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> SearchDocument:
        """The document an index kept (see `to_json`); fields unknown to this version are ignored."""
        known = {item.name for item in fields(cls)}
        kept = {name: value for name, value in values.items() if name in known}
        dates = {name: _date(kept[name]) for name in DATE_FIELDS if name in kept}
        tuples = {name: tuple(value) for name, value in kept.items() if isinstance(value, list)}
        return cls(**(kept | dates | tuples))


@dataclass(frozen=True)
class SearchHit:
    """One found record with what the result list shows."""

    record_type: str
    id: str
    area: str
    name: str
    name_kana: str
    birth_date: date | None
    registration_no: str
    status: str
    excluded_on: date | None = None
    sex: str = ""
    district: str = ""
    index_patient: str = ""
    dots_type_label: str = ""
    dots_intensity: str = ""
    dots_due_on: date | None = None
    marks: tuple[str, ...] = ()  # folded text the engine says matched (else the query's words are marked)

    @classmethod
    def from_fields(cls, fields: dict[str, Any], *, marks: tuple[str, ...] = ()) -> SearchHit:
        """A hit from the JSON fields an index stored (see `SearchDocument.hit_fields`)."""
        return cls(
            marks=marks,
            record_type=fields["record_type"],
            id=fields["id"],
            area=fields["area"],
            name=fields["name"],
            name_kana=fields["name_kana"],
            birth_date=_date(fields.get("birth_date")),
            registration_no=fields.get("registration_no") or "",
            status=fields.get("status") or "",
            excluded_on=_date(fields.get("excluded_on")),
            sex=fields.get("sex") or "",
            district=fields.get("district") or "",
            index_patient=fields.get("index_patient") or "",
            dots_type_label=fields.get("dots_type_label") or "",
            dots_intensity=fields.get("dots_intensity") or "",
            dots_due_on=_date(fields.get("dots_due_on")),
        )


FACETS = ("record_type", "status", "district", "sex")  # what the result page counts for the current query


@dataclass(frozen=True)
class SearchResult:
    """The hits of one page, how many records matched, and counts per facet value.

    Past a few thousand matches an engine may stop counting: `total_is_lower_bound` then says that `total`
    (and every facet count) is "at least", as in 「1,000件以上」.
    """

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_is_lower_bound: bool = False


class IndexState(StrEnum):
    """Whether the index holds every record, so that an empty result can be trusted."""

    COMPLETE = "complete"
    REBUILDING = "rebuilding"  # the embedded engine filling a new schema version's file from the previous file
    NEEDS_REINDEX = "needs_reindex"  # incomplete until an administrator runs `tbms search reindex`


class RebuildState(StrEnum):
    """Where a rebuild from the owning services (`tbms search reindex`) stands."""

    RUNNING = "running"  # pages go into a new index beside the live one, events into both
    FINISHED = "finished"  # the new index was swapped in
    ABANDONED = "abandoned"  # no page came for too long, or another rebuild took over: the new index was discarded
    FAILED = "failed"  # the new index was lost (a restart found no file): discarded


@dataclass(frozen=True)
class RebuildProgress:
    """One rebuild as the search database records it; every search process reads the same row."""

    id: str
    state: RebuildState
    started_at: datetime
    last_progress_at: datetime
    records_sent: int = 0
    finished_at: datetime | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """The rebuild as JSON values."""
        return {
            "id": self.id,
            "state": self.state.value,
            "started_at": self.started_at.isoformat(),
            "last_progress_at": self.last_progress_at.isoformat(),
            "records_sent": self.records_sent,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class IndexStatus:
    """The index's state as operators (/health/ready) and users (a notice above results) see it.

    `state` is the live index's: a rebuild from the owners fills a new index beside it, so the live one stays
    complete meanwhile and `rebuild` tells how far the rebuild got.
    """

    state: IndexState
    documents: int | None = None
    done: int | None = None  # records copied so far while rebuilding from the previous index file
    total: int | None = None  # records to copy
    detail: str = ""
    rebuild: RebuildProgress | None = None  # the latest rebuild from the owners, if any

    def with_rebuild(self, rebuild: RebuildProgress | None) -> IndexStatus:
        """The same status with the latest rebuild from the owners."""
        return replace(self, rebuild=rebuild)

    def to_json(self) -> dict[str, Any]:
        """The status as JSON values, without unknown parts."""
        values = {"state": self.state.value, "documents": self.documents, "done": self.done, "total": self.total}
        shown = {name: value for name, value in values.items() if value is not None} | {"detail": self.detail}
        return shown | ({"rebuild": self.rebuild.to_json()} if self.rebuild else {})


@dataclass(frozen=True)
class DateRange:
    """Inclusive bounds of a date filter; either may be open."""

    start: date | None = None
    end: date | None = None

    @property
    def open(self) -> bool:
        """True when the range does not restrict anything."""
        return self.start is None and self.end is None


@dataclass(frozen=True)
class SearchFilters:
    """The advanced search's conditions, combined with AND (values within one field with OR)."""

    record_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    nurses: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    birth: DateRange = DateRange()
    registered: DateRange = DateRange()
    diagnosed: DateRange = DateRange()
    dots_types: tuple[str, ...] = ()
    dots_intensities: tuple[str, ...] = ()
    dots_due: DateRange = DateRange()  # the next 服薬確認 due; a range ending yesterday is "confirmations stopped"

    @property
    def empty(self) -> bool:
        """True when no condition is set."""
        lists = (self.record_types, self.statuses, self.districts, self.nurses, self.sexes)
        lists += (self.dots_types, self.dots_intensities)
        dates = (self.birth, self.registered, self.diagnosed, self.dots_due)
        return not any(lists) and all(bounds.open for bounds in dates)


@dataclass(frozen=True)
class SearchQuery:
    """Free text plus filters; `areas` are the areas the user may read (nothing else is ever returned)."""

    text: str
    areas: Sequence[str]
    record_type: str | None = None
    limit: int = 20
    offset: int = 0
    filters: SearchFilters = SearchFilters()
    facets: bool = False


class SearchEngine(Protocol):
    """An index of every record: embedded SQLite FTS5 or Meilisearch."""

    async def start(self) -> None:
        """Opens the index and applies its settings (idempotent)."""

    async def close(self) -> None:
        """Releases files and connections."""

    async def index(self, document: SearchDocument, *, refresh: bool = False) -> bool:
        """Stores a document unless a newer version is held; True when it was applied.

        `refresh` also replaces the same version: what a record shows of another one changed (a contact's index
        patient moved district, a patient's DOTS plan changed) while the record's own version did not.
        """

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index."""

    async def clear(self) -> None:
        """Removes every record."""

    async def begin_rebuild(self, rebuild_id: str) -> None:
        """Creates an empty index beside the live one for a rebuild (`tbms search reindex`); until the rebuild
        ends, events (`index`, `delete`) go to both indexes and searches to the live one."""

    async def follow_rebuild(self, rebuild_id: str | None) -> bool:
        """Sends events to a running rebuild's index too (another process may have begun it), or stops (None);
        False when that index does not exist."""

    async def index_rebuilt(self, document: SearchDocument) -> bool:
        """Stores a rebuild page's document in the new index unless it holds a newer version or the record was
        deleted during the rebuild; True when it was applied."""

    async def finish_rebuild(self, rebuild_id: str | None = None) -> None:
        """Swaps the rebuild's index in atomically and removes the old one; None marks the live index complete
        (pages were sent straight to it)."""

    async def abandon_rebuild(self, rebuild_id: str) -> None:
        """Deletes the rebuild's index; the live index is untouched."""

    async def discard_stray_rebuilds(self, keep: str | None) -> None:
        """At start: deletes rebuild indexes a crash left behind, except the running rebuild's (`keep`)."""

    async def status(self) -> IndexStatus:
        """Whether the index is complete, being rebuilt, or waits for `tbms search reindex`."""

    async def check_against_ledger(self, indexed_records: int) -> None:
        """Flags an index created empty although the ledger says records were indexed before (a lost file)."""

    async def search(self, query: SearchQuery) -> SearchResult:
        """Records matching every word of the query, best first."""

    async def suggest(self, query: SearchQuery) -> list[SearchHit]:
        """A few records for the search box's drop-down while the user types."""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
