"""`tbms audit assignments`: copies who is responsible for every patient and contact into identity's read model
(N21), for the records older than the events the streams keep (a month). Each page's version is compared with what
identity holds, so a page read before a newer event arrived changes nothing; running it again is harmless."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

PAGE = 500  # the patients and contacts APIs' largest page
USER = "admin1"  # 監査 更新, 患者管理 and 接触者管理 参照: what `POST /access-review/assignments` asks for


def backfill(username: str = USER, *, page_size: int = PAGE, report: Callable[[str], None] = print) -> int:
    """Sends every page of `GET /patients`, then of `GET /contacts`, to identity; returns how many were stored."""
    headers = auth_headers(username)
    stored = 0
    with httpx.Client(base_url=config.service_url("identity"), headers=headers, timeout=120) as identity:
        for kind in ("patients", "contacts"):
            with httpx.Client(base_url=config.service_url(kind), headers=headers, timeout=60) as source:
                stored += copy(kind, source, identity, page_size=page_size, report=report)
    return stored


def copy(
    kind: str, source: httpx.Client, identity: httpx.Client, *, page_size: int, report: Callable[[str], None]
) -> int:
    """Posts each page of one list; pages overlap by half so that a record moving ahead of the cursor is kept."""
    offset, stored, seen = 0, 0, set()
    while True:
        page = source.get(f"/{kind}", params={"limit": page_size, "offset": offset}).raise_for_status().json()
        items = page["items"]
        answer = identity.post("/access-review/assignments", json={kind: items}).raise_for_status().json()
        stored += answer["stored"]
        seen.update(item["id"] for item in items)
        report(f"[assignments] {len(seen)}/{page['total']} {kind} read, {stored} stored")
        if len(items) < page_size:
            return stored
        offset += page_size // 2
