"""A batch print job and its progress, persisted so that it survives a reload and a restart of reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class PrintBatch(Base):
    """Every form of one genre for a list of records: items done so far, the filed copies, the merged PDF."""

    __tablename__ = "print_batches"
    __table_args__ = (Index("ix_print_batches_status_created_at", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    genre: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    printed_for: Mapped[date] = mapped_column(Date, nullable=False)  # picks the template versions in force
    # [[record_id, form_id], ...]: the patient (患者管理), the case or, for the label sheet F14, the session (診査会),
    # the contact and the examination printed about (接触者健診: [contact_id, form_id, exam_id])
    items: Mapped[list[list[str]]] = mapped_column(JSONB, nullable=False)
    # how the records were chosen: {"session_id": …} (診査会) or {"day": …, "place": …} (接触者健診); {} for a list
    selection: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=QUEUED)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    document_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)  # filed copy per item
    skipped: Mapped[list[dict[str, str]]] = mapped_column(JSONB, nullable=False, default=list)  # item and reason
    object_key: Mapped[str | None] = mapped_column(String(300))
    object_version_id: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    pages: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # who asked: the worker files every form under this user, with their roles at the time of the request
    requested_by: Mapped[str] = mapped_column(String(64), nullable=False)
    requested_by_username: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    requested_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    requested_roles: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    requested_from: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def total(self) -> int:
        """How many forms the batch prints."""
        return len(self.items)
