"""Keeping masters' 外字 master and reading the substitutes in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot
from tbms_core import gaiji_records

from contacts.gaiji.models import GaijiRecord


async def keep(session: AsyncSession, snapshot: MasterSnapshot, version: int) -> bool | None:
    """Keeps one 外字 record; None when the snapshot is not one, False when a newer or equal version is held."""
    return await gaiji_records.keep(session, GaijiRecord, snapshot, version)


async def substitutes(session: AsyncSession, day: date) -> dict[str, str]:
    """{外字: 代替文字} of masters' 外字 master in force on the day."""
    return await gaiji_records.substitutes(session, GaijiRecord, day)
