"""Copies of the chain head kept outside the database, in an object-locked bucket (N05).

Every `audit_anchor_seconds` the head's (seq, hash) is written as an object that nobody can delete or
overwrite before its retention ends (S3 Object Lock, compliance mode). The object's name carries the
position, so checking needs only a listing: every anchored row must still be in the chain with the same
hash, and the chain must still reach the last anchored seq. Someone who can rewrite the database, even
one who also holds the seal's key, cannot hide a change made before the last anchor.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from minio.error import S3Error
from minio.objectlockconfig import COMPLIANCE
from minio.retention import Retention
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.app import ServiceKit
from tbms_core.db import Database
from tbms_core.object_store import s3_client

from identity.audit_log.chain import ChainProblem, ChainReport, verify_chain
from identity.audit_log.repository import AuditEventRepository
from identity.settings import Settings

log = logging.getLogger(__name__)
_NAME = re.compile(r"/(\d{15})-([0-9a-f]{64})\.json$")
_ALREADY_THERE = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}
_MISSING = {"NoSuchKey", "NoSuchObject"}


@dataclass(frozen=True)
class Anchor:
    """One position of the chain as it was seen from outside."""

    seq: int
    hash: str


def object_name(chain_id: uuid.UUID, anchor: Anchor) -> str:
    """Where an anchor lives: the chain, then its zero-padded seq and hash (so a listing sorts and tells all)."""
    return f"{chain_id}/{anchor.seq:015d}-{anchor.hash}.json"


class AnchorStore:
    """Writes and lists the anchors of one chain in the object-locked bucket; makes the bucket on first use."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_anchor_bucket
        self.retention = timedelta(days=settings.audit_anchor_retention_days)
        self.client = s3_client(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            ca_file=settings.s3_ca_file,
        )
        self._ready = False
        self._lock = asyncio.Lock()

    async def _ensure_bucket(self) -> None:
        async with self._lock:
            if not self._ready:
                await asyncio.to_thread(self._make_bucket)
                self._ready = True

    def _make_bucket(self) -> None:
        if self.client.bucket_exists(self.bucket):
            return
        try:
            self.client.make_bucket(self.bucket, object_lock=True)
        except S3Error as exc:
            if exc.code not in _ALREADY_THERE:
                raise

    async def put(self, chain_id: uuid.UUID, anchor: Anchor, *, mac: str | None) -> None:
        """Writes one anchor, locked in compliance mode until its retention ends."""
        await self._ensure_bucket()
        now = datetime.now(UTC)
        body = f'{{"seq":{anchor.seq},"hash":"{anchor.hash}","mac":"{mac or ""}","anchored_at":"{now.isoformat()}"}}'
        data = body.encode()
        await asyncio.to_thread(
            self.client.put_object,
            self.bucket,
            object_name(chain_id, anchor),
            io.BytesIO(data),
            len(data),
            content_type="application/json",
            retention=Retention(COMPLIANCE, now + self.retention),
        )

    async def holds(self, chain_id: uuid.UUID, anchor: Anchor) -> bool:
        """True when this position is anchored already (one lookup, however many anchors the chain has)."""
        await self._ensure_bucket()
        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, object_name(chain_id, anchor))
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise
        return True

    async def of_chain(self, chain_id: uuid.UUID) -> list[Anchor]:
        """Every anchor of the chain, oldest first."""
        await self._ensure_bucket()
        objects = await asyncio.to_thread(
            lambda: list(self.client.list_objects(self.bucket, prefix=f"{chain_id}/", recursive=True))
        )
        anchors = []
        for item in objects:
            match = _NAME.search(item.object_name or "")
            if match:
                anchors.append(Anchor(int(match.group(1)), match.group(2)))
        return sorted(anchors, key=lambda anchor: anchor.seq)


async def anchor_head(db: Database, store: AnchorStore) -> Anchor | None:
    """Copies the current chain head outside; None while the chain is empty or the head already anchored."""
    async with db.sessions() as session:
        head = await AuditEventRepository(session).head_position()
    if head.seq == 0:
        return None
    anchor = Anchor(head.seq, head.hash)
    if await store.holds(head.chain_id, anchor):
        return None
    await store.put(head.chain_id, anchor, mac=head.mac)
    return anchor


async def compare_anchors(session: AsyncSession, store: AnchorStore, report: ChainReport) -> ChainReport:
    """The chain report with its outside copies compared: a changed row or a cut-off end is named by its seq."""
    if not report.ok:
        return report
    events = AuditEventRepository(session)
    head = await events.head_position()
    checkpoint = await events.checkpoint_position()
    purged_through = checkpoint.seq if checkpoint else 0
    anchors = await store.of_chain(head.chain_id)
    beyond = [anchor for anchor in anchors if anchor.seq > head.seq]
    if beyond:
        return replace(report, ok=False, broken_seq=beyond[-1].seq, problem=ChainProblem.TRUNCATED)
    kept = [anchor for anchor in anchors if anchor.seq > purged_through]
    hashes = await events.hashes_of([anchor.seq for anchor in kept])
    for anchor in anchors:
        if anchor.seq == purged_through and checkpoint and checkpoint.hash != anchor.hash:
            return replace(report, ok=False, broken_seq=anchor.seq, problem=ChainProblem.ANCHOR_MISMATCH)
        if anchor.seq > purged_through and hashes.get(anchor.seq) != anchor.hash:
            return replace(report, ok=False, broken_seq=anchor.seq, problem=ChainProblem.ANCHOR_MISMATCH)
    return replace(report, anchors_checked=len(anchors))


async def verify_with_anchors(db: Database, store: AnchorStore) -> ChainReport:
    """The chain, its seals and its outside copies, checked on one consistent snapshot."""
    async with db.sessions() as session:
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report = await compare_anchors(session, store, await verify_chain(session))
        await session.rollback()
    return report


class AnchorSchedule:
    """Copies the chain head outside every `interval` seconds in the background (no task when it is 0)."""

    def __init__(self, store: AnchorStore, interval: float) -> None:
        self.store, self.interval = store, interval

    async def start(self, kit: ServiceKit) -> None:
        """Startup hook: the background task until the service stops."""
        if self.interval > 0:
            kit.tasks.append(asyncio.create_task(self.loop(kit.db), name=f"{kit.name}-audit-anchor"))

    async def loop(self, db: Database) -> None:
        """One anchor per interval; a failure is logged and retried at the next interval."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                anchor = await anchor_head(db, self.store)
                if anchor:
                    log.info("audit chain anchored at seq %s", anchor.seq)
            except Exception:
                log.exception("anchoring the audit chain failed; retrying in %s s", self.interval)
