"""`tbms search reindex`: rebuilds the search index from the patients and contacts services, page by page (R22).

Every patient is sent before any contact: a contact's hit shows its index patient's number, name and district.

Two things keep a rebuild complete while staff keep working:
- The rebuild is begun (`reset`) *before* the first page is read. Search then fills a new index beside the live
  one: users keep searching the complete live index, and every event from then on is applied to both indexes.
  A change committed after the rebuild began reaches the new index through its event; a change committed before
  it is in the pages. A page carrying an older version than an event already applied is refused (the ledger, and
  each index's own version check), and a record deleted during the rebuild is not brought back by a page.
  `done` swaps the new index in atomically; a rebuild no page came for (30 minutes by default) is discarded and
  the live index stays as it was. A second `reset` takes over: the first command's next page is refused (409).
- Pages overlap and must share a record with the previous page. `GET /patients` pages by offset, newest
  first: a record deleted or moved ahead of the cursor shifts the rest forward, and without the overlap the
  record at the page boundary would be skipped. A page that shares none is read again further back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

PAGE = 500  # the patients and contacts APIs' largest page
OVERLAP = 50  # records each page re-reads of the previous one
ADMIN = "admin1"  # 監査 更新, 患者管理 and 接触者管理 参照: what `POST /admin/reindex` asks for


@dataclass
class Progress:
    """What a rebuild did so far, as `POST /admin/reindex` reported it page by page."""

    sent: set[str] = field(default_factory=set)
    indexed: int = 0
    current: int = 0  # the index already held this version: its event was faster
    skipped: int = 0  # a newer version or a deletion was indexed since the page was read
    rebuild_id: str | None = None  # the rebuild `reset` began: every later page names it

    def add(self, answer: dict) -> None:
        """Adds one page's report."""
        self.rebuild_id = answer.get("rebuild_id") or self.rebuild_id
        self.indexed += answer.get("indexed", 0)
        self.current += answer.get("current", 0)
        self.skipped += answer.get("skipped", 0)


def reindex(
    username: str = ADMIN, *, page_size: int = PAGE, report: Callable[[str], None] = print, keep: bool = False
) -> int:
    """Feeds every patient and contact into a new index swapped in at the end (into the live index when `keep`);
    returns how many were indexed."""
    headers = auth_headers(username)
    with (
        httpx.Client(base_url=config.service_url("patients"), headers=headers, timeout=60) as patients,
        httpx.Client(base_url=config.service_url("contacts"), headers=headers, timeout=60) as contacts,
        httpx.Client(base_url=config.service_url("search"), headers=headers, timeout=120) as search,
    ):
        progress = rebuild(patients, search, page_size=page_size, report=report, reset=not keep, contacts=contacts)
        return progress.indexed


def rebuild(
    patients: httpx.Client,
    search: httpx.Client,
    *,
    page_size: int = PAGE,
    report: Callable[[str], None] = print,
    reset: bool = True,
    contacts: httpx.Client | None = None,
) -> Progress:
    """Begins a rebuild into a new index, posts every page of `GET /patients` (and then of `GET /contacts`) to
    `POST /admin/reindex`, printing progress, and has the new index swapped in."""
    progress = Progress()
    if reset:
        progress.add(_post(search, [], reset=True))
        report(f"[search] rebuild {progress.rebuild_id} began: the live index keeps serving until it is done")
    sources = [("patients", patients)] + ([("contacts", contacts)] if contacts is not None else [])
    for kind, source in sources:
        _send_every_page(kind, source, search, progress, page_size=page_size, report=report)
    progress.add(_post(search, [], done=True, rebuild_id=progress.rebuild_id))
    return progress


def _send_every_page(
    kind: str,
    source: httpx.Client,
    search: httpx.Client,
    progress: Progress,
    *,
    page_size: int,
    report: Callable[[str], None],
) -> None:
    """Posts every page of `GET /<kind>`, each overlapping the previous one (see the module's docstring)."""
    overlap = min(OVERLAP, page_size // 2)
    offset, previous, sent = 0, [], set()
    while True:
        page = _page(source, kind, page_size, offset)
        ids = [item["id"] for item in page["items"]]
        if previous and not set(previous[-overlap:]) & set(ids) and offset > 0:
            offset = max(0, offset - (page_size - overlap))  # records moved ahead of the cursor: read further back
            continue
        items = [item for item in page["items"] if item["id"] not in sent]
        progress.add(_post(search, items, kind=kind, rebuild_id=progress.rebuild_id))
        sent.update(ids)
        progress.sent.update(f"{kind}:{id}" if kind != "patients" else id for id in ids)
        report(
            f"[search] {len(sent)}/{page['total']} {kind} sent: {progress.indexed} indexed, "
            f"{progress.current} already current, {progress.skipped} newer in the index"
        )
        if len(ids) < page_size:
            break
        offset, previous = offset + len(ids) - overlap, ids


def _page(source: httpx.Client, kind: str, limit: int, offset: int) -> dict:
    return source.get(f"/{kind}", params={"limit": limit, "offset": offset}).raise_for_status().json()


def _post(
    search: httpx.Client,
    items: list[dict],
    *,
    kind: str = "patients",
    reset: bool = False,
    done: bool = False,
    rebuild_id: str | None = None,
) -> dict:
    batch = {kind: items, "reset": reset, "done": done} | ({"rebuild_id": rebuild_id} if rebuild_id else {})
    return search.post("/admin/reindex", json=batch).raise_for_status().json()
