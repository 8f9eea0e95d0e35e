"""The 管理検診 and 行動調査 pages in front of the real patients service of this code (its own process, on a fresh
migrated database: the stack's patients service runs the released code, without these endpoints), with synthetic
patients registered through its API as nurse1."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from tbms_testing import auth_headers
from tbms_testing.services import service_process

from ...conftest import Login

KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
MakePatient = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(scope="module")
async def patients_api() -> AsyncIterator[httpx.AsyncClient]:
    """This code's patients service in its own process on a fresh database (replaces the stack's for these tests)."""
    async with service_process("patients", f"tbms_patients_gw{os.getpid()}") as api:
        yield api


@pytest.fixture(autouse=True)
def reach_the_service(backends: respx.MockRouter, patients_api: httpx.AsyncClient) -> Iterator[None]:
    """The gateway's fake back ends let the calls to this patients process through."""
    backends.route(host="127.0.0.1", port=patients_api.port).pass_through()  # type: ignore[attr-defined]
    yield


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, real_patients: httpx.AsyncClient) -> httpx.AsyncClient:
    """A logged-in nurse's browser in front of the real patients service."""
    await login(client)
    return client


@pytest.fixture
def make_patient(patients_api: httpx.AsyncClient) -> MakePatient:
    """Registers a synthetic patient through the patients API; `ended_on` also saves its follow-up plan."""

    async def _make(ended_on: str = "", **changes: Any) -> dict[str, Any]:
        suffix = "".join(random.choice(KATAKANA) for _ in range(4))
        body = {"name": f"見本 {suffix}", "name_kana": f"ミホン {suffix}", "sex": "female", "birth_date": "S52.4.1"}
        body |= {"category": "recovered", "district": "見本地区", **changes}
        response = await patients_api.post("/patients", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 201, response.text
        patient = response.json()
        if ended_on:
            plan = await patients_api.put(
                f"/patients/{patient['id']}/followup/plan", json={"ended_on": ended_on}, headers=auth_headers("nurse1")
            )
            assert plan.status_code == 200, plan.text
        return patient

    return _make
