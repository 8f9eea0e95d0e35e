"""Approved circulations learn from the owning services' events that their record changed after approval."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from workflow.circulation.service import RecordVersionTracker


async def on_record_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Compares the event's record version (subject `tbms.<service>.<aggregate>.<event>.v1`) with approvals."""
    parts = envelope.type.split(".")
    if len(parts) < 4 or envelope.aggregate_version <= 0:
        return
    changed = envelope.payload.get("changed_fields") or []
    await RecordVersionTracker(session).saw(
        parts[1], parts[2], envelope.aggregate_id, envelope.aggregate_version, [str(name) for name in changed]
    )


CONSUMERS = [
    Consumer("circulation_on_patients", "tbms.patients.>", on_record_changed),
    Consumer("circulation_on_contacts", "tbms.contacts.>", on_record_changed),
]
