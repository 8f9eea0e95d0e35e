"""A record's circulations on its own page (R10, R16), against this code's workflow service (its own process on a
fresh database, see conftest): the patient page and the contact page list each 回議・供覧 of the record with its
state, its stamp boxes (names and dates of the steps decided, 決裁待ち and 未決裁 elsewhere) and "changed since
approval" with the changed fields once the owning service publishes a newer version; the page opens without them
while workflow is down; axe finds nothing on the patient page showing them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish

from ...chromium import look
from ...conftest import (
    PATIENT_ID,
    FakeKeycloakType,
    Login,
    logged_in_chromium,
    mock_patient_page,
    text_of,
    with_roles,
)
from ..contacts.conftest import CONTACT_ID, mock_contact


async def submit(api: httpx.AsyncClient, service: str, kind: str, record_id: str, title: str, **more: Any) -> dict:
    """Puts a record into circulation as nurse1 (her 担当 box is stamped on submission)."""
    body = {"kind": "decision", "document_type": kind, "service": service, "record_kind": kind,
            "record_id": record_id, "record_version": 1, "title": title, **more}  # fmt: skip
    response = await api.post("/circulations", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


async def decide(api: httpx.AsyncClient, circulation: dict[str, Any], verb: str) -> dict[str, Any]:
    """A decision of chief1 (係長; 代決 for 課長 and 所長, as the default route allows)."""
    response = await api.post(
        f"/circulations/{circulation['id']}/{verb}",
        json={"version": circulation["version"]},
        headers=auth_headers("chief1"),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def approved_and_changed(api: httpx.AsyncClient, record_id: str) -> dict[str, Any]:
    """An approved 回議 of the patient whose record then changed (patients publishes version 2, 住所 changed)."""
    circulation = await submit(api, "patients", "patient", record_id, "患者の記録 決裁済み")
    for verb in ("approve", "on-behalf", "on-behalf"):
        circulation = await decide(api, circulation, verb)
    assert circulation["status"] == "approved"
    updated = patient_event(uuid.UUID(record_id), 2, "試験 太郎")
    await publish(updated.model_copy(update={"payload": {**updated.payload, "changed_fields": ["address"]}}))

    async def changed() -> dict[str, Any] | None:
        found = await api.get(f"/circulations/{circulation['id']}", headers=auth_headers("nurse1"))
        return found.json() if found.json()["changed_since_approval"] else None

    return await wait_for(changed)  # type: ignore[return-value]


@pytest.mark.req("R10", partial=True)
async def test_the_patient_page_shows_its_circulations_with_their_stamps_and_a_change_since_approval(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter,
    real_workflow: httpx.AsyncClient,
) -> None:  # fmt: skip
    mock_patient_page(backends)
    with_roles(keycloak, ["patients:update"])
    await login(client)
    empty = text_of((await client.get(f"/patients/{PATIENT_ID}")).text)
    assert "この記録はまだ回議・供覧に出されていません。" in empty

    await approved_and_changed(real_workflow, PATIENT_ID)
    await submit(real_workflow, "patients", "patient", PATIENT_ID, "患者の記録 回議中")
    page = text_of((await client.get(f"/patients/{PATIENT_ID}")).text)
    section = page[page.index("回議・供覧 この患者の記録") :]
    pending, approved = section.index("患者の記録 回議中"), section.index("患者の記録 決裁済み")
    assert pending < approved  # newest first
    assert "回議（決裁）・回議中（現在: 係長）・起案 試験 花子・版 1" in section
    assert "担当 係長 課長 所長 試験 花子" in section[pending:approved]
    assert "決裁待ち 未決裁 未決裁" in section[pending:approved]
    stamped = section[approved:]
    assert "回議（決裁）・決裁済み（決裁 令和" in stamped
    assert "決裁後に記録が変更されています （版 1 → 2・変更された項目: 住所）" in stamped
    assert stamped.count("代決 検証 一郎") == 2, stamped  # 課長 and 所長 decided on their behalf by the 係長
    assert "未決裁" not in stamped.split("この記録を回議・供覧に出す")[0]


@pytest.mark.req("R16", partial=True)
async def test_the_contact_page_shows_the_contacts_circulations(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter,
    real_workflow: httpx.AsyncClient,
) -> None:  # fmt: skip
    mock_contact(backends)
    await submit(real_workflow, "contacts", "contact", CONTACT_ID, "接触者の記録 試験 花子")
    await submit(real_workflow, "contacts", "contact", str(uuid.uuid4()), "別の接触者の記録")
    with_roles(keycloak, ["contacts:update"])
    await login(client)
    page = text_of((await client.get(f"/contacts/{CONTACT_ID}")).text)
    assert "接触者の記録 試験 花子 ：回議（決裁）・回議中（現在: 係長）・起案 試験 花子" in page
    assert "担当 係長 課長 所長 試験 花子" in page and "決裁待ち 未決裁 未決裁" in page
    assert "別の接触者の記録" not in page


@pytest.mark.req("R10", partial=True)
async def test_the_record_page_opens_without_its_circulations_while_workflow_is_down(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    mock_patient_page(backends)
    backends.routes["record-circulations"].mock(return_value=httpx.Response(503))
    with_roles(keycloak, ["patients:update"])
    await login(client)
    response = await client.get(f"/patients/{PATIENT_ID}")
    assert response.status_code == 200
    assert "回議・供覧の状況を読み込めませんでした。" in text_of(response.text)


@pytest.mark.req("R10", partial=True)
async def test_the_patient_page_with_its_circulations_passes_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings,
    real_workflow: httpx.AsyncClient,
) -> None:  # fmt: skip
    mock_patient_page(backends)
    await submit(real_workflow, "patients", "patient", PATIENT_ID, "患者の記録 axe")
    settings.public_url = served
    async with logged_in_chromium(served, login, f"/patients/{PATIENT_ID}#circulation-title") as browser:
        shown = await browser.run("return document.querySelector('main').textContent;")
        assert "患者の記録 axe" in shown
        assert await look(browser, shots, "patient-circulations") == []
