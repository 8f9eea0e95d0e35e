"""Subscriber to the masters service's events: keeps its 外字 master, which names and queries are folded with."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope
from tbms_core.gaiji_master import entry_of

from search.gaiji.service import hold, keep

log = logging.getLogger(__name__)


async def on_gaiji_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A 外字 was created, changed, ended or imported: keep it when the snapshot is newer and fold with it from now
    on (documents indexed before keep their keys until `tbms search reindex`); other kinds are not this consumer's."""
    event = MasterChanged.model_validate(envelope.payload)
    version = envelope.aggregate_version or event.snapshot.version
    kept = await keep(session, event.snapshot, version)
    if kept is False:
        log.info("skipped stale snapshot of 外字 %s (version %s)", event.code, version)
    elif kept and (entry := entry_of(event.snapshot, version)):
        hold(entry)


CONSUMERS = [Consumer("on_gaiji_changed", MasterChanged.TYPE, on_gaiji_changed)]
