"""Tables of the operations log (N18)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Index, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class OperationsEntry(Base):
    """One thing that happened to the system: a component down or up, an event parked, a repair, a planned stop.

    Details name components, subjects, event ids and error types only, never a person's data."""

    __tablename__ = "operations_log"
    __table_args__ = (
        Index("ix_operations_log_time", "occurred_at"),
        Index("ix_operations_log_kind_time", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    component: Mapped[str] = mapped_column(Text, nullable=False)
    details: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class ComponentHealth(Base):
    """The last state the health watcher saw of one component, so that only changes are logged."""

    __tablename__ = "component_health"

    component: Mapped[str] = mapped_column(Text, primary_key=True)
    up: Mapped[bool] = mapped_column(Boolean, nullable=False)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
