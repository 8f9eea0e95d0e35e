"""Fixtures: a live patients service on a fresh database, and a builder of registered patients."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from patients.main import create_app
from tbms_testing import auth_headers, service_client

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
PATIENT = {
    "name": "試験 太郎",
    "name_kana": "ｼｹﾝ ﾀﾛｳ",
    "sex": "male",
    "birth_date": "S45.3.1",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町1-2-3",
    "district": "世田谷",
}


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The patients API, in-process, against real PostgreSQL and NATS."""
    async with service_client("patients", create_app) as api:
        yield api


@pytest.fixture
def make_patient(client: httpx.AsyncClient) -> MakePatient:
    """Registers a synthetic patient as nurse1 and returns it."""

    async def _make(**changes: str) -> dict[str, Any]:
        response = await client.post("/patients", json={**PATIENT, **changes}, headers=auth_headers("nurse1"))
        assert response.status_code == 201, response.text
        return response.json()

    return _make
