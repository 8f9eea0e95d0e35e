"""Keeps the institutions contacts are examined at in step with the masters service."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from contacts.institution.repository import InstitutionRepository

log = logging.getLogger(__name__)


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """An institution was created, changed, ended or imported: keep it when the snapshot is newer."""
    event = MasterChanged.model_validate(envelope.payload)
    if event.kind != "institution":
        return
    version = envelope.aggregate_version or event.snapshot.version
    if not await InstitutionRepository(session).apply(event.snapshot, version):
        log.info("skipped stale snapshot of institution %s (version %s)", event.code, version)


CONSUMERS = [Consumer("on_master_changed", MasterChanged.TYPE, on_master_changed)]
