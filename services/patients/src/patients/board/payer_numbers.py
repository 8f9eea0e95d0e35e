"""The 公費負担者番号 of an approval, taken from masters (R29): patients keeps masters' numbers (MasterChanged, kind
payer_number) and an approval takes the one in force for the case's 法別番号, or checks the one the clerk chose."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot

from patients.board.repository import PayerNumberRepository
from patients.board.schemas import payer_number
from patients.care.numbers import LAW_NUMBERS


async def keep(session: AsyncSession, snapshot: MasterSnapshot, version: int) -> bool:
    """Keeps one 公費負担者番号 unless a newer or equal version is held; True when it was applied."""
    values = {
        "law": str(snapshot.data.get("law") or snapshot.code[:2]),
        "agency": str(snapshot.data.get("agency") or snapshot.name),
        "valid_from": snapshot.valid_from,
        "valid_to": snapshot.valid_to,
    }
    return await PayerNumberRepository(session).apply(snapshot.code, values, version)


async def choose(session: AsyncSession, typed: str | None, basis: str, day: date) -> str:
    """The approval's 公費負担者番号: masters' only number of the basis in force on the cover's first day when none
    was chosen; a chosen one must be well formed and, once masters has sent numbers of the basis, one of them.
    Raises ValueError with the Japanese message for the field."""
    law = LAW_NUMBERS[basis]
    known = await PayerNumberRepository(session).in_force(law, day)
    if typed:
        checked = payer_number(typed, basis)
        if known and checked not in {n.code for n in known}:
            raise ValueError(
                f"公費負担者番号「{checked}」はマスタ（公費負担者番号）に{day.isoformat()}時点で有効な番号として"
                "ありません。マスタの番号から選んでください。"
            )
        return checked
    if len(known) == 1:
        return known[0].code
    if known:
        raise ValueError(
            f"法別番号「{law}」の公費負担者番号がマスタに{len(known)}件あります。実施機関の番号を選んでください。"
        )
    raise ValueError(
        f"法別番号「{law}」の公費負担者番号がマスタにありません。マスタ管理で登録するか、番号を選んでください。"
    )
