"""The rebuilds of the index from the owning services (`tbms search reindex`), one row each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base

from search.engine.base import RebuildProgress, RebuildState


class Rebuild(Base):
    """One rebuild: pages fill a new index beside the live one until it is swapped in or discarded."""

    __tablename__ = "rebuilds"
    __table_args__ = (
        Index("ix_rebuilds_started_at", "started_at"),
        Index("uq_rebuilds_one_running", text("(state)"), unique=True, postgresql_where=text("state = 'running'")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_progress_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    records_sent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=RebuildState.RUNNING.value)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")

    @property
    def running(self) -> bool:
        """True while pages may still come."""
        return self.state == RebuildState.RUNNING.value

    def progress(self) -> RebuildProgress:
        """The rebuild as the index status shows it."""
        return RebuildProgress(
            id=self.id,
            state=RebuildState(self.state),
            started_at=self.started_at,
            last_progress_at=self.last_progress_at,
            records_sent=self.records_sent,
            finished_at=self.finished_at,
            detail=self.detail,
        )
