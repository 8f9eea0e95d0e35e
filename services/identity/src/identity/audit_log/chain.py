"""The hash chain over the operation history: how a row is hashed and appended, and how the chain is checked (N05)."""

from __future__ import annotations

import hashlib
import hmac
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
from identity.settings import get_settings

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


def chain_key() -> bytes:
    """The key of the chain's seal, from the settings (outside the database)."""
    return get_settings().audit_chain_key.get_secret_value().encode()


def seal_of(key: bytes, chain_id: uuid.UUID, seq: int, row_hash: str) -> str:
    """HMAC-SHA-256 over (chain, seq, hash): only a holder of the key can seal a position of the chain."""
    return hmac.new(key, f"tbms-audit-chain:{chain_id}:{seq}:{row_hash}".encode(), hashlib.sha256).hexdigest()


def seal_holds(key: bytes, chain_id: uuid.UUID, seq: int, row_hash: str, mac: str | None) -> bool:
    """True when a stored seal is the one the key makes for this position."""
    return mac is not None and hmac.compare_digest(mac, seal_of(key, chain_id, seq, row_hash))


class ChainSealBroken(RuntimeError):
    """The chain head's seal does not match: nothing is appended to a history that was rewritten."""


class ChainProblem(StrEnum):
    """How the chain was found broken."""

    ALTERED = "altered"  # the row's content no longer matches its hash
    RELINKED = "relinked"  # the row does not follow the row before it (one was replaced or inserted)
    MISSING = "missing"  # a seq is absent: a row was removed
    UNCHAINED = "unchained"  # a row lies beyond the chain head: inserted outside the service
    HEAD_MISMATCH = "head_mismatch"  # the last row is not the one the chain head recorded
    SEAL_BROKEN = "seal_broken"  # the head's keyed seal does not match: the chain was recomputed without the key
    CHECKPOINT_FORGED = "checkpoint_forged"  # the purge checkpoint was moved without the key
    ANCHOR_MISMATCH = "anchor_mismatch"  # a row differs from the copy of the head kept outside
    TRUNCATED = "truncated"  # rows the outside copy saw are gone from the end


_MESSAGES = {
    ChainProblem.ALTERED: "操作履歴 {seq} 番の内容が記録時から変更されています。",
    ChainProblem.RELINKED: "操作履歴 {seq} 番の直前の記録が差し替えられたか、不正な記録が挿入されています。",
    ChainProblem.MISSING: "操作履歴 {seq} 番が削除されています。",
    ChainProblem.UNCHAINED: "操作履歴 {seq} 番は正規の手順によらず追加された記録です。",
    ChainProblem.HEAD_MISMATCH: "操作履歴の末尾 {seq} 番が最後に記録された内容と一致しません。",
    ChainProblem.SEAL_BROKEN: "操作履歴の末尾 {seq} 番の封印（鍵付きの検証値）が一致しません。"
    "履歴が鍵を持たない者によって計算し直されています。",
    ChainProblem.CHECKPOINT_FORGED: "保存期間経過による削除の位置（{seq} 番）の封印が一致しません。"
    "削除の記録が不正に書き換えられています。",
    ChainProblem.ANCHOR_MISMATCH: "操作履歴 {seq} 番が、外部に保管した記録（変更できない保管）と一致しません。",
    ChainProblem.TRUNCATED: "外部に保管した記録では操作履歴が {seq} 番までありましたが、現在の履歴にはありません。"
    "末尾の記録が削除されています。",
}


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: intact, or the first seq where it breaks and why."""

    ok: bool
    checked: int
    last_seq: int
    broken_seq: int | None = None
    problem: ChainProblem | None = None
    sealed: bool = True  # False until the first append with the key seals the head
    anchors_checked: int | None = None  # outside copies compared, when they were

    @property
    def message(self) -> str:
        """What an auditor reads, in Japanese."""
        if self.ok:
            text = f"操作履歴 {self.checked} 件の改ざんはありません。"
            if not self.sealed:
                text += "（末尾はまだ封印されていません。次の記録から封印されます。）"
            if self.anchors_checked == 0:
                text += "外部に保管した記録はまだありません。"
            elif self.anchors_checked is not None:
                text += f"外部に保管した記録 {self.anchors_checked} 件とも一致しました。"
            return text
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
    """Chains one event after the current head and seals the new head; None when that event is already stored;
    ChainSealBroken when the head's seal does not hold (the event waits, parked, instead); never commits."""
    events = AuditEventRepository(session)
    head = await events.lock_head()
    if await events.holds(event_id):
        return None
    key = chain_key()
    if head.mac is not None and not seal_holds(key, head.chain_id, head.seq, head.hash, head.mac):
        raise ChainSealBroken(f"the seal of audit chain head {head.seq} does not match; nothing appended")
    content = _content(head.seq + 1, event_id, event)
    row = AuditEvent(**content, prev_hash=head.hash, hash=chain_hash(head.hash, content))
    return await events.add_after(head, row, mac=seal_of(key, head.chain_id, row.seq, row.hash))


async def verify_chain(session: AsyncSession, *, batch: int = 1000) -> ChainReport:
    """Walks the chain in seq order from the purge checkpoint (or the start), then checks the keyed seals of the
    head and the checkpoint; names the first broken seq."""
    events = AuditEventRepository(session)
    head = await events.head_position()
    start = await events.checkpoint_position()
    key = chain_key()
    if start and start.seq > 0 and not seal_holds(key, head.chain_id, start.seq, start.hash, start.mac):
        return ChainReport(False, 0, head.seq, start.seq, ChainProblem.CHECKPOINT_FORGED)
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
    if head.mac is not None and not seal_holds(key, head.chain_id, head.seq, head.hash, head.mac):
        return broken(head.seq, ChainProblem.SEAL_BROKEN)
    return ChainReport(True, checked, head.seq, sealed=head.mac is not None)


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
