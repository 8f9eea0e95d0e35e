"""HTTP API of the usage statistics (利用統計, N30)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query
from tbms_core.errors import InvalidInput

from identity.deps import UsageServiceDep
from identity.usage.schemas import UsageReport
from identity.usage.service import MAX_MONTHS, months_between

router = APIRouter(prefix="/usage", tags=["利用統計"])


@router.get("/monthly")
async def monthly_usage(
    service: UsageServiceDep,
    first: date = Query(alias="from", description="a JST day; its month is the first counted"),
    last: date = Query(alias="to", description="a JST day, inclusive"),
) -> UsageReport:
    """Logins, staff who logged in, page views per area, prints, downloads, exports and searches per month, counted
    over the whole history (監査 参照 required)."""
    if last < first:
        raise InvalidInput(errors={"to": "終わりの日は始めの日以降にしてください。"})
    if len(months_between(first, last)) > MAX_MONTHS:
        raise InvalidInput(errors={"from": f"一度に数えられるのは{MAX_MONTHS}か月までです。"})
    return await service.monthly(first, last)
