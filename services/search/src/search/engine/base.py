"""What every search engine offers: documents in, ranked hits out, always limited to readable areas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


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

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> SearchHit:
        """A hit from the JSON fields an index stored (see `SearchDocument.hit_fields`)."""
        return cls(
            record_type=fields["record_type"],
            id=fields["id"],
            area=fields["area"],
            name=fields["name"],
            name_kana=fields["name_kana"],
            birth_date=_date(fields.get("birth_date")),
            registration_no=fields.get("registration_no") or "",
            status=fields.get("status") or "",
            excluded_on=_date(fields.get("excluded_on")),
        )


@dataclass(frozen=True)
class SearchResult:
    """The hits of one page and how many records matched in all."""

    hits: list[SearchHit]
    total: int


@dataclass(frozen=True)
class SearchQuery:
    """Free text plus filters; `areas` are the areas the user may read (nothing else is ever returned)."""

    text: str
    areas: Sequence[str]
    record_type: str | None = None
    limit: int = 20
    offset: int = 0


class SearchEngine(Protocol):
    """An index of every record: embedded SQLite FTS5 or Meilisearch."""

    async def start(self) -> None:
        """Opens the index and applies its settings (idempotent)."""

    async def close(self) -> None:
        """Releases files and connections."""

    async def index(self, document: SearchDocument) -> bool:
        """Stores a document unless a newer version is held; True when it was applied."""

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index."""

    async def search(self, query: SearchQuery) -> SearchResult:
        """Records matching every word of the query, best first."""

    async def suggest(self, query: SearchQuery) -> list[SearchHit]:
        """A few records for the search box's drop-down while the user types."""


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
