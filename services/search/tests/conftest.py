"""Fixtures: a live search service on a fresh database, with its embedded index in a temporary directory."""

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from search.indexing.consumers import apply
from search.indexing.documents import patient_document
from search.main import create_app
from search.settings import get_settings
from tbms_contracts.patients import PatientSnapshot
from tbms_testing import service_client


@pytest.fixture(scope="session")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The search API, in-process, against real PostgreSQL and NATS; never the developer's own index."""
    index_dir = tmp_path_factory.mktemp("search-index")

    def create_test_app() -> FastAPI:
        os.environ["TBMS_SEARCH_INDEX_DIR"] = str(index_dir)
        for name in ("TBMS_SEARCH_MEILI_URL", "MEILI_URL"):
            os.environ.pop(name, None)
        get_settings.cache_clear()
        return create_app()

    async with service_client("search", create_test_app) as api:
        yield api


@pytest.fixture
def index_patient(client: httpx.AsyncClient) -> Callable[..., Awaitable[PatientSnapshot]]:
    """Indexes a synthetic patient through the consumer's code path (ledger + engine), without NATS."""

    async def index(name: str = "試験 太郎", kana: str = "シケン タロウ", **fields: object) -> PatientSnapshot:
        values: dict = {
            "id": str(uuid.uuid4()),
            "version": 1,
            "registration_no": f"8{uuid.uuid4().int % 10**8:08d}",
            "registered_on": date(2026, 11, 1),
            "category": "patient",
            "name": name,
            "name_kana": kana,
            "sex": "female",
            "birth_date": date(1970, 3, 1),
        }
        snapshot = PatientSnapshot(**(values | fields))
        app = client.app  # type: ignore[attr-defined]
        async with app.state.db.session() as session:
            await apply(session, app.state.engine, patient_document(snapshot))
        return snapshot

    return index
