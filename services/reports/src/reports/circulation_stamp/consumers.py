"""Subscriber to workflow's events: keeps where each record's 回議 stands, for the stamp boxes of the forms."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.workflow import CirculationChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.circulation_stamp.repository import CirculationStampRepository

log = logging.getLogger(__name__)


async def on_circulation_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A circulation was submitted, decided, sent back, withdrawn or its record changed: kept when newer."""
    event = CirculationChanged.model_validate(envelope.payload)
    if not await CirculationStampRepository(session).apply(event, envelope.aggregate_version):
        log.info("skipped stale circulation event %s (version %s)", event.circulation_id, envelope.aggregate_version)


CONSUMERS = [Consumer("on_circulation_changed", CirculationChanged.TYPE, on_circulation_changed)]
