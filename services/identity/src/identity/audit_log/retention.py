"""Retention: histories older than three years may be purged; the chain stays verifiable from a checkpoint."""

from __future__ import annotations

import getpass
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.clock import JST, today
from tbms_core.db import utcnow

from identity.audit_log.chain import append_event, chain_key, seal_of, verify_chain
from identity.audit_log.repository import AuditEventRepository
from identity.login_history.repository import LoginEventRepository

RETENTION_YEARS = 3


class RetentionError(Exception):
    """A purge that would break the retention rule or destroy evidence; the message is Japanese."""


@dataclass(frozen=True)
class PurgeResult:
    """What one purge removed, and where the chain now starts."""

    audit_deleted: int
    login_deleted: int
    checkpoint_seq: int

    @property
    def message(self) -> str:
        """What the operator reads, in Japanese."""
        return (
            f"操作履歴 {self.audit_deleted} 件、ログイン履歴 {self.login_deleted} 件を削除しました。"
            f"改ざん検査は {self.checkpoint_seq + 1} 番から行います。"
        )


def earliest_allowed_cutoff(today: date) -> date:
    """The latest cutoff a purge may use: three years before today (28 Feb for a 29 Feb)."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:
        return today.replace(year=today.year - RETENTION_YEARS, day=28)


async def purge_before(session: AsyncSession, cutoff: datetime, *, operator: str = "") -> PurgeResult:
    """Deletes history older than `cutoff` (≥3 years ago), keeping the rest verifiable; never commits.

    Only a prefix of the chain is removed (every row up to the first one not older than the cutoff), so
    the remaining rows still link to the checkpoint's hash; the purge itself is appended to the chain.
    """
    if cutoff.tzinfo is None:
        raise RetentionError("削除基準日時にはタイムゾーンを指定してください。")
    if cutoff.astimezone(JST).date() > earliest_allowed_cutoff(today()):
        raise RetentionError(
            f"履歴は{RETENTION_YEARS}年以上保存します。{RETENTION_YEARS}年より前の日付を指定してください。"
        )
    report = await verify_chain(session)
    if not report.ok:
        raise RetentionError(f"改ざんが検出されたため削除を中止しました: {report.message}")
    events = AuditEventRepository(session)
    last = await _last_purgeable_seq(events, cutoff)
    checkpoint = await events.lock_checkpoint()
    audit_deleted = 0
    if last > checkpoint.seq:
        row_hash = await events.hash_of(last)
        audit_deleted = await events.delete_through(last)
        checkpoint.seq, checkpoint.hash = last, str(row_hash)
        chain_id = (await events.head_position()).chain_id
        checkpoint.mac = seal_of(chain_key(), chain_id, checkpoint.seq, checkpoint.hash)
    checkpoint.purged_before, checkpoint.purged_at = cutoff, utcnow()
    login_deleted = await LoginEventRepository(session).delete_before(cutoff)
    result = PurgeResult(audit_deleted, login_deleted, checkpoint.seq)
    await _record_purge(session, cutoff, result, operator)
    return result


async def _last_purgeable_seq(events: AuditEventRepository, cutoff: datetime) -> int:
    first_kept = await events.first_seq_since(cutoff)
    if first_kept is not None:
        return first_kept - 1
    return await events.head_seq()


async def _record_purge(session: AsyncSession, cutoff: datetime, result: PurgeResult, operator: str) -> None:
    detail = {"before": cutoff.isoformat(), "audit_deleted": result.audit_deleted}
    detail |= {"login_deleted": result.login_deleted, "checkpoint_seq": result.checkpoint_seq}
    event = OperationRecorded(
        occurred_at=utcnow(),
        service="identity",
        user_id="system",
        username=operator or getpass.getuser(),
        client_ip="",
        operation=Operation.DELETE,
        record_type="audit_log",
        detail=json.dumps(detail, ensure_ascii=False),
    )
    await append_event(session, uuid.uuid4(), event)
