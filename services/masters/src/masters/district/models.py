"""The districts (地区) of the health centre: reference data patients and nurses belong to."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class District(Base):
    """A district team's area (地区), e.g. 世田谷 or 砧; patients and nurses belong to one."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
