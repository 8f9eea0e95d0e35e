"""Subscribers to the patients service's test-result events: keep the 菌検査 read model current."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import LabResultCorrected, LabResultRecorded, LabResultSnapshot
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.lab_result.repository import LabResultRepository

log = logging.getLogger(__name__)


async def on_lab_result_recorded(session: AsyncSession, envelope: Envelope) -> None:
    """A new result: add it to the read model."""
    await _apply(session, envelope, LabResultRecorded.model_validate(envelope.payload).lab_result)


async def on_lab_result_corrected(session: AsyncSession, envelope: Envelope) -> None:
    """A correction: replace the result when the snapshot is newer than the one held."""
    await _apply(session, envelope, LabResultCorrected.model_validate(envelope.payload).lab_result)


async def _apply(session: AsyncSession, envelope: Envelope, snapshot: LabResultSnapshot) -> None:
    version = envelope.aggregate_version or snapshot.version
    if not await LabResultRepository(session).apply(snapshot, version):
        log.info("skipped stale snapshot of lab result %s (version %s)", envelope.aggregate_id, version)


CONSUMERS = [
    Consumer("on_lab_result_recorded", LabResultRecorded.TYPE, on_lab_result_recorded),
    Consumer("on_lab_result_corrected", LabResultCorrected.TYPE, on_lab_result_corrected),
]
