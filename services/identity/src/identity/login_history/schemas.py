"""What the login history API accepts and returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from identity.periods import HistoryFilter


class LoginEventFilter(HistoryFilter):
    """Which login events to list: by user, by event type and by period."""

    type: str | None = None


class LoginEventRead(BaseModel):
    """One login, failed login, logout or credential change."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    time: datetime
    type: str
    user_id: str | None
    username: str
    client_id: str
    session_id: str
    ip_address: str
    error: str


class LoginEventPage(BaseModel):
    """Login events matching a filter, newest first."""

    items: list[LoginEventRead]


class LastLogin(BaseModel):
    """What the home page tells a user about their account's recent use (N04)."""

    current_login: LoginEventRead | None
    previous_login: LoginEventRead | None
    last_logout: LoginEventRead | None
    failed_logins_since_previous: int
