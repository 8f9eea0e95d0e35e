"""Subscribers to the patients service's care-record events: treatments, stays, transfers, progress notes."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import CareRecordSaved
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.care_record.repository import CareRecordRepository

log = logging.getLogger(__name__)


async def on_care_record_saved(session: AsyncSession, envelope: Envelope) -> None:
    """A new or corrected record: store it when the snapshot is newer than the one held."""
    snapshot = CareRecordSaved.model_validate(envelope.payload).care_record
    version = envelope.aggregate_version or snapshot.version
    if not await CareRecordRepository(session).apply(snapshot, version):
        log.info("skipped stale snapshot of care record %s (version %s)", envelope.aggregate_id, version)


CONSUMERS = [Consumer("on_care_record_saved", CareRecordSaved.TYPE, on_care_record_saved)]
