"""Every query of the master records and their history; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from tbms_contracts.masters import record_id
from tbms_core.repository import Repository

from masters.master.errors import MasterNotFound
from masters.master.models import MasterRecord, MasterRecordVersion


def valid_on(day: date) -> ColumnElement[bool]:
    """Rows in force on a day: started on or before it, not ended before it."""
    return (MasterRecord.valid_from <= day) & (MasterRecord.valid_to.is_(None) | (MasterRecord.valid_to >= day))


def matching(code_prefix: str, key: str) -> ColumnElement[bool] | None:
    """Rows whose code starts with the text, or whose folded name or カナ contains its search key."""
    found = []
    if code_prefix:
        found.append(MasterRecord.code.startswith(code_prefix, autoescape=True))
    if key:
        found.append(MasterRecord.search_key.contains(key, autoescape=True))
    return or_(*found) if found else None


class MasterRepository(Repository[MasterRecord]):
    """Reads and writes master records and their version rows in the caller's unit of work."""

    model = MasterRecord
    not_found = MasterNotFound

    async def find_code(self, kind: str, code: str) -> MasterRecord | None:
        """The record of this kind with this code, or None."""
        return await self.find(record_id(kind, code))

    async def get_code(self, kind: str, code: str) -> MasterRecord:
        """The record of this kind with this code, or MasterNotFound."""
        return await self.get(record_id(kind, code))

    async def of_codes(self, kind: str, codes: Iterable[str]) -> dict[str, MasterRecord]:
        """The records of this kind with these codes, by code (in one query)."""
        ids = [record_id(kind, code) for code in set(codes)]
        rows = await self.session.scalars(select(MasterRecord).where(MasterRecord.id.in_(ids)))
        return {row.code: row for row in rows}

    async def page(
        self,
        kind: str,
        *,
        code_prefix: str = "",
        key: str = "",
        on: date | None = None,
        ordered: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[MasterRecord], int]:
        """A page of a kind's records matching a search, valid on a day unless `on` is None, and the total."""
        where = self._where(kind, code_prefix, key, on)
        total = await self.session.scalar(select(func.count()).select_from(MasterRecord).where(*where))
        rows = await self.session.scalars(
            select(MasterRecord).where(*where).order_by(*self._order(ordered)).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)

    async def suggest(
        self, kind: str, *, code_prefix: str, key: str, on: date, ordered: bool, ref: tuple[str, str] | None, limit: int
    ) -> list[MasterRecord]:
        """Type-ahead: valid rows matching the text, codes that start with it first; `ref` = (data key, value)."""
        where = self._where(kind, code_prefix, key, on)
        if ref is not None:
            where.append(MasterRecord.data[ref[0]].astext == ref[1])
        first: list[Any] = []
        if code_prefix:
            first.append(case((MasterRecord.code.startswith(code_prefix, autoescape=True), 0), else_=1))
        statement = select(MasterRecord).where(*where).order_by(*first, *self._order(ordered)).limit(limit)
        return list(await self.session.scalars(statement))

    async def every(self, kind: str, *, ordered: bool = False) -> list[MasterRecord]:
        """Every record of a kind, ended ones too (for exports)."""
        statement = select(MasterRecord).where(MasterRecord.kind == kind).order_by(*self._order(ordered))
        return list(await self.session.scalars(statement))

    async def versions_of(self, record: uuid.UUID) -> list[MasterRecordVersion]:
        """Every saved change of a record, newest first."""
        statement = (
            select(MasterRecordVersion)
            .where(MasterRecordVersion.record_id == record)
            .order_by(MasterRecordVersion.version.desc())
        )
        return list(await self.session.scalars(statement))

    def stage(self, item: MasterRecord | MasterRecordVersion) -> None:
        """Adds a row (keyed already) to the caller's transaction; written with the next flush, so a bulk save
        writes its rows in a few statements."""
        self.session.add(item)

    async def flush_new(self) -> bool:
        """Writes staged rows now; False when a code was taken meanwhile (the transaction is then unusable)."""
        try:
            await self.session.flush()
        except IntegrityError:
            return False
        return True

    @staticmethod
    def _where(kind: str, code_prefix: str, key: str, on: date | None) -> list[ColumnElement[bool]]:
        where = [MasterRecord.kind == kind]
        if (search := matching(code_prefix, key)) is not None:
            where.append(search)
        if on is not None:
            where.append(valid_on(on))
        return where

    @staticmethod
    def _order(ordered: bool) -> list[Any]:
        if ordered:
            return [MasterRecord.data["sort_order"].as_integer().asc().nulls_last(), MasterRecord.code]
        return [MasterRecord.code]
