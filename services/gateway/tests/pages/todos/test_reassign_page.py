"""Handing a to-do over to another member of staff (R17), against this code's workflow service (its own process on
a fresh database, see conftest): the page shows the to-do and the staff of マスタ管理, a missing choice is refused
beside the field with nothing changed, the chosen user then finds it in their own list, a stale version is
refused; axe finds nothing on the page, refused or not."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings
from tbms_contracts.deadlines import Deadline, DeadlineRecord, DeadlinesChanged, deadlines_subject
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

from ...chromium import look
from ...conftest import FakeKeycloakType, Login, csrf_token, logged_in_chromium, text_of, with_roles

STAFF = {"items": [
    {"data": {"nurse_username": "chief1", "nurse_name": "検証 一郎"}},
    {"data": {"nurse_username": "nurse1", "nurse_name": "試験 花子"}},
], "total": 2}  # fmt: skip


async def open_todo(api: httpx.AsyncClient) -> dict[str, Any]:
    """A to-do of nurse1: patients publishes a synthetic patient's deadline due today, workflow keeps it."""
    patient_id = str(uuid.uuid4())
    record = DeadlineRecord(service="patients", aggregate="patient", id=patient_id, label="2026-09999 見本 引継")
    deadline = Deadline(
        key=f"patients:patient:{patient_id}:sputum:1", kind="sputum", rule="喀痰検査が2か月ない",
        what="喀痰検査を行う", due_on=today(), nurse="nurse1", team="世田谷", record=record,
    )  # fmt: skip
    change = DeadlinesChanged(record=record, revision=1, deadlines=[deadline])
    await publish(Envelope(type=deadlines_subject("patients"), aggregate_id=patient_id, aggregate_version=1,
                           payload=change.model_dump(mode="json")))  # fmt: skip

    async def held() -> dict[str, Any] | None:
        found = await api.get("/todos", params={"scope": "mine", "limit": 500}, headers=auth_headers("nurse1"))
        return next((t for t in found.json()["items"] if t["record_id"] == patient_id), None)

    return await wait_for(held, timeout=30)  # type: ignore[return-value]


async def mine(api: httpx.AsyncClient, user: str, record_id: str) -> list[dict[str, Any]]:
    found = await api.get("/todos", params={"scope": "mine", "limit": 500}, headers=auth_headers(user))
    return [t for t in found.json()["items"] if t["record_id"] == record_id]


@pytest.mark.req("R17", partial=True)
async def test_a_to_do_is_handed_over_to_a_member_of_staff(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter,
    real_workflow: httpx.AsyncClient,
) -> None:  # fmt: skip
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
    todo = await open_todo(real_workflow)
    with_roles(keycloak, ["patients:update"])
    await login(client)
    path = f"/todos/{todo['id']}/reassign"
    page = await client.get(path, params={"scope": "team", "due": "today"})
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "作業 喀痰検査を行う" in shown and "いまの担当 nurse1（世田谷）" in shown
    assert "検証 一郎（chief1）" in shown and "試験 花子（nurse1）" in shown
    form = {"csrf_token": csrf_token(page.text), "version": str(todo["version"]), "scope": "team", "due": "today"}

    refused = await client.post(path, data={**form, "user_id": ""})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    beside = '<p class="field-error" id="reassign-user-error"><span class="visually-hidden">エラー：</span>'
    assert beside + "引き継ぐ職員を選んでください。</p>" in refused.text
    assert (await mine(real_workflow, "nurse1", todo["record_id"]))[0]["assignee_id"] == ""  # nothing changed

    moved = await client.post(path, data={**form, "user_id": "chief1"})
    assert moved.status_code == 303 and moved.headers["location"] == "/todos?scope=team&due=today&done=reassign"
    assert await mine(real_workflow, "nurse1", todo["record_id"]) == []
    (handed,) = await mine(real_workflow, "chief1", todo["record_id"])
    assert (handed["assignee_id"], handed["assignee_name"]) == ("chief1", "検証 一郎")

    stale = await client.post(path, data={**form, "user_id": "nurse1"})
    assert stale.status_code == 422 and "担当を変更できませんでした" in text_of(stale.text)
    assert await mine(real_workflow, "nurse1", todo["record_id"]) == []


@pytest.mark.req("R17", partial=True)
async def test_without_staff_in_the_masters_the_login_name_is_typed(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, real_workflow: httpx.AsyncClient
) -> None:
    todo = await open_todo(real_workflow)
    with_roles(keycloak, ["patients:update"])
    await login(client)
    shown = text_of((await client.get(f"/todos/{todo['id']}/reassign")).text)
    assert "引き継ぐ職員のログイン名を入力してください。" in shown
    assert (await client.get(f"/todos/{uuid.uuid4()}/reassign")).status_code == 404


@pytest.mark.req("R17", partial=True)
async def test_the_reassign_page_passes_axe_refused_or_not(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings,
    real_workflow: httpx.AsyncClient,
) -> None:  # fmt: skip
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
    todo = await open_todo(real_workflow)
    settings.public_url = served
    async with logged_in_chromium(served, login, f"/todos/{todo['id']}/reassign") as browser:
        assert await look(browser, shots, "todo-reassign") == []
        await browser.click("button[type=submit].button:not(.button--header)")
        await browser.wait_for("document.querySelector('#error-summary') !== null")
        assert await look(browser, shots, "todo-reassign-refused") == []
