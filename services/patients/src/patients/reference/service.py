"""The code lists the forms offer on a day: the fixed ones of the card, and masters' コード表 for the rest."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Access, Area, Principal

from patients.code_list.defaults import CARD_NAMES
from patients.code_list.service import code_book
from patients.reference.codes import CODE_LISTS

FORMER = "former:"  # `former:<list>`: codes of the list not offered on the day, so old records keep their label


async def card_code_lists(session: AsyncSession, principal: Principal, on: date) -> dict[str, dict[str, str]]:
    """`{list: {code: label}}` in display order; the コード表 lists hold the codes in force on the day, and
    `former:<list>` those masters ended (or that start later) with their labels."""
    principal.require(Area.PATIENTS, Access.READ)
    book = await code_book(session)
    lists = {name: book.choices(name, on) if name in CARD_NAMES else codes for name, codes in CODE_LISTS.items()}
    return lists | {f"{FORMER}{name}": book.former(name, on) for name in CARD_NAMES}
