"""Uploaded versions of a form's template, each in force from its effective date."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class FormTemplate(Base):
    """One version of a form's template (HTML and CSS); never changed once uploaded, so printed forms keep it."""

    __tablename__ = "form_templates"
    __table_args__ = (UniqueConstraint("form_id", "effective_from", name="uq_form_templates_form_id_effective_from"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    form_id: Mapped[str] = mapped_column(String(20), nullable=False)
    revision: Mapped[str] = mapped_column(String(20), nullable=False)  # 様式の版, e.g. "2"
    template_version: Mapped[str] = mapped_column(String(40), nullable=False)  # revision + digest, as printed
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    html: Mapped[str] = mapped_column(Text, nullable=False)
    css: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
