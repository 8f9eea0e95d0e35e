"""patients' 診査会 answers as the real service gave them (board_api.json: recorded from the patients API run
in-process on a fresh database on 2026-12-03, synthetic people only), masters' board members and 公費負担者番号
(synthetic rows), and a user with 診査会・公費 更新.

The recording: two applications received 2026-08-31 (診査 花子, 37条の2 新規) and 2026-09-01 (診査 次郎, 20条
入院勧告 from 2026-08-30), put on the session of 2026-11-10 14:00; the first approved with 受給者番号 0000018."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from tbms_core.clock import frozen_at, jst

from ...conftest import MASTERS, NURSE_ROLES, PATIENTS, FakeKeycloakType, Login, with_roles

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "board_api.json").read_text(encoding="utf-8"))
PATIENT = RECORDED["patient"]
SESSION_ID = RECORDED["session_created"]["id"]
FIRST, SECOND = (c["id"] for c in RECORDED["session_two"]["cases"])
PAYER = RECORDED["payer"]
BOARD_ROLES = [*NURSE_ROLES, "review:update"]
MEMBERS = [
    {"code": "M01", "name": "委員 一郎", "data": {"role": "chair"}},
    {"code": "M02", "name": "委員 二郎", "data": {"role": "member"}},
]
PAYERS = [
    {"code": PAYER, "name": "東京都（37条の2）", "data": {"law": "10"}},
    {"code": "11131011", "name": "東京都（37条）", "data": {"law": "11"}},
]


def recorded(name: str) -> Any:
    """A deep copy of one recorded answer."""
    return copy.deepcopy(RECORDED[name])


def answer(name: str, status: int = 200) -> httpx.Response:
    """A recorded answer of patients."""
    return httpx.Response(status, json=recorded(name))


@pytest.fixture(autouse=True)
def on_the_recording_day() -> Iterator[None]:
    """The clock on the day the answers were recorded."""
    with frozen_at(jst(2026, 12, 3, 10)):
        yield


def mock_board(backends: respx.MockRouter, session: str = "session_two") -> dict[str, respx.Route]:
    """patients and masters answer the 診査会 pages."""
    backends.get(f"{MASTERS}/masters/board_member").mock(
        return_value=httpx.Response(200, json={"items": MEMBERS, "total": 2})
    )
    backends.get(f"{MASTERS}/masters/payer_number").mock(
        return_value=httpx.Response(200, json={"items": PAYERS, "total": 2})
    )
    return {
        "worklist": backends.get(f"{PATIENTS}/board/worklist").mock(return_value=answer("worklist_during")),
        "sessions": backends.get(f"{PATIENTS}/board/sessions").mock(return_value=answer("sessions")),
        "session": backends.get(f"{PATIENTS}/board/sessions/{SESSION_ID}").mock(return_value=answer(session)),
        "case": backends.get(f"{PATIENTS}/board/cases/{FIRST}").mock(return_value=answer("case_undecided")),
        "rules": backends.get(f"{PATIENTS}/board/rules").mock(return_value=answer("rules")),
        "numbers": backends.get(f"{PATIENTS}/board/numbers").mock(return_value=answer("numbers")),
        "patient": backends.get(f"{PATIENTS}/patients/{PATIENT['id']}").mock(
            return_value=httpx.Response(200, json=PATIENT)
        ),
        "patient_board": backends.get(f"{PATIENTS}/patients/{PATIENT['id']}/board").mock(
            return_value=answer("patient_board")
        ),
    }


@pytest.fixture
async def clerk(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> httpx.AsyncClient:
    """A logged-in user with 診査会・公費 更新."""
    with_roles(keycloak, BOARD_ROLES)
    await login(client)
    return client
