"""Subscribers to the masters service's events: keep the master data the forms print."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.master_snapshot.repository import MasterSnapshotRepository

log = logging.getLogger(__name__)

# what reports prints: its own letterhead, institutions and their doctors, other health centers, board members,
# and the コード表 entries (a code added in マスタ管理 prints with its label)
KEPT_KINDS = frozenset({"letterhead", "institution", "municipality", "doctor", "board_member", "code"})


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A master record was created, changed, ended or imported: keep the snapshot when it is newer."""
    event = MasterChanged.model_validate(envelope.payload)
    if event.kind not in KEPT_KINDS:
        return
    version = envelope.aggregate_version or event.snapshot.version
    if not await MasterSnapshotRepository(session).apply(event.snapshot, version):
        log.info("skipped stale snapshot of master %s %s (version %s)", event.kind, event.code, version)


CONSUMERS = [Consumer("on_master_changed", MasterChanged.TYPE, on_master_changed)]
