"""To-dos (one per deadline key, for ever) and the newest snapshot version applied per record."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id

OPEN, SNOOZED, DONE, DISMISSED, CLOSED = "open", "snoozed", "done", "dismissed", "closed"


class DeadlineSource(Base):
    """The newest snapshot of one record whose deadlines were applied: older or repeated ones change nothing."""

    __tablename__ = "deadline_sources"

    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    aggregate: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class Todo(Versioned, Base):
    """What a nurse or a team must do by a date, kept from a deadline of the record that sets it."""

    __tablename__ = "todos"
    __table_args__ = (
        Index("ix_todos_record", "service", "aggregate", "record_id"),
        Index("ix_todos_team_due", "team", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(60), nullable=False)
    rule: Mapped[str] = mapped_column(Text, nullable=False, default="")
    what: Mapped[str] = mapped_column(Text, nullable=False, default="")
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    severity: Mapped[str] = mapped_column(String(10), nullable=False, default="warning")
    nurse: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    team: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    service: Mapped[str] = mapped_column(String(40), nullable=False)
    aggregate: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    record_label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(12), nullable=False, default=OPEN)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")  # reassigned to; "" = the nurse
    assignee_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    acted_due_on: Mapped[date | None] = mapped_column(Date)  # the due date when marked done or dismissed
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")  # why it was dismissed
    source_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
