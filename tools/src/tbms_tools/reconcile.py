"""`tbms reconcile`: compares the patients service's versions with each read model's and repairs the drift.

For each kind a read model keeps (patients; for reports also lab-results, care-records, followup-exams,
investigations and board-records: replay.KINDS), both sides hand out ids and versions page by page in id order
(patients' `GET /admin/snapshots/<kind>/versions`, the read model's `GET /admin/backfill/<kind>`), walked side by side
like a merge, so a national register is compared in a few dozen requests without holding it in memory. A record the
read model lacks or holds in an older version is **drift**: its current snapshot is fetched (`GET
/admin/snapshots/<kind>?id=…`) and stored through the backfill, which never undoes a newer event and keeps each
repair in the operations log (N18) with the run's id.
A read model ahead of the owner, or holding a patient the owner does not know, is reported, never changed: the
owner was restored to an earlier point, and only a person decides what is right. The report names ids and counts,
never a person.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from tbms_tools import service_account
from tbms_tools.keycloak import auth_headers
from tbms_tools.replay import ADMIN, KINDS, READ_MODELS

REPAIR_PAGE = 200  # patients' largest page of snapshots
SHOWN = 20  # ids printed per kind of drift (the report file lists all)


@dataclass
class Drift:
    """What one comparison of a read model with the owner found, and what it repaired."""

    read_model: str
    run: str
    kind: str = "patients"  # or lab-results, care-records … (replay.KINDS)
    checked: int = 0  # records the owner holds
    missing: list[str] = field(default_factory=list)  # held by the owner, not by the read model
    behind: list[str] = field(default_factory=list)  # the read model holds an older version
    ahead: list[str] = field(default_factory=list)  # the read model holds a newer version than the owner
    unknown: list[str] = field(default_factory=list)  # held by the read model, unknown to the owner
    repaired: int = 0

    @property
    def to_repair(self) -> list[str]:
        return self.missing + self.behind

    @property
    def clean(self) -> bool:
        return not (self.missing or self.behind or self.ahead or self.unknown)


def versions(client: httpx.Client, path: str) -> Iterator[tuple[uuid.UUID, int]]:
    """Every (id, version) a service hands out at `path`, page after page, in id order."""
    after: str | None = None
    while True:
        page = client.get(path, params={"after": after} if after else {}).raise_for_status().json()
        for item in page["items"]:
            yield uuid.UUID(item["id"]), item["version"]
        if not (after := page.get("next_after")):
            return


def compare(owner: Iterator[tuple[uuid.UUID, int]], held: Iterator[tuple[uuid.UUID, int]], drift: Drift) -> Drift:
    """Walks both id-ordered sequences side by side and sorts every difference into `drift`."""
    end = (None, 0)
    mine, theirs = next(owner, end), next(held, end)
    while mine[0] is not None or theirs[0] is not None:
        if theirs[0] is None or (mine[0] is not None and mine[0] < theirs[0]):
            drift.checked += 1
            drift.missing.append(str(mine[0]))
            mine = next(owner, end)
        elif mine[0] is None or theirs[0] < mine[0]:
            drift.unknown.append(str(theirs[0]))
            theirs = next(held, end)
        else:
            drift.checked += 1
            if theirs[1] < mine[1]:
                drift.behind.append(str(mine[0]))
            elif theirs[1] > mine[1]:
                drift.ahead.append(str(mine[0]))
            mine, theirs = next(owner, end), next(held, end)
    return drift


def repair(patients: httpx.Client, read_model: httpx.Client, drift: Drift) -> Drift:
    """Stores the current snapshot of every missing or behind record in the read model, in pages."""
    ids = drift.to_repair
    for start in range(0, len(ids), REPAIR_PAGE):
        chunk = [("id", key) for key in ids[start : start + REPAIR_PAGE]]
        page = patients.get(f"/admin/snapshots/{drift.kind}", params=chunk).raise_for_status().json()
        body = {"items": page["items"], "reconciliation": drift.run}
        answer = read_model.post(f"/admin/backfill/{drift.kind}", json=body).raise_for_status().json()
        drift.repaired += answer["applied"]
    return drift


def reconcile_with(
    patients: httpx.Client, read_model: httpx.Client, *, target: str, kind: str = "patients", fix: bool = True
) -> Drift:
    """Compares one kind of a read model with the owner and, unless `fix` is off, repairs what is missing or
    behind."""
    drift = Drift(read_model=target, run=str(uuid.uuid4()), kind=kind)
    owner = versions(patients, f"/admin/snapshots/{kind}/versions")
    compare(owner, versions(read_model, f"/admin/backfill/{kind}"), drift)
    return repair(patients, read_model, drift) if fix and drift.to_repair else drift


def reconcile(
    targets: tuple[str, ...] = READ_MODELS,
    username: str = ADMIN,
    *,
    fix: bool = True,
    report_file: Path | None = None,
    report: Callable[[str], None] = print,
) -> int:
    """Reconciles each read model with the patients service; 0 when nothing is left that a person must look at.
    As the deployment's service account when its secret is set (the scheduled run), else as the local `username`."""
    auth = service_account.from_env() if service_account.configured() else None
    headers = {} if auth else auth_headers(username)
    found = []
    with service_account.client("patients", auth, headers) as patients:
        for target in targets:
            with service_account.client(target, auth, headers) as read_model:
                for kind in KINDS[target]:
                    drift = reconcile_with(patients, read_model, target=target, kind=kind, fix=fix)
                    found.append(drift)
                    for line in summary(drift, fixed=fix):
                        report(line)
    if report_file is not None:
        report_file.write_text(json.dumps([asdict(d) for d in found], ensure_ascii=False, indent=1), encoding="utf-8")
    # a repaired patient may have been stored by its own event meanwhile: the backfill never leaves one behind
    unresolved = [drift for drift in found if drift.ahead or drift.unknown or (drift.to_repair and not fix)]
    return 1 if unresolved else 0


def summary(drift: Drift, *, fixed: bool) -> list[str]:
    """The lines printed for one kind of a read model: counts, then the first ids of each kind of drift."""
    name = f"{drift.read_model} {drift.kind}"
    lines = [
        f"[{name}] run {drift.run}: {drift.checked} compared; missing {len(drift.missing)},"
        f" behind {len(drift.behind)}, ahead {len(drift.ahead)}, unknown to patients {len(drift.unknown)}"
        + (f"; repaired {drift.repaired}" if fixed else "; nothing changed (--check)")
    ]
    for difference in ("missing", "behind", "ahead", "unknown"):
        if ids := getattr(drift, difference):
            more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
            lines.append(f"[{name}]   {difference}: {', '.join(ids[:SHOWN])}{more}")
    if drift.ahead or drift.unknown:
        lines.append(
            f"[{name}]   ahead or unknown records are left as they are: was patients restored to an earlier point?"
            " See docs/recovery.md"
        )
    return lines
