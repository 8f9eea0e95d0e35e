"""Subscriber to the contacts service's request events: keeps the request read model current."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import ContactRegistered, ContactUpdated, RequestChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.request_letter.repository import ContactSummaryRepository, RequestSummaryRepository


async def on_request_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a request snapshot unless a newer one is held."""
    await RequestSummaryRepository(session).apply(RequestChanged.model_validate(envelope.payload).request)


async def on_contact_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a contact snapshot (registered or updated) unless a newer one is held."""
    contact = envelope.payload["contact"]
    snapshot = (ContactRegistered if envelope.type == ContactRegistered.TYPE else ContactUpdated).model_validate(
        envelope.payload
    )
    await ContactSummaryRepository(session).apply(snapshot.contact, envelope.aggregate_version or contact["version"])


CONSUMERS = [
    Consumer("on_request_changed", RequestChanged.TYPE, on_request_changed),
    Consumer("on_contact_registered", ContactRegistered.TYPE, on_contact_changed),
    Consumer("on_contact_updated", ContactUpdated.TYPE, on_contact_changed),
]
