"""Stored attachments (資料) and each uploaded version of their file."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship
from tbms_core.db import Base, Versioned, new_id, utcnow


class Attachment(Versioned, Base):
    """One document a user stored with a patient, contact, review-board case or request: what it is, whose."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_type", "owner_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False)  # patient, contact, review_case, request
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)  # whose personal data it is
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # 診断書, 紹介状 … (code, see schemas.KINDS)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    document_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    files: Mapped[list[AttachmentFile]] = relationship(
        back_populates="attachment", order_by="AttachmentFile.number", lazy="selectin"
    )

    @property
    def current(self) -> AttachmentFile:
        """The file users see: the newest version."""
        return next(f for f in self.files if f.number == self.current_version)


class AttachmentFile(Base):
    """One uploaded version of an attachment's file: scanned, typed from its content, kept unchanged."""

    __tablename__ = "attachment_files"
    __table_args__ = (UniqueConstraint("attachment_id", "number", name="uq_attachment_files_attachment_id_number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    attachment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("attachments.id", name="fk_attachment_files_attachment_id"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)  # for display only, never a store path
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)  # judged from the bytes
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    object_version_id: Mapped[str | None] = mapped_column(String(100))
    scanned_by: Mapped[str] = mapped_column(String(40), nullable=False)  # clamd / clamscan
    uploaded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

    attachment: Mapped[Attachment] = relationship(back_populates="files")
