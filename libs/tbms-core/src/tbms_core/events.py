"""The event envelope every tbms event travels in, and the JetStream streams that hold them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

STREAMS: dict[str, list[str]] = {
    "PATIENTS": ["tbms.patients.>"],
    "CONTACTS": ["tbms.contacts.>"],
    "REPORTS": ["tbms.reports.>"],
    "MASTERS": ["tbms.masters.>"],
    "IDENTITY": ["tbms.identity.>"],
    "SEARCH": ["tbms.search.>"],
    "WORKFLOW": ["tbms.workflow.>"],
    "AUDIT": ["tbms.audit.>"],
}
DUPLICATE_WINDOW_SECONDS = 120.0
RETENTION_SECONDS = 30 * 24 * 3600.0  # personal data in events: bounded; consumers rebuild by replay
# Events a consumer could not apply after its retries wait here, with their error, for an operator's replay.
PARKED_STREAM = "PARKED"
PARKED_SUBJECTS = ["tbms.parked.>"]
PARKED_RETENTION_DAYS = 365.0  # long enough for an operator to notice, fix and replay; still bounded


class Envelope(BaseModel):
    """What goes over NATS: identity, ordering and the payload of one domain event."""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    aggregate_id: str
    aggregate_version: int = 0
    actor: str = ""
    payload: dict[str, Any]

    @classmethod
    def of(cls, payload: BaseModel, *, aggregate_id: object, version: int = 0, actor: str = "") -> Envelope:
        """Wraps a payload (a contract with a `TYPE`) for publication."""
        return cls(
            type=payload.TYPE,  # type: ignore[attr-defined]
            aggregate_id=str(aggregate_id),
            aggregate_version=version,
            actor=actor,
            payload=payload.model_dump(mode="json"),
        )


def stream_of(subject: str) -> str:
    """The stream that stores a subject."""
    for name, subjects in {**STREAMS, PARKED_STREAM: PARKED_SUBJECTS}.items():
        if any(subject.startswith(s.removesuffix(">")) for s in subjects):
            return name
    raise ValueError(f"no stream holds {subject}")
