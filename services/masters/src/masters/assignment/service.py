"""Which nurse serves an address: the staff assignments (担当保健師) of masters, district and 町丁目.

The district is the one named (by code or name), else the one whose 町丁目 list holds the address. Among the
district's assignments valid today, the one whose 担当町丁目 line is the longest found in the address wins (the
most specific: 見本町1丁目 before 見本町); an assignment with no 町丁目 serves the rest of the district.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal
from tbms_core.jp.text import search_key

from masters.assignment.schemas import AssignedNurse, NurseLookup
from masters.master.schemas import MasterFilter, MasterRead
from masters.master.service import MasterService

BASIS = (
    "担当保健師はマスタ管理の「担当保健師」（地区・担当町丁目）で決まります。住所に含まれる担当町丁目のうち最も詳しいもの"
    "（長いもの）の担当者を提案し、町丁目の指定がない担当者は地区全体を受け持ちます。提案は変更できます。"
)
KANJI_DIGITS = str.maketrans("一二三四五六七八九〇", "1234567890")
CHOME = re.compile(r"([一二三四五六七八九〇十]+)(丁目|番町)")


def _fold(text: str) -> str:
    """An address or a 町丁目 as compared: width, 異体字 and spaces folded, 丁目 numbers in digits."""

    def digits(found: re.Match[str]) -> str:
        number = found.group(1)
        if "十" in number:
            tens, _, ones = number.partition("十")
            value = int((tens or "一").translate(KANJI_DIGITS)) * 10 + int((ones or "〇").translate(KANJI_DIGITS))
            return f"{value}{found.group(2)}"
        return number.translate(KANJI_DIGITS) + found.group(2)

    return search_key(CHOME.sub(digits, text))


def _areas(data: dict[str, object]) -> list[str]:
    areas = data.get("areas") or []
    lines = areas.splitlines() if isinstance(areas, str) else [str(a) for a in areas]  # type: ignore[union-attr]
    return [line.strip() for line in lines if line.strip()]


def _best_area(address: str, areas: Iterable[str]) -> str:
    """The longest 町丁目 found in the address, or ""."""
    folded = _fold(address)
    found = [area for area in areas if _fold(area) and _fold(area) in folded]
    return max(found, key=lambda a: len(_fold(a)), default="")


class AssignmentService:
    """Looks up the nurse who serves an address."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.masters = MasterService(session, principal)

    async def _valid(self, kind: str, on: date | None) -> list[MasterRead]:
        return (await self.masters.listing(kind, MasterFilter(limit=500, on=on))).items

    async def lookup(self, district: str, address: str, on: date | None = None) -> NurseLookup:
        """The district (named, else found by the address) and the nurse proposed for the address, as the rows
        valid on `on` (today unless given) say."""
        districts = await self._valid("district", on)
        named = next((d for d in districts if district and district in (d.code, d.name)), None)
        district_why = "指定された地区" if named else ""
        if named is None and address:
            fits = [(d, _best_area(address, _areas(d.data))) for d in districts]
            fits = [(d, area) for d, area in fits if area]
            if fits:
                named, area = max(fits, key=lambda fit: len(_fold(fit[1])))
                district_why = f"住所が地区の町丁目「{area}」にあるため"
        if named is None:
            return NurseLookup(
                district_code="", district_name="", district_why="", proposed=None, nurses=[], basis=BASIS
            )
        assignments = [
            a for a in await self._valid("staff_assignment", on) if a.data.get("district_code") == named.code
        ]
        nurses: list[AssignedNurse] = []
        fitting: list[AssignedNurse] = []  # those whose 町丁目 hold the address, and those of the whole district
        for row in assignments:
            areas = _areas(row.data)
            area = _best_area(address, areas) if address else ""
            if areas and not area:
                why = "担当町丁目に住所が含まれない"
            elif area:
                why = f"住所が担当町丁目「{area}」にあるため"
            else:
                why = "町丁目の指定がなく地区全体の担当のため"
            nurse = AssignedNurse(
                assignment_code=row.code,
                nurse_username=str(row.data.get("nurse_username") or ""),
                nurse_name=str(row.data.get("nurse_name") or row.name),
                district_code=named.code,
                matched_area=area,
                why=why,
            )
            nurses.append(nurse)
            if area or not areas:
                fitting.append(nurse)
        proposed = max(fitting, key=lambda n: len(_fold(n.matched_area)), default=None)
        nurses.sort(key=lambda n: (n is not proposed, n.nurse_name))
        return NurseLookup(
            district_code=named.code,
            district_name=named.name,
            district_why=district_why,
            proposed=proposed,
            nurses=nurses,
            basis=BASIS,
        )
