"""Group contacts (集団接触者): a setting with many contacts (a class, a workplace, a care home, a flight) with its
own exposure facts, its members, its member imports and a bulk screening plan."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship
from tbms_core.db import Base, Versioned, new_id, utcnow


class ContactGroup(Versioned, Base):
    """A group exposed together to one index patient; each member's exposure is taken from the group's facts."""

    __tablename__ = "contact_groups"
    __table_args__ = (Index("ix_contact_groups_index_patient_id", "index_patient_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    index_patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)  # 〇〇小学校3年2組, 〇〇便 …
    setting: Mapped[str] = mapped_column(String(20), nullable=False)
    place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[float | None] = mapped_column(Float)
    closed_room: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    poor_ventilation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    infectiousness: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", lazy="selectin", order_by="GroupMember.position"
    )


class GroupMember(Base):
    """A contact belonging to the group."""

    __tablename__ = "contact_group_members"
    __table_args__ = (
        Index("uq_contact_group_members", "group_id", "contact_id", unique=True),
        Index("ix_contact_group_members_contact_id", "contact_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact_groups.id", ondelete="CASCADE"), nullable=False)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    group: Mapped[ContactGroup] = relationship(back_populates="members")


class GroupImport(Base):
    """A member file read and checked (プレビュー): its rows, their errors and duplicate candidates, until applied."""

    __tablename__ = "contact_group_imports"
    __table_args__ = (Index("ix_contact_group_imports_group_id", "group_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact_groups.id", ondelete="CASCADE"), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    encoding: Mapped[str] = mapped_column(String(10), nullable=False)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="previewed")  # previewed / applied
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    made_by: Mapped[str] = mapped_column(String(64), nullable=False)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
