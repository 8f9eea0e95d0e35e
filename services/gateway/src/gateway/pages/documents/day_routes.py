"""健診日の帳票: the forms of one screening day at one place. The F25 受付簿 is printed here (and filed with the day by
reports), the forms already printed for the day are listed and opened, and the day's batch is one link away.
Needs 帳票 参照 and 接触者管理 参照 (the register names everyone received)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response
from tbms_core.auth import Access, Area

from gateway.pages.documents import view as v
from gateway.web.deps import ReportsDep, require_access
from gateway.web.templating import render, wareki_with_seireki

router = APIRouter()
CAN_PRINT = [Depends(require_access(Area.FORMS, Access.READ)), Depends(require_access(Area.CONTACTS, Access.READ))]


@router.get("/screening-days", dependencies=CAN_PRINT)
async def screening_day_page(
    request: Request,
    reports: ReportsDep,
    day: str = Query("", max_length=40),
    place: str = Query("", max_length=200),
) -> Response:
    """健診日の帳票: choose the day and the place, then print its 受付簿, open what was printed, or start its batch."""
    errors: dict[str, str] = {}
    chosen = None
    if day or place:
        iso = v.typed_date(day, errors)
        if not place.strip():
            errors["place"] = "会場（予約の受診場所）を入力してください。"
        if iso and not errors:
            query = urlencode({"day": iso, "place": place.strip()})
            listed = await reports.screening_day_documents(iso, place.strip())
            chosen = {
                "label": f"{wareki_with_seireki(iso)} {place.strip()}",
                "register": f"/contacts/reception/F25?{query}",
                "batch": f"/documents/batches?genre=接触者健診&{query}",
                "printed": [v.printed_row(d) for d in listed["items"]],
            }
    context = {
        "title": f"健診日の帳票：{chosen['label']}" if chosen else "健診日の帳票",
        "typed": {"day": day, "place": place},
        "errors": errors,
        "chosen": chosen,
    }
    return render(request, "documents/screening_day.html", context, status_code=422 if errors else 200)
