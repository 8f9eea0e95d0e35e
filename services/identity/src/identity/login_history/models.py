"""Login history: Keycloak user events copied into identity's database and kept for years (R36, N04)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class LoginEventType(StrEnum):
    """Keycloak user event types tbms shows (others are stored as they come)."""

    LOGIN = "LOGIN"
    LOGIN_ERROR = "LOGIN_ERROR"
    LOGOUT = "LOGOUT"
    LOGOUT_ERROR = "LOGOUT_ERROR"
    UPDATE_PASSWORD = "UPDATE_PASSWORD"  # noqa: S105 (an event type, not a secret)
    UPDATE_TOTP = "UPDATE_TOTP"
    REMOVE_TOTP = "REMOVE_TOTP"


class LoginEvent(Base):
    """One Keycloak user event; the id is Keycloak's own, or a digest of the event when it has none."""

    __tablename__ = "login_events"
    __table_args__ = (
        Index("ix_login_events_time", "time"),
        Index("ix_login_events_user_id", "user_id", "time"),
        Index("ix_login_events_username", "username", "time"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(Text, nullable=False, default="")
    client_id: Mapped[str] = mapped_column(Text, nullable=False, default="")
    session_id: Mapped[str] = mapped_column(Text, nullable=False, default="")
    ip_address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    copied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
