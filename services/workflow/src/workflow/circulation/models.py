"""Circulations (回議 and 供覧), what happened to each, and who was asked to read and when they did."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id, utcnow

DECISION, READING = "decision", "reading"  # 回議 (決裁), 供覧
IN_PROGRESS, SENT_BACK, APPROVED, WITHDRAWN, CIRCULATING = (
    "in_progress",
    "sent_back",
    "approved",
    "withdrawn",
    "reading",
)


class Circulation(Versioned, Base):
    """One record or document put into circulation, with the route it takes and where it stands."""

    __tablename__ = "circulations"
    __table_args__ = (
        Index("ix_circulations_record", "service", "record_kind", "record_id"),
        Index("ix_circulations_drafter", "drafter_id", "status"),
        Index("ix_circulations_waiting", "status", "current_role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    document_type: Mapped[str] = mapped_column(String(60), nullable=False)
    service: Mapped[str] = mapped_column(String(40), nullable=False)
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    record_version: Mapped[int] = mapped_column(Integer, nullable=False)  # the version submitted
    drafter_id: Mapped[str] = mapped_column(String(64), nullable=False)  # 起案者
    drafter_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    # [{role, on_behalf_by, decided_by, decided_by_name, decided_at, on_behalf}], in route order
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    current_step: Mapped[int | None] = mapped_column(Integer)
    current_role: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    current_on_behalf: Mapped[list[str]] = mapped_column(ARRAY(String(20)), nullable=False, default=list)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the last send-back comment
    teams: Mapped[list[str]] = mapped_column(ARRAY(String(100)), nullable=False, default=list)  # 供覧 to teams
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    latest_record_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed_since_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(String(100)), nullable=False, default=list)


class CirculationAction(Base):
    """One thing done to a circulation: submitted, approved, 代決, sent back, re-submitted, withdrawn, read."""

    __tablename__ = "circulation_actions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    circulation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("circulations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    step: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    record_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CirculationReader(Base):
    """A person a 供覧 was addressed to (or who read it as one of a team), and when they read it."""

    __tablename__ = "circulation_readers"

    circulation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("circulations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    addressed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)  # named, not just of a team
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
