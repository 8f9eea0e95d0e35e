"""The 17条 勧告 (written recommendation to be examined) issued to a contact."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class Recommendation(Versioned, Base):
    """One 勧告 under 感染症法第17条: when it was issued, how it was delivered, which exams and by when."""

    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_contact_id", "contact_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    delivery: Mapped[str] = mapped_column(String(10), nullable=False)  # hand, mail, other
    delivery_note: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # その他 の方法
    exams: Mapped[list[str]] = mapped_column(ARRAY(String(20)), nullable=False)  # exam kinds recommended
    deadline_on: Mapped[date] = mapped_column(Date, nullable=False)  # 受診期限
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # 取消: a 勧告 withdrawn (issued by mistake, the contact turned out not to be one …) stays, marked, with why
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    cancelled_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    cancel_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    @property
    def cancelled(self) -> bool:
        """True once the 勧告 was cancelled (取消)."""
        return self.cancelled_on is not None
