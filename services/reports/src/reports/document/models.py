"""Stored documents: generated forms (and later uploaded files) kept in the S3 document store."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class Document(Base):
    """One stored PDF: which form, filed with which record, about whom, where in the store and its checksum."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_patient_id_created_at", "patient_id", "created_at"),
        Index("ix_documents_owner", "owner_type", "owner_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # form id, e.g. F03
    # the record it is filed with (patient, contact, request, board_session), as attachments are keyed
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False, default="patient")
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # the patient it is about, if one
    object_key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    version_id: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False, default="application/pdf")
    template_version: Mapped[str] = mapped_column(String(40), nullable=False)
    data_version: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # what it was printed from
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)  # user id (Keycloak sub)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    # the approved copy (R10, R16): once a 回議 of this document is approved, the stored version is the PDF with its
    # approvers stamped; the version as first printed stays readable in the store under the same key
    original_version_id: Mapped[str | None] = mapped_column(String(100))
    approved_circulation_id: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
