"""Encrypted packages of a patient's filed documents, made to send them to another body (N32)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class DocumentPackage(Base):
    """An AES-256 encrypted ZIP of a patient's documents (e.g. the 登録票 for the new health centre on a 転出): the
    ciphertext is in the document store; its key was shown once and is never stored."""

    __tablename__ = "document_packages"
    __table_args__ = (Index("ix_document_packages_patient_id_made_at", "patient_id", "made_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    document_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False)  # the documents it holds, in order
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    version_id: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the ciphertext, as the sending records it
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    made_by: Mapped[str] = mapped_column(String(64), nullable=False)
    made_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
