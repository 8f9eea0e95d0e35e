"""Subscriber to the masters service's events: keeps the コード表 entries of the lists the contact forms use."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from contacts.code_list.service import keep

log = logging.getLogger(__name__)


async def on_code_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A コード表 entry was created, changed, ended or imported: keep it when the snapshot is newer."""
    event = MasterChanged.model_validate(envelope.payload)
    if event.kind != "code":
        return
    version = envelope.aggregate_version or event.snapshot.version
    if await keep(session, event.snapshot, version) is False:
        log.info("skipped stale snapshot of code %s (version %s)", event.code, version)


CONSUMERS = [Consumer("on_code_changed", MasterChanged.TYPE, on_code_changed)]
