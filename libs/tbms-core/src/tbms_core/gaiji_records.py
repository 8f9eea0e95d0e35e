"""The replicated 外字 master of a service that writes names out (patients' and contacts' CP932 CSV) or folds them
(search finds 𠮷田 by 吉田): the table's columns as a mixin for the service's own model, and the queries on it.
Never commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from tbms_contracts.masters import MasterSnapshot

from tbms_core.db import apply_snapshot, utcnow
from tbms_core.gaiji_master import GaijiEntry, entry_of, substitutes_in_force


class GaijiRecordColumns:
    """One 外字 and its 代替文字 with the days it is in force; ended ones are kept (the master's history). The model
    names its table: table names are unique across the services' models, which one test process loads together."""

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # U+20BB7
    character: Mapped[str] = mapped_column(String(1), nullable=False)
    substitute: Mapped[str] = mapped_column(Text, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


async def keep(
    session: AsyncSession, model: type[GaijiRecordColumns], snapshot: MasterSnapshot, version: int
) -> bool | None:
    """Keeps one 外字 record; None when the snapshot is not one (another kind, or without its fields), False when a
    newer or equal version is held already."""
    entry = entry_of(snapshot, version)
    if entry is None or entry.valid_from is None:
        return None
    values = {
        "character": entry.character,
        "substitute": entry.substitute,
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
        "version": entry.version,
        "applied_at": utcnow(),
    }
    return await apply_snapshot(session, model, {"code": entry.code}, values)


async def entries(session: AsyncSession, model: type[GaijiRecordColumns]) -> list[GaijiEntry]:
    """Every 外字 record kept, ended ones too (what a process's `GaijiMaster` holds)."""
    rows = await session.scalars(select(model))
    return [GaijiEntry(r.code, r.character, r.substitute, r.valid_from, r.valid_to, r.version) for r in rows]


async def substitutes(session: AsyncSession, model: type[GaijiRecordColumns], day: date) -> dict[str, str]:
    """{外字: 代替文字} of the 外字 master in force on the day."""
    return substitutes_in_force(await entries(session, model), day)
