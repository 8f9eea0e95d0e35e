"""Every query of the 診査会 read model; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BoardRecordSnapshot
from tbms_core.db import apply_snapshot, utcnow

from reports.board_record.models import BoardRecord


class BoardRecordRepository:
    """Reads and upserts 診査会 records in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: BoardRecordSnapshot, version: int) -> bool:
        """Stores a record unless a newer or equal version is held; True when it was applied."""
        values = {
            "patient_id": uuid.UUID(snapshot.patient_id) if snapshot.patient_id else None,
            "version": version,
            "kind": snapshot.kind,
            "data": snapshot.data,
            "labels": snapshot.labels,
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, BoardRecord, {"id": uuid.UUID(snapshot.id)}, values)

    async def find(self, record_id: uuid.UUID, kind: str) -> BoardRecord | None:
        """The record of that kind as last applied, or None."""
        record = await self.session.get(BoardRecord, record_id, populate_existing=True)
        return record if record is not None and record.kind == kind else None

    async def cases_of_session(self, session_id: uuid.UUID) -> list[BoardRecord]:
        """A session's cases in agenda order."""
        rows = await self.session.scalars(
            select(BoardRecord).where(
                BoardRecord.kind == "case", BoardRecord.data["session_id"].astext == str(session_id)
            )
        )
        return sorted(rows, key=lambda r: (int(r.data.get("position") or 0), str(r.data.get("received_on"))))

    async def of_case(self, case_id: uuid.UUID, kind: str) -> list[BoardRecord]:
        """The 患者票 or 勧告 issued on a case."""
        rows = await self.session.scalars(
            select(BoardRecord).where(BoardRecord.kind == kind, BoardRecord.data["case_id"].astext == str(case_id))
        )
        return list(rows)
