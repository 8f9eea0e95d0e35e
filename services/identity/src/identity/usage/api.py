"""HTTP API of the usage statistics (利用統計, N30)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from tbms_core.errors import InvalidInput

from identity.deps import UsageServiceDep
from identity.usage.schemas import SearchWordReport, UsageReport
from identity.usage.service import MAX_KEEP, MAX_MONTHS, MAX_TOP, months_between

router = APIRouter(prefix="/usage", tags=["利用統計"])
MAX_KEPT_WORD = 50  # characters of one district name


def _check_period(first: date, last: date) -> None:
    if last < first:
        raise InvalidInput(errors={"to": "終わりの日は始めの日以降にしてください。"})
    if len(months_between(first, last)) > MAX_MONTHS:
        raise InvalidInput(errors={"from": f"一度に数えられるのは{MAX_MONTHS}か月までです。"})


@router.get("/monthly")
async def monthly_usage(
    service: UsageServiceDep,
    first: date = Query(alias="from", description="a JST day; its month is the first counted"),
    last: date = Query(alias="to", description="a JST day, inclusive"),
) -> UsageReport:
    """Logins, staff who logged in, page views per area, prints, downloads, exports and searches per month, counted
    over the whole history (監査 参照 required)."""
    _check_period(first, last)
    return await service.monthly(first, last)


@router.get("/search-words")
async def search_words(
    service: UsageServiceDep,
    first: date = Query(alias="from", description="a JST day, the first counted"),
    last: date = Query(alias="to", description="a JST day, inclusive"),
    top: int = Query(10, description="how many of the most frequent words"),
    keep: list[str] = Query(default=[], description="words shown as typed: the health center's districts"),
) -> SearchWordReport:
    """The most frequent words of every search in the period, masked so that no name or number shows, counted over
    the whole history (監査 参照 required)."""
    _check_period(first, last)
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(errors={"top": f"表示する語の数は1から{MAX_TOP}までにしてください。"})
    if len(keep) > MAX_KEEP or any(len(word) > MAX_KEPT_WORD for word in keep):
        message = f"そのまま表示する語（地区名）は{MAX_KEEP}個まで、1語{MAX_KEPT_WORD}文字までにしてください。"
        raise InvalidInput(errors={"keep": message})
    return await service.search_words(first, last, top=top, keep=keep)
