"""Data keys of people's documents, and the record of keys destroyed by an erasure."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class DocumentKey(Base):
    """One person's data key, wrapped with the deployment's key-encryption key; every stored file about the person
    (printed forms, attachments, packages) is sealed with it. Deleting the row is the person's crypto-erasure."""

    __tablename__ = "document_keys"

    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)  # hex; named in each sealed file
    wrapped: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class DocumentKeyErasure(Base):
    """The record that a person's data key was destroyed (when, and which key): what the certificate cites."""

    __tablename__ = "document_key_erasures"

    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(String(32))  # none when the person never had a key
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
