"""Tables of the access review (N21): findings with their review, the protected people, how far it has read."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base

UNREVIEWED = "unreviewed"


class AccessFinding(Base):
    """What one rule found for one user (and day, or person); kept with its review for at least three years."""

    __tablename__ = "access_findings"
    __table_args__ = (
        UniqueConstraint("rule", "key", name="uq_access_findings_rule_key"),
        Index("ix_access_findings_day", "day"),
        Index("ix_access_findings_status", "status", "day"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    rule: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[str] = mapped_column(Text, nullable=False)
    username: Mapped[str] = mapped_column(Text, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    person_id: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    access_count: Mapped[int] = mapped_column(Integer, nullable=False)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, default=UNREVIEWED)
    reviewer: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class AccessReviewMark(Base):
    """Each review decision on a finding, in order: who marked it what, when, and why."""

    __tablename__ = "access_review_marks"
    __table_args__ = (Index("ix_access_review_marks_finding", "finding_id", "marked_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    finding_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    reviewer: Mapped[str] = mapped_column(Text, nullable=False)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ProtectedPerson(Base):
    """A person whose record nobody should open without a reason: a staff member, someone in the news …"""

    __tablename__ = "protected_persons"

    person_id: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    added_by: Mapped[str] = mapped_column(Text, nullable=False)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class AccessReviewProgress(Base):
    """The last operation-history seq the analysis has read (one row)."""

    __tablename__ = "access_review_progress"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    analysed_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    analysed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
