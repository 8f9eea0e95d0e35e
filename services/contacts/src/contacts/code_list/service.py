"""Reading the code lists in force and keeping them in step with masters' コード表."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot

from contacts.code_list.book import NAMES, CodeBook
from contacts.code_list.repository import CodeEntryRepository


async def code_book(session: AsyncSession) -> CodeBook:
    """The code lists as they stand now: the built-in ones with every code masters has sent laid over them."""
    return CodeBook(await CodeEntryRepository(session).every())


async def keep(session: AsyncSession, snapshot: MasterSnapshot, version: int) -> bool | None:
    """Keeps one コード表 entry of a list contacts uses; None when the list is not one of them, False when a
    newer or equal version is held already."""
    data = snapshot.data
    name, value = str(data.get("list") or ""), str(data.get("value") or "")
    if name not in NAMES or not value:
        return None
    sort_order = data.get("sort_order")
    values: dict[str, object] = {
        "list": name,
        "value": value,
        "label": str(data.get("label") or snapshot.name),
        "sort_order": sort_order if isinstance(sort_order, int) else None,
        "valid_from": snapshot.valid_from,
        "valid_to": snapshot.valid_to,
    }
    return await CodeEntryRepository(session).apply(values, version)
