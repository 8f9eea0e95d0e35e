"""Subscriber to the patients service's 診査会 events: sessions, cases, 患者票 and 勧告."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BoardRecordSaved
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.board_record.repository import BoardRecordRepository

log = logging.getLogger(__name__)


async def on_board_record_saved(session: AsyncSession, envelope: Envelope) -> None:
    """A new or changed record: store it when the snapshot is newer than the one held."""
    snapshot = BoardRecordSaved.model_validate(envelope.payload).board_record
    version = envelope.aggregate_version or snapshot.version
    if not await BoardRecordRepository(session).apply(snapshot, version):
        log.info("skipped stale snapshot of board record %s (version %s)", envelope.aggregate_id, version)


CONSUMERS = [Consumer("on_board_record_saved", BoardRecordSaved.TYPE, on_board_record_saved)]
