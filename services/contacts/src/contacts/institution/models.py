"""The medical institutions contacts are examined at (健診の実施場所), as masters last described them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class Institution(Base):
    """One institution as of the newest MasterChanged snapshot applied (`version`); ended ones are kept."""

    __tablename__ = "institution_summaries"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # 医療機関コード
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kana: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    type: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # hospital, clinic, pharmacy
    designated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 結核指定医療機関 (法38条)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
