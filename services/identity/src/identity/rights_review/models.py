"""The access-rights review's record: each administrator's confirmation of an account's rights (N21)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class RightsConfirmation(Base):
    """An administrator looked at an account's rights and kept them, changed them or disabled it."""

    __tablename__ = "rights_confirmations"
    __table_args__ = (Index("ix_rights_confirmations_user", "user_id", "confirmed_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(Text, nullable=False)
    username: Mapped[str] = mapped_column(Text, nullable=False)
    decision: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # what the review showed then
    confirmed_by: Mapped[str] = mapped_column(Text, nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
