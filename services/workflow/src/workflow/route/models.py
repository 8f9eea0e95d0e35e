"""Routes of circulation, one per document type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned


class Route(Versioned, Base):
    """The steps a document type goes through: [{role, on_behalf_by}], first step the drafter's (担当)."""

    __tablename__ = "routes"

    document_type: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
