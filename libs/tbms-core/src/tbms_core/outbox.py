"""Transactional outbox: events are stored in the same transaction as the change, then relayed to JetStream."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from opentelemetry import propagate
from sqlalchemy import DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tbms_core.db import Base, utcnow
from tbms_core.events import Envelope

NOTIFY_CHANNEL = "tbms_outbox"
_NOTIFIED_IN = "tbms_outbox_notified_in"  # session.info key: the transaction that already sent its wake-up


class OutboxMessage(Base):
    """An event waiting to be published (or already published) to NATS."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "created_at", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_parked", "parked_at", postgresql_where=text("parked_at IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    parked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # gave up: waits for a replay

    @property
    def aggregate_id(self) -> str | None:
        """The aggregate whose events must reach NATS in the order they were stored."""
        return self.payload.get("aggregate_id") if isinstance(self.payload, dict) else None


class InboxMessage(Base):
    """An event a consumer has already applied; claiming it twice means it is a duplicate."""

    __tablename__ = "inbox"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


async def add(session: AsyncSession, envelope: Envelope, *, subject: str | None = None) -> None:
    """Stores an event in the caller's transaction; the relay publishes it after commit."""
    headers: dict[str, str] = {}
    propagate.inject(headers)
    session.add(
        OutboxMessage(
            id=envelope.event_id,
            subject=subject or envelope.type,
            payload=envelope.model_dump(mode="json"),
            headers=headers,
        )
    )
    # One wake-up per transaction is enough: the relay publishes every pending row when it wakes (a bulk import
    # of thousands of rows would otherwise pay a round trip per event).
    transaction = session.get_transaction()
    if transaction is None or session.info.get(_NOTIFIED_IN) is not transaction:
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
        session.info[_NOTIFIED_IN] = session.get_transaction()


async def claim(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    """Marks an event as applied by a consumer; False when it was applied before."""
    result = await session.execute(
        text(
            "INSERT INTO inbox (consumer, event_id, processed_at) VALUES (:c, :e, now()) "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        ),
        {"c": consumer, "e": event_id},
    )
    return result.first() is not None
