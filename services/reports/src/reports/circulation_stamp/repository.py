"""Every query of the stamp read model; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.workflow import CirculationChanged
from tbms_core.db import utcnow

from reports.circulation_stamp.models import CirculationStamp

DECISION, WITHDRAWN = "decision", "withdrawn"


class CirculationStampRepository:
    """Upserts circulations from workflow's events (newest version wins) and finds a record's current one."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, event: CirculationChanged, version: int) -> bool:
        """Stores the circulation's state unless a newer or equal version is held; True when applied."""
        values = {
            "version": version,
            "kind": event.kind,
            "status": event.status,
            "service": event.service,
            "record_kind": event.record_kind,
            "record_id": event.record_id,
            "approved": event.approved,
            "changed_since_approval": event.changed_since_approval,
            "stamps": [box.model_dump(mode="json") for box in event.stamps],
            "applied_at": utcnow(),
        }
        statement = pg_insert(CirculationStamp).values(circulation_id=event.circulation_id, **values)
        statement = statement.on_conflict_do_update(
            index_elements=["circulation_id"],
            set_=values,  # first_seen_at stays as first stored
            where=CirculationStamp.version < statement.excluded.version,
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def current(self, service: str, record_kind: str, record_id: str) -> CirculationStamp | None:
        """The record's newest 回議 that is not withdrawn (its stamps are the ones printed), or None."""
        return await self.session.scalar(
            select(CirculationStamp)
            .where(
                CirculationStamp.service == service,
                CirculationStamp.record_kind == record_kind,
                CirculationStamp.record_id == record_id,
                CirculationStamp.kind == DECISION,
                CirculationStamp.status != WITHDRAWN,
            )
            .order_by(CirculationStamp.first_seen_at.desc())
            .limit(1)
        )
