"""Subscribers to the masters service's events: keep the master data the forms print."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope
from tbms_core.gaiji_master import GaijiMaster, entry_of

from reports.master_snapshot.repository import MasterSnapshotRepository

log = logging.getLogger(__name__)

# what reports prints: its own letterhead, institutions and their doctors, other health centers, board members,
# the コード表 entries (a code added in マスタ管理 prints with its label) and the 外字 master (the substitutes forms
# print for a character the fonts cannot carry, N26)
KEPT_KINDS = frozenset({"letterhead", "institution", "municipality", "doctor", "board_member", "code", "gaiji"})


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A master record was created, changed, ended or imported: keep the snapshot when it is newer."""
    event = MasterChanged.model_validate(envelope.payload)
    if event.kind not in KEPT_KINDS:
        return
    version = envelope.aggregate_version or event.snapshot.version
    if not await MasterSnapshotRepository(session).apply(event.snapshot, version):
        log.info("skipped stale snapshot of master %s %s (version %s)", event.kind, event.code, version)


def on_master_changed_with(gaiji: Callable[[], GaijiMaster]) -> Handler:
    """on_master_changed that also hands a 外字 record to the process's form renderer at once (the other
    processes take it from the read model on their next refresh)."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await on_master_changed(session, envelope)
        event = MasterChanged.model_validate(envelope.payload)
        if entry := entry_of(event.snapshot, envelope.aggregate_version or event.snapshot.version):
            gaiji().put(entry)

    return handle


def consumers(gaiji: Callable[[], GaijiMaster]) -> list[Consumer]:
    """The masters subscription of reports."""
    return [Consumer("on_master_changed", MasterChanged.TYPE, on_master_changed_with(gaiji))]
