"""The patient list pages in front of the real patients service of this code (its own process on a fresh migrated
database: the stack's patients service runs the released code, without the list's sorting and filters), with
synthetic patients registered through its API as nurse1."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from tbms_testing import auth_headers
from tbms_testing.services import service_process

from ...conftest import Login

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def patients_api() -> AsyncIterator[httpx.AsyncClient]:
    """This code's patients service in its own process on a fresh database (replaces the stack's for these tests)."""
    async with service_process("patients", f"tbms_patients_list{os.getpid()}") as api:
        yield api


@pytest.fixture(autouse=True)
def reach_the_service(backends: respx.MockRouter, patients_api: httpx.AsyncClient) -> Iterator[None]:
    """The gateway's fake back ends let the calls to this patients process through."""
    backends.route(host="127.0.0.1", port=patients_api.port).pass_through()  # type: ignore[attr-defined]
    backends.pop("nurse-loads")  # the real service answers the 担当保健師 counts
    yield


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, real_patients: httpx.AsyncClient) -> httpx.AsyncClient:
    """A logged-in nurse's browser in front of the real patients service."""
    await login(client)
    return client


@pytest.fixture
def district() -> str:
    """A district of this test alone (the module's patients share one database)."""
    return f"見本{uuid.uuid4().hex[:6]}"


@pytest.fixture
def make_patient(patients_api: httpx.AsyncClient) -> MakePatient:
    """Registers a synthetic patient through the patients API."""

    async def _make(**changes: Any) -> dict[str, Any]:
        body = {"name": "見本 花子", "name_kana": "ミホン ハナコ", "sex": "female", "birth_date": "S52.4.1", **changes}
        response = await patients_api.post("/patients", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 201, response.text
        return response.json()

    return _make
