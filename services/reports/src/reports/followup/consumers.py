"""Subscribers to the patients service's 管理検診 and 行動調査 events. Each is kept in the care-record read model
(kind `followup_exam` or `investigation`), which every form is printed from; the newest version of each wins."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import CareRecordSnapshot, FollowupExamSaved, InvestigationSaved
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.care_record.repository import CareRecordRepository
from reports.followup.records import exam_record, investigation_record

log = logging.getLogger(__name__)


async def on_followup_exam_saved(session: AsyncSession, envelope: Envelope) -> None:
    """A scheduled, moved or recorded examination: kept with its due date, the reason and the schedule's basis."""
    exam = FollowupExamSaved.model_validate(envelope.payload).followup_exam
    await _apply(session, exam_record(exam), envelope.aggregate_version or exam.version)


async def on_investigation_saved(session: AsyncSession, envelope: Envelope) -> None:
    """A recorded or corrected investigation: kept with its computed period and delays."""
    found = InvestigationSaved.model_validate(envelope.payload).investigation
    await _apply(session, investigation_record(found), envelope.aggregate_version or found.version)


async def _apply(session: AsyncSession, snapshot: CareRecordSnapshot, version: int) -> None:
    if not await CareRecordRepository(session).apply(snapshot, version):
        log.info("skipped stale snapshot of %s %s (version %s)", snapshot.kind, snapshot.id, version)


CONSUMERS = [
    Consumer("on_followup_exam_saved", FollowupExamSaved.TYPE, on_followup_exam_saved),
    Consumer("on_investigation_saved", InvestigationSaved.TYPE, on_investigation_saved),
]
