"""Every table of the masters database, for Alembic."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

metadata = Base.metadata


class District(Base):
    """A district team's area (地区), e.g. 世田谷 or 砧; patients and nurses belong to one."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


__all__ = ["District", "InboxMessage", "OutboxMessage", "metadata"]
