"""Keeping masters' 外字 master and reading the substitutes in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot
from tbms_core.gaiji_master import entry_of, substitutes_in_force

from contacts.gaiji.repository import GaijiRepository


async def keep(session: AsyncSession, snapshot: MasterSnapshot, version: int) -> bool | None:
    """Keeps one 外字 record; None when the snapshot is not one (another kind, or without its fields), False when a
    newer or equal version is held already."""
    entry = entry_of(snapshot, version)
    if entry is None or entry.valid_from is None:
        return None
    return await GaijiRepository(session).apply(entry)


async def substitutes(session: AsyncSession, day: date) -> dict[str, str]:
    """{外字: 代替文字} of masters' 外字 master in force on the day."""
    return substitutes_in_force(await GaijiRepository(session).every(), day)
