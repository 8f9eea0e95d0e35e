"""`tbms replay <read model>`: rebuilds a read model of reports or contacts from the patients service's current state
(search has its own, `tbms search reindex`).

Patients hands out every patient's current event snapshot page by page in id order (`GET /admin/snapshots/patients`)
and the read model stores each one it holds in an older version or not at all (`POST /admin/backfill/patients`).
Nothing is emptied first: a change committed while the rebuild runs reaches the read model through its event, and a
page read before that change carries an older version, which the read model refuses. A rebuild can be stopped and
run again at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

READ_MODELS = ("reports", "contacts")  # the services keeping the patients service's snapshots besides search
PAGE = 200  # patients' largest page of snapshots
ADMIN = "admin1"  # 監査 更新 and 患者管理 参照: what both endpoints ask for


@dataclass
class Progress:
    """What a rebuild did so far."""

    received: int = 0
    applied: int = 0  # stored: the read model had an older version or none
    current: int = 0  # already held (its event was there first)


def replay(target: str, username: str = ADMIN, *, page_size: int = PAGE, report: Callable[[str], None] = print) -> int:
    """Feeds every patient's current snapshot into `target`'s read model; returns how many it stored."""
    headers = auth_headers(username)
    with (
        httpx.Client(base_url=config.service_url("patients"), headers=headers, timeout=60) as patients,
        httpx.Client(base_url=config.service_url(target), headers=headers, timeout=60) as read_model,
    ):
        return backfill(patients, read_model, target=target, page_size=page_size, report=report).applied


def backfill(
    patients: httpx.Client,
    read_model: httpx.Client,
    *,
    target: str,
    page_size: int = PAGE,
    report: Callable[[str], None] = print,
) -> Progress:
    """Posts every page of patients' snapshots to the read model's backfill, printing progress."""
    progress, after = Progress(), None
    while True:
        params = {"limit": page_size} | ({"after": after} if after else {})
        page = patients.get("/admin/snapshots/patients", params=params).raise_for_status().json()
        answer = read_model.post("/admin/backfill/patients", json={"items": page["items"]}).raise_for_status().json()
        progress.received += answer["received"]
        progress.applied += answer["applied"]
        progress.current += answer["current"]
        report(f"[{target}] {progress.received} patients sent: {progress.applied} stored, {progress.current} current")
        after = page.get("next_after")
        if not after:
            return progress
