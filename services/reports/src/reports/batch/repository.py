"""Every query of the batch module; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from tbms_core.repository import Repository

from reports.batch.errors import PrintBatchNotFound
from reports.batch.models import QUEUED, RUNNING, PrintBatch


class PrintBatchRepository(Repository[PrintBatch]):
    """Reads and writes batch jobs in the caller's unit of work."""

    model = PrintBatch
    not_found = PrintBatchNotFound

    async def claim_next(self, stale_before: datetime) -> PrintBatch | None:
        """The oldest batch waiting, or running without a heartbeat since `stale_before` (its process died),
        locked so that no other reports process takes it at the same time."""
        return await self.session.scalar(
            select(PrintBatch)
            .where(
                or_(
                    PrintBatch.status == QUEUED,
                    (PrintBatch.status == RUNNING)
                    & (PrintBatch.heartbeat_at.is_(None) | (PrintBatch.heartbeat_at < stale_before)),
                )
            )
            .order_by(PrintBatch.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )

    async def locked(self, batch_id: object) -> PrintBatch:
        """A batch, locked for this unit of work."""
        batch = await self.session.scalar(select(PrintBatch).where(PrintBatch.id == batch_id).with_for_update())
        if batch is None:
            raise PrintBatchNotFound()
        return batch

    async def recent_of(self, user_id: str, limit: int) -> list[PrintBatch]:
        """A user's newest batches."""
        rows = await self.session.scalars(
            select(PrintBatch)
            .where(PrintBatch.requested_by == user_id)
            .order_by(PrintBatch.created_at.desc())
            .limit(limit)
        )
        return list(rows)
