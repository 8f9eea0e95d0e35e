"""Subscriber to workflow's events: keeps where each record's 回議 stands, for the stamp boxes of the forms, and
files the approved copy of a generated document once its own 回議 is approved."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.workflow import CirculationChanged
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope

from reports.circulation_stamp.repository import DECISION, CirculationStampRepository
from reports.document.approved_copy import ApprovedCopies
from reports.forms.render import FormRenderer
from reports.storage import DocumentStore

log = logging.getLogger(__name__)
APPROVED = "approved"


def is_document_approval(event: CirculationChanged) -> bool:
    """A 回議 of a form reports printed and filed, now approved (its stamps go into the filed copy)."""
    return (
        event.kind == DECISION
        and event.status == APPROVED
        and event.approved
        and event.service == "reports"
        and event.record_kind == "document"
    )


def on_circulation_changed(store: DocumentStore, renderer: Callable[[], FormRenderer]) -> Handler:
    """The handler of CirculationChanged with this service's object store and form renderer."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """A circulation was submitted, decided, sent back, withdrawn or its record changed: kept when newer; an
        approved document's stamped copy is filed in the same transaction (a redelivery finds it filed)."""
        event = CirculationChanged.model_validate(envelope.payload)
        if not await CirculationStampRepository(session).apply(event, envelope.aggregate_version):
            log.info(
                "skipped stale circulation event %s (version %s)", event.circulation_id, envelope.aggregate_version
            )
            return
        if is_document_approval(event):
            await ApprovedCopies(session, store, renderer()).file(event)

    return handle


def consumers(store: DocumentStore, renderer: Callable[[], FormRenderer]) -> list[Consumer]:
    """The workflow subscription of reports."""
    return [Consumer("on_circulation_changed", CirculationChanged.TYPE, on_circulation_changed(store, renderer))]
