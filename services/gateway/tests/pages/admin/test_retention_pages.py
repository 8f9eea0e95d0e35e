"""保存期間満了の削除 (N17): the setting with its basis, the due list, a deletion with its reason, refusals beside
their fields, the past deletions; 監査 readers see but cannot delete; others cannot open it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import PATIENTS, FakeKeycloakType, Login, csrf_token, logged_in_chromium, text_of, with_roles

PATIENT_ID = "5b0c7d1e-0000-4000-8000-000000000017"
BASIS = "感染症法施行規則第27条の8第3項: 登録の必要がなくなった日（登録除外日）から2年間保存する。"


def due() -> dict[str, Any]:
    return {
        "today": "2026-03-01",
        "rule": {"years": 2, "legal_years": 2, "basis": BASIS, "confirmed": True},
        "due": [
            {
                "patient_id": PATIENT_ID,
                "registration_no": "2023-00017",
                "excluded_on": "2024-01-10",
                "exclusion_reason": "other",
                "expires_on": "2026-01-11",
            }
        ],
    }


DELETION = {
    "id": "5b0c7d1e-0000-4000-8000-0000000000d1",
    "patient_id": "5b0c7d1e-0000-4000-8000-000000000016",
    "registration_no": "2023-00016",
    "excluded_on": "2023-12-01",
    "deleted_on": "2026-02-01",
    "deleted_at": "2026-02-01T01:00:00Z",
    "deleted_by": "admin-id",
    "deleted_by_name": "試験 管理者",
    "reason": "保存期間満了（2月分）",
    "retention_years": 2,
    "rows_deleted": 12,
}


@pytest.fixture
def patients(backends: respx.MockRouter) -> respx.MockRouter:
    backends.get(f"{PATIENTS}/retention/due").mock(return_value=httpx.Response(200, json=due()))
    backends.get(f"{PATIENTS}/retention/deletions").mock(return_value=httpx.Response(200, json=[DELETION]))
    return backends


@pytest.mark.req("N17", partial=True)
async def test_the_setting_its_basis_the_due_list_and_past_deletions_are_shown(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, patients: respx.MockRouter
) -> None:
    with_roles(keycloak, ["audit:read"])
    await login(client)
    page = text_of((await client.get("/admin/retention")).text)
    assert "登録除外後の保存期間 2年（法令の定め 2年）" in page and BASIS in page
    assert "2023-00017 令和6年1月10日（2024年1月10日）" in page
    assert "2023-00016" in page and "保存期間満了（2月分）" in page and "試験 管理者" in page
    assert "選んだ登録を削除する" not in page  # a reader cannot delete


@pytest.mark.req("N17", partial=True)
async def test_a_deletion_needs_a_choice_and_a_reason_and_is_sent(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, patients: respx.MockRouter
) -> None:
    route = patients.post(f"{PATIENTS}/retention/deletions").mock(return_value=httpx.Response(201, json=[DELETION]))
    with_roles(keycloak, ["audit:update"])
    await login(client)
    page = await client.get("/admin/retention")
    token = csrf_token(page.text)
    refused = await client.post("/admin/retention", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and not route.called
    assert 'id="retention-due-error"' in refused.text and 'id="retention-reason-error"' in refused.text
    form = {"csrf_token": token, "patient_ids": PATIENT_ID, "reason": "保存期間満了（3月分）"}
    done = await client.post("/admin/retention", data=form)
    assert done.status_code == 303 and done.headers["location"] == "/admin/retention?done=1"
    assert json.loads(route.calls.last.request.content) == {
        "patient_ids": [PATIENT_ID],
        "reason": "保存期間満了（3月分）",
    }


async def test_a_refusal_of_the_service_is_shown_and_the_choice_kept(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, patients: respx.MockRouter
) -> None:
    message = "保存期間が満了していない、または見つからない登録があります（1件）。"
    answer = {"detail": "入力内容に誤りがあります。", "errors": {"patient_ids": message}}
    patients.post(f"{PATIENTS}/retention/deletions").mock(return_value=httpx.Response(422, json=answer))
    with_roles(keycloak, ["audit:update"])
    await login(client)
    token = csrf_token((await client.get("/admin/retention")).text)
    form = {"csrf_token": token, "patient_ids": PATIENT_ID, "reason": "保存期間満了"}
    refused = await client.post("/admin/retention", data=form)
    assert refused.status_code == 422 and message in refused.text and "何も削除していません" in refused.text
    assert f'value="{PATIENT_ID}" checked' in refused.text and 'value="保存期間満了"' in refused.text


async def test_without_audit_access_it_does_not_open(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, patients: respx.MockRouter
) -> None:
    with_roles(keycloak, ["patients:update"])
    await login(client)
    assert (await client.get("/admin/retention")).status_code == 403


@pytest.mark.req("N17", partial=True)
async def test_the_page_and_its_refusal_pass_axe_in_chromium(
    served: str,
    login: Login,
    keycloak: FakeKeycloakType,
    patients: respx.MockRouter,
    shots: Path,
    settings: Settings,
) -> None:
    with_roles(keycloak, ["audit:update"])
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/admin/retention") as browser:
        found["page"] = await look(browser, shots, "retention")
        await browser.run("document.querySelector('form[action=\"/admin/retention\"] button[type=submit]').click();")
        await browser.wait_for("document.getElementById('error-summary') !== null")
        found["refused"] = await look(browser, shots, "retention-refused")
    assert found == {page: [] for page in found}, found
