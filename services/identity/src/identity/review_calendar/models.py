"""The periodic reviews done (N21): who reviewed which period's operation history or access rights, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class PeriodicReview(Base):
    """One review done for one period; kept with the operation history's retention."""

    __tablename__ = "periodic_reviews"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_periodic_reviews_kind_period"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)  # access_log, rights
    period: Mapped[str] = mapped_column(Text, nullable=False)
    reviewer: Mapped[str] = mapped_column(Text, nullable=False)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
