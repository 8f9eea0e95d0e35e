"""The change log's own table: every start of every service (N28)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class ServiceStart(Base):
    """A service started with this version, migration and settings digest; never changed."""

    __tablename__ = "service_starts"
    __table_args__ = (Index("ix_service_starts_service", "service", "started_at"),)

    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    service: Mapped[str] = mapped_column(Text, nullable=False)
    environment: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[str] = mapped_column(Text, nullable=False)
    commit: Mapped[str] = mapped_column(Text, nullable=False)
    migration: Mapped[str] = mapped_column(Text, nullable=False)
    host: Mapped[str] = mapped_column(Text, nullable=False)
    started_by: Mapped[str] = mapped_column(Text, nullable=False)
    settings_digest: Mapped[str] = mapped_column(Text, nullable=False)


class RealmChange(Base):
    """A change of the Keycloak realm (an admin event: users, groups, roles, clients, settings), copied from
    Keycloak; only the names of the fields sent are kept, never their values (a password reset sends one)."""

    __tablename__ = "realm_changes"
    __table_args__ = (Index("ix_realm_changes_time", "time"),)

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # Keycloak's event id
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    operation: Mapped[str] = mapped_column(Text, nullable=False)  # CREATE, UPDATE, DELETE, ACTION
    resource_type: Mapped[str] = mapped_column(Text, nullable=False)  # USER, GROUP, REALM_ROLE_MAPPING, REALM…
    resource_path: Mapped[str] = mapped_column(Text, nullable=False)
    admin_user_id: Mapped[str] = mapped_column(Text, nullable=False)
    admin_username: Mapped[str] = mapped_column(Text, nullable=False)
    ip_address: Mapped[str] = mapped_column(Text, nullable=False)
    fields: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    error: Mapped[str] = mapped_column(Text, nullable=False)
    copied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
