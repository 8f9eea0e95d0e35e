"""Subscriber to the masters service's events: keeps the コード表 entries of the lists patients' forms use, the
公費負担者番号 the 診査会's approvals take and the 外字 master its CP932 exports substitute with."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from patients.board import payer_numbers
from patients.code_list.service import keep
from patients.gaiji import service as gaiji

log = logging.getLogger(__name__)


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A コード表 entry, a 公費負担者番号 or a 外字 was created, changed, ended or imported: keep it when the snapshot
    is newer."""
    event = MasterChanged.model_validate(envelope.payload)
    version = envelope.aggregate_version or event.snapshot.version
    if event.kind == "payer_number":
        if await payer_numbers.keep(session, event.snapshot, version) is False:
            log.info("skipped stale snapshot of payer number %s (version %s)", event.code, version)
        return
    if event.kind == "gaiji":
        if await gaiji.keep(session, event.snapshot, version) is False:
            log.info("skipped stale snapshot of 外字 %s (version %s)", event.code, version)
        return
    if event.kind != "code":
        return
    if await keep(session, event.snapshot, version) is False:
        log.info("skipped stale snapshot of code %s (version %s)", event.code, version)


CONSUMERS = [Consumer("on_master_changed", MasterChanged.TYPE, on_master_changed)]
