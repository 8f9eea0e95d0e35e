"""患者一覧 (sorted and filtered, with 注意事項) and the 担当保健師 list (each nurse's patients, counted)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.pages.patients.list_view import (
    ACTIVITIES,
    ACTIVITY_LABELS,
    AGE_BANDS,
    ALERTS,
    CATEGORIES,
    PAGE_SIZE,
    SORTS,
    STATUSES,
    ListQuery,
    nurse_choices,
    nurse_label,
    nurse_rows,
)
from gateway.web.deps import MastersDep, PatientsDep
from gateway.web.templating import render

router = APIRouter(tags=["患者"])


async def list_page(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """Patients in the order and with the filters the URL names (newest registration first), 50 a page (routed
    as GET /patients by the family's router, whose own path this is)."""
    query = ListQuery.of(request.query_params)
    listing = await patients.patients(limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE, **query.api_params())
    names = await masters.nurse_names()
    total = int(listing.get("total") or 0)
    context = {
        "title": "患者一覧",
        "nav_path": "/patients",
        "page": listing,
        "total": total,
        "query": query,
        "number": query.page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "size": PAGE_SIZE,
        "sorts": SORTS,
        "choices": {
            "district": [(d, d) for d in await masters.districts()],
            "nurse": nurse_choices(names),
            "category": CATEGORIES,
            "status": STATUSES,
            "activity": ACTIVITIES,
            "age_band": AGE_BANDS,
            "alerts": ALERTS,
        },
        "activity_labels": ACTIVITY_LABELS,
        "nurse_names": names,
        "nurse_label": nurse_label,
    }
    return render(request, "patients/list.html", context)


@router.get("/nurses")
async def nurse_list(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """Each 担当保健師 with how many patients they carry, linked to the list of their patients."""
    rows = nurse_rows(await patients.nurse_loads(), await masters.nurse_names())
    context = {"title": "担当保健師ごとの患者", "nav_path": "/patients", "rows": rows}
    return render(request, "patients/nurses.html", context)
