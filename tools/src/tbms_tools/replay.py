"""`tbms replay <read model>`: rebuilds a read model of reports or contacts from the patients service's current state
(search has its own, `tbms search reindex`).

Patients hands out every patient's current event snapshot page by page in id order (`GET /admin/snapshots/patients`)
and the read model stores each one it holds in an older version or not at all (`POST /admin/backfill/patients`).
Nothing is emptied first: a change committed while the rebuild runs reaches the read model through its event, and a
page read before that change carries an older version, which the read model refuses. A rebuild can be stopped and
run again at any time. Reports' other read models fed by the patients service's events are rebuilt the same way, each
kind from `GET /admin/snapshots/<kind>` into `POST /admin/backfill/<kind>`:

- `lab-results`: 菌検査 (`lab_result_summaries`);
- `care-records`: treatments, stays, transfers, progress notes, 公費負担 and the DOTS records (`care_record_summaries`,
  CareRecordSaved);
- `followup-exams` and `investigations`: 管理検診 and 行動調査, kept in `care_record_summaries` too (kinds
  `followup_exam`, `investigation`), each as its consumer keeps it;
- `board-records`: the 診査会's sessions, cases, 患者票 and 勧告 (`board_record_summaries`).

Each snapshot is what the record's event would carry if it were saved now: where an event carries something computed
from other records or settings (a 行動調査's period, a cohort review's outcome judged today, a 管理検診's schedule,
the labels of the DOTS settings), the rebuild computes it now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

READ_MODELS = ("reports", "contacts")  # the services keeping the patients service's snapshots besides search
# what each read model keeps of the patients service: the kinds of snapshots sent, in this order
KINDS = {
    "reports": ("patients", "lab-results", "care-records", "followup-exams", "investigations", "board-records"),
    "contacts": ("patients",),
}
PAGE = 200  # patients' largest page of snapshots
ADMIN = "admin1"  # 監査 更新 and 患者管理 参照: what both endpoints ask for


@dataclass
class Progress:
    """What a rebuild did so far."""

    received: int = 0
    applied: int = 0  # stored: the read model had an older version or none
    current: int = 0  # already held (its event was there first)


def replay(target: str, username: str = ADMIN, *, page_size: int = PAGE, report: Callable[[str], None] = print) -> int:
    """Feeds every patient's (and for reports every test result's, care record's, 管理検診's, 行動調査's and 診査会
    record's) current snapshot into `target`'s read models; returns how many they stored."""
    headers = auth_headers(username)
    with (
        httpx.Client(base_url=config.service_url("patients"), headers=headers, timeout=60) as patients,
        httpx.Client(base_url=config.service_url(target), headers=headers, timeout=60) as read_model,
    ):
        return sum(
            backfill(patients, read_model, target=target, kind=kind, page_size=page_size, report=report).applied
            for kind in KINDS[target]
        )


def backfill(
    patients: httpx.Client,
    read_model: httpx.Client,
    *,
    target: str,
    kind: str = "patients",
    page_size: int = PAGE,
    report: Callable[[str], None] = print,
) -> Progress:
    """Posts every page of the patients service's snapshots of `kind` (one of KINDS) to the read model's backfill of
    the same name, printing progress."""
    progress, after = Progress(), None
    while True:
        params = {"limit": page_size} | ({"after": after} if after else {})
        page = patients.get(f"/admin/snapshots/{kind}", params=params).raise_for_status().json()
        answer = read_model.post(f"/admin/backfill/{kind}", json={"items": page["items"]}).raise_for_status().json()
        progress.received += answer["received"]
        progress.applied += answer["applied"]
        progress.current += answer["current"]
        report(f"[{target}] {progress.received} {kind} sent: {progress.applied} stored, {progress.current} current")
        after = page.get("next_after")
        if not after:
            return progress
