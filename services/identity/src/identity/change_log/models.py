"""The change log's own table: every start of every service (N28)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class ServiceStart(Base):
    """A service started with this version, migration and settings digest; never changed."""

    __tablename__ = "service_starts"
    __table_args__ = (Index("ix_service_starts_service", "service", "started_at"),)

    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    service: Mapped[str] = mapped_column(Text, nullable=False)
    environment: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[str] = mapped_column(Text, nullable=False)
    commit: Mapped[str] = mapped_column(Text, nullable=False)
    migration: Mapped[str] = mapped_column(Text, nullable=False)
    host: Mapped[str] = mapped_column(Text, nullable=False)
    started_by: Mapped[str] = mapped_column(Text, nullable=False)
    settings_digest: Mapped[str] = mapped_column(Text, nullable=False)
