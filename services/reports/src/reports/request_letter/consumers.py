"""Subscriber to the contacts service's request events: keeps the request read model current."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import RequestChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.request_letter.repository import RequestSummaryRepository


async def on_request_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a request snapshot unless a newer one is held."""
    await RequestSummaryRepository(session).apply(RequestChanged.model_validate(envelope.payload).request)


CONSUMERS = [Consumer("on_request_changed", RequestChanged.TYPE, on_request_changed)]
