"""Fixtures: a live workflow service on a fresh database, and the deadlines events the records publish."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.deadlines import Deadline, DeadlineRecord, DeadlinesChanged, deadlines_subject
from tbms_core import clock
from tbms_core.events import Envelope
from tbms_testing import service_client
from workflow.main import create_app

Claimed = Callable[[uuid.UUID], Awaitable[bool]]


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The workflow API, in-process, against real PostgreSQL and NATS."""
    async with service_client("workflow", create_app) as api:
        yield api


@pytest.fixture(scope="session")
def claimed(client: httpx.AsyncClient) -> Claimed:
    """True once every consumer of the event has taken it into its inbox (applied or skipped)."""

    async def _claimed(event_id: uuid.UUID, consumers: int = 1) -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return int(found or 0) >= consumers

    return _claimed


def _deadline(patient_id: uuid.UUID, kind: str, due_on: date, *, team: str = "世田谷", nurse: str = "") -> Deadline:
    """A deadline of a synthetic patient, keyed by the rule as the patients service keys them."""
    return Deadline(
        key=f"patients:patient:{patient_id}:{kind}:1",
        kind=kind,
        rule="試験用の規則",
        what=f"{kind} を対応してください。",
        due_on=due_on,
        nurse=nurse,
        team=team,
        record=DeadlineRecord(service="patients", aggregate="patient", id=str(patient_id), label="試験 患者"),
    )


def _snapshot(
    record_id: uuid.UUID, revision: int, *deadlines: Deadline, service: str = "patients", aggregate: str = "patient"
) -> Envelope:
    """The DeadlinesChanged event of this revision of a record's deadlines, as the owning service publishes it."""
    record = DeadlineRecord(service=service, aggregate=aggregate, id=str(record_id), label="試験 期限")
    change = DeadlinesChanged(record=record, revision=revision, deadlines=list(deadlines))
    return Envelope(
        type=deadlines_subject(service),
        aggregate_id=str(record_id),
        aggregate_version=revision,
        payload=change.model_dump(mode="json"),
    )


MakeDeadline = Callable[..., Deadline]
MakeSnapshot = Callable[..., Envelope]


@pytest.fixture
def deadline() -> MakeDeadline:
    """Builds a deadline of a synthetic patient."""
    return _deadline


@pytest.fixture
def snapshot() -> MakeSnapshot:
    """Builds the deadlines event of a record."""
    return _snapshot


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """Every test starts and ends on the real clock."""
    clock.set_clock(None)
    yield
    clock.set_clock(None)
