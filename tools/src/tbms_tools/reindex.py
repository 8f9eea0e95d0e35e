"""`tbms search reindex`: rebuilds the search index from the patients service, page by page (R22)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

PAGE = 500  # the patients API's largest page
ADMIN = "admin1"  # 監査 更新 and 患者管理 参照: what `POST /admin/reindex` asks for


def reindex(
    username: str = ADMIN, *, page_size: int = PAGE, report: Callable[[str], None] = print, keep: bool = False
) -> int:
    """Feeds every patient into the index (emptied first unless `keep`); returns how many were indexed."""
    headers = auth_headers(username)
    with (
        httpx.Client(base_url=config.service_url("patients"), headers=headers, timeout=60) as patients,
        httpx.Client(base_url=config.service_url("search"), headers=headers, timeout=120) as search,
    ):
        return rebuild(patients, search, page_size=page_size, report=report, reset=not keep)


def rebuild(
    patients: httpx.Client,
    search: httpx.Client,
    *,
    page_size: int = PAGE,
    report: Callable[[str], None] = print,
    reset: bool = True,
) -> int:
    """Reads `GET /patients` page by page and posts each page to `POST /admin/reindex`, printing progress."""
    offset, indexed = 0, 0
    while True:
        page = patients.get("/patients", params={"limit": page_size, "offset": offset}).raise_for_status().json()
        batch = {"patients": page["items"], "reset": reset and offset == 0}
        answer = search.post("/admin/reindex", json=batch).raise_for_status().json()
        offset += len(page["items"])
        indexed += answer["indexed"]
        report(f"[search] {offset}/{page['total']} patients sent, {indexed} indexed")
        if not page["items"] or offset >= page["total"]:
            return indexed
