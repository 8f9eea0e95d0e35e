"""Stores every audit event any service publishes (`tbms.audit.>`) in the hash-chained history."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import DeploymentRecorded, OperationRecorded, OperationsLogged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from identity.audit_log.chain import append_event
from identity.change_log.service import store_start
from identity.operations_log.service import store_entry

log = logging.getLogger(__name__)
AUDIT_SUBJECTS = "tbms.audit.>"


async def on_operation_recorded(session: AsyncSession, envelope: Envelope) -> None:
    """Appends one OperationRecorded to the chain (a service's start goes to the change log, an operations entry
    to the operations log instead); the inbox and the unique event id drop repeats."""
    if envelope.type == DeploymentRecorded.TYPE:
        await store_start(session, envelope)
        return
    if envelope.type == OperationsLogged.TYPE:
        await store_entry(session, envelope)
        return
    try:
        event = OperationRecorded.model_validate(envelope.payload)
    except ValidationError:
        log.error("audit event %s (%s) is not an OperationRecorded; not stored", envelope.event_id, envelope.type)
        return
    await append_event(session, envelope.event_id, event)


CONSUMERS = [Consumer("on_operation_recorded", AUDIT_SUBJECTS, on_operation_recorded)]
