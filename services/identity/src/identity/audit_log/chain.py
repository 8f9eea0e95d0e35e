"""The hash chain over the operation history: how a row is hashed and appended, and how the chain is checked (N05)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationRecorded
from tbms_core.db import Database, utcnow

from identity.audit_log.models import GENESIS_HASH, AuditEvent
from identity.audit_log.repository import AuditEventRepository

CHAINED_FIELDS = (
    "seq",
    "event_id",
    "occurred_at",
    "service",
    "user_id",
    "username",
    "client_ip",
    "operation",
    "result",
    "person_id",
    "record_type",
    "record_id",
    "query",
    "detail",
    "recorded_at",
)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def canonical_json(row: Mapping[str, Any]) -> str:
    """The row's chained content as canonical JSON: sorted keys, no spaces, UTC microsecond timestamps."""
    content = {name: _canonical_value(row[name]) for name in CHAINED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of the row), hex."""
    return hashlib.sha256((prev_hash + canonical_json(row)).encode()).hexdigest()


class ChainProblem(StrEnum):
    """How the chain was found broken."""

    ALTERED = "altered"  # the row's content no longer matches its hash
    RELINKED = "relinked"  # the row does not follow the row before it (one was replaced or inserted)
    MISSING = "missing"  # a seq is absent: a row was removed
    UNCHAINED = "unchained"  # a row lies beyond the chain head: inserted outside the service
    HEAD_MISMATCH = "head_mismatch"  # the last row is not the one the chain head recorded


_MESSAGES = {
    ChainProblem.ALTERED: "操作履歴 {seq} 番の内容が記録時から変更されています。",
    ChainProblem.RELINKED: "操作履歴 {seq} 番の直前の記録が差し替えられたか、不正な記録が挿入されています。",
    ChainProblem.MISSING: "操作履歴 {seq} 番が削除されています。",
    ChainProblem.UNCHAINED: "操作履歴 {seq} 番は正規の手順によらず追加された記録です。",
    ChainProblem.HEAD_MISMATCH: "操作履歴の末尾 {seq} 番が最後に記録された内容と一致しません。",
}


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: intact, or the first seq where it breaks and why."""

    ok: bool
    checked: int
    last_seq: int
    broken_seq: int | None = None
    problem: ChainProblem | None = None

    @property
    def message(self) -> str:
        """What an auditor reads, in Japanese."""
        if self.ok:
            return f"操作履歴 {self.checked} 件の改ざんはありません。"
        assert self.problem is not None
        return _MESSAGES[self.problem].format(seq=self.broken_seq)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _content(seq: int, event_id: uuid.UUID, event: OperationRecorded) -> dict[str, Any]:
    return {
        "seq": seq,
        "event_id": event_id,
        "occurred_at": _aware(event.occurred_at),
        "service": event.service,
        "user_id": event.user_id,
        "username": event.username,
        "client_ip": event.client_ip,
        "operation": str(event.operation),
        "result": event.result,
        "person_id": event.person_id,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "query": event.query,
        "detail": event.detail,
        "recorded_at": utcnow(),
    }


async def append_event(session: AsyncSession, event_id: uuid.UUID, event: OperationRecorded) -> AuditEvent | None:
    """Chains one event after the current head; None when that event is already stored; never commits."""
    events = AuditEventRepository(session)
    head = await events.lock_head()
    if await events.holds(event_id):
        return None
    content = _content(head.seq + 1, event_id, event)
    row = AuditEvent(**content, prev_hash=head.hash, hash=chain_hash(head.hash, content))
    return await events.add_after(head, row)


async def verify_chain(session: AsyncSession, *, batch: int = 1000) -> ChainReport:
    """Walks the chain in seq order from the purge checkpoint (or the start); names the first broken seq."""
    events = AuditEventRepository(session)
    head = await events.head_position()
    start = await events.checkpoint_position()
    expected, prev, checked = (start.seq + 1, start.hash, 0) if start else (1, GENESIS_HASH, 0)

    def broken(seq: int, problem: ChainProblem) -> ChainReport:
        return ChainReport(False, checked, head.seq, seq, problem)

    async for row in events.chained_rows(after=expected - 1, batch=batch):
        if row["seq"] > head.seq:
            return (
                broken(expected, ChainProblem.MISSING)
                if expected <= head.seq
                else broken(row["seq"], ChainProblem.UNCHAINED)
            )
        if row["seq"] != expected:
            return broken(expected, ChainProblem.MISSING)
        if row["prev_hash"] != prev:
            return broken(row["seq"], ChainProblem.RELINKED)
        if chain_hash(prev, row) != row["hash"]:
            return broken(row["seq"], ChainProblem.ALTERED)
        prev, expected, checked = row["hash"], expected + 1, checked + 1
    if expected - 1 != head.seq:
        return broken(expected, ChainProblem.MISSING)
    if prev != head.hash:
        return broken(head.seq, ChainProblem.HEAD_MISMATCH)
    return ChainReport(True, checked, head.seq)


async def verify_database(db: Database) -> ChainReport:
    """Checks the chain on one consistent snapshot of the database (for the API and the CLI)."""
    async with db.sessions() as session:
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report = await verify_chain(session)
        await session.rollback()
    return report


async def verify_url(database_url: str) -> ChainReport:
    """Checks the chain of the identity database at a URL (what an operator's command calls)."""
    db = Database(database_url, pool_size=1)
    try:
        return await verify_database(db)
    finally:
        await db.dispose()
