"""Subscribers to the masters service's events: keep the master data the forms print."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.master_snapshot.repository import MasterSnapshotRepository

log = logging.getLogger(__name__)

MASTER_CHANGED = "tbms.masters.record.changed.v1"
# what reports prints: its own letterhead, institutions and their doctors, other health centers, board members
KEPT_KINDS = frozenset({"letterhead", "institution", "municipality", "doctor", "board_member"})


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A master record was created, changed, ended or imported: keep the snapshot when it is newer."""
    payload = envelope.payload
    kind, code, record = payload["kind"], payload["code"], payload["snapshot"]
    if kind not in KEPT_KINDS:
        return
    version = envelope.aggregate_version or record["version"]
    if not await MasterSnapshotRepository(session).apply(kind, code, version, record):
        log.info("skipped stale snapshot of master %s %s (version %s)", kind, code, version)


CONSUMERS = [Consumer("on_master_changed", MASTER_CHANGED, on_master_changed)]
