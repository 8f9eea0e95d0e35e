"""Fixtures: a live contacts service on a fresh database."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import httpx
import pytest
from contacts.index_case.repository import IndexCaseRepository
from contacts.main import create_app
from sqlalchemy import text
from tbms_testing import service_client

Claimed = Callable[[uuid.UUID], Awaitable[bool]]


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The contacts API, in-process, against real PostgreSQL and NATS."""
    async with service_client("contacts", create_app) as api:
        yield api


@pytest.fixture(scope="session")
def claimed(client: httpx.AsyncClient) -> Claimed:
    """True once a consumer of the service has taken an event into its inbox (applied or skipped)."""

    async def _claimed(event_id: uuid.UUID) -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return bool(found)

    return _claimed


MakeIndexCase = Callable[..., Awaitable[uuid.UUID]]


@pytest.fixture
def make_index_case(client: httpx.AsyncClient) -> MakeIndexCase:
    """Stores a synthetic index patient in the read model, as the patients service's event would."""

    async def _make(
        name: str = "試験 発端",
        district: str = "世田谷",
        *,
        name_kana: str = "シケン ホッタン",
        birth_date: date = date(1970, 3, 1),
        status: str = "active",
    ) -> uuid.UUID:
        patient_id = uuid.uuid4()
        fields = {
            "version": 1,
            "registration_no": f"9{patient_id.int % 10**8:08d}",
            "name": name,
            "name_kana": name_kana,
            "birth_date": birth_date,
            "district": district,
            "status": status,
        }
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            await IndexCaseRepository(session).apply(patient_id, fields)
        return patient_id

    return _make
