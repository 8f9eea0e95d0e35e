"""What the read models kept from another service's events share with the owner: the pages of ids and versions that
`tbms reconcile` compares, the audit record of the snapshots the owner hands out (N05), and the operations-log entry
(N18) of a repair it made."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation, OperationsKind
from tbms_contracts.patients import (
    BackfillReport,
    BoardRecordSnapshotPage,
    CareRecordSnapshotPage,
    FollowupExamSnapshotPage,
    InvestigationSnapshotPage,
    LabResultSnapshotPage,
    PatientSnapshotPage,
    RecordVersion,
    VersionPage,
)

from tbms_core import audit, operations_log
from tbms_core.auth import Principal

T = TypeVar("T")
VERSION_PAGE = 5000  # ids and versions per page: a national register in a few dozen requests
# what the owner hands out and a read model's backfill takes: a page of one kind of event snapshots
SnapshotPage = (
    PatientSnapshotPage
    | LabResultSnapshotPage
    | CareRecordSnapshotPage
    | FollowupExamSnapshotPage
    | InvestigationSnapshotPage
    | BoardRecordSnapshotPage
)


async def handed_out(
    session: AsyncSession,
    principal: Principal,
    service: str,
    kind: str,
    snapshots: list[T],
    *,
    named: bool,
    person_of: Callable[[T], object] = lambda snapshot: getattr(snapshot, "patient_id", ""),
) -> list[T]:
    """Records in the operation history that `principal` was handed these snapshots of `kind` (N05), and returns them.
    Snapshots asked for by id (`tbms reconcile` repairing drift) are one read per person, so a person's history shows
    the repair; a rebuild's page (every record in id order) is one read of the page, naming nobody."""
    if not named:
        detail = f"{len(snapshots)}件（読み取りモデルの再構築）"
        await audit.record(session, principal, service, Operation.READ, record_type=f"snapshots:{kind}", detail=detail)
        return snapshots
    for person in sorted({str(person_of(snapshot) or "") for snapshot in snapshots} - {""}):
        await audit.record(
            session,
            principal,
            service,
            Operation.READ,
            record_type=f"snapshots:{kind}",
            person_id=person,
            detail="読み取りモデルの照合・修復",
        )
    return snapshots


async def version_page(
    session: AsyncSession,
    id_column: Any,
    version_column: Any,
    after: uuid.UUID | None,
    limit: int,
    *,
    where: ColumnElement[bool] | None = None,
) -> VersionPage:
    """The ids and versions held after `after`, in id order (PostgreSQL orders uuids as their text does); `where`
    keeps those of one kind when a table holds the records of several events."""
    statement = select(id_column, version_column).order_by(id_column).limit(limit)
    if after is not None:
        statement = statement.where(id_column > after)
    if where is not None:
        statement = statement.where(where)
    items = [RecordVersion(id=str(key), version=version) for key, version in (await session.execute(statement)).all()]
    return VersionPage(items=items, next_after=items[-1].id if len(items) == limit else None)


async def backfill(
    session: AsyncSession,
    service: str,
    page: SnapshotPage,
    store: Callable[[Any], Awaitable[bool]],
    *,
    kind: str,
) -> BackfillReport:
    """Stores each snapshot of a page with `store` (True when the read model held it older or not at all), keeps a
    reconciliation's repair in the operations log, and says how many were stored and how many were current."""
    applied = 0
    for snapshot in page.items:
        applied += await store(snapshot)
    await record_repair(session, service, page, applied, kind=kind)
    return BackfillReport(received=len(page.items), applied=applied, current=len(page.items) - applied)


async def record_repair(session: AsyncSession, service: str, page: SnapshotPage, applied: int, *, kind: str) -> None:
    """Keeps in the operations log that a reconciliation run stored `applied` records of `kind` (patients,
    lab-results, care-records …) it found missing or behind (in the caller's transaction, with the repair itself);
    nothing for a plain rebuild or when nothing changed."""
    if page.reconciliation is None or not applied:
        return
    run = str(page.reconciliation)
    details = {"run": run, "read_model": kind, "repaired": str(applied)}
    event_id = operations_log.entry_id("reconcile", service, run, page.items[0].id)
    await operations_log.record(session, service, OperationsKind.RECONCILIATION_REPAIR, details, event_id=event_id)
