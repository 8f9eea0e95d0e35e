"""回議・供覧 against a fake workflow (R10, R16): the inbox, a circulation's stamp boxes with 「未決裁」, decisions
sent with the version, a refusal shown, and putting a record into circulation."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from ...conftest import WORKFLOW, FakeKeycloakType, Login, csrf_token, text_of, with_roles

CIRCULATION_ID = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def circulation(**changes: Any) -> dict[str, Any]:
    """A 回議 of an F03 document, stamped by the drafter and waiting for the 係長."""
    steps = [
        {"role": "担当", "on_behalf_by": [], "decided_by": "u-n", "decided_by_name": "試験 花子",
         "decided_at": "2026-12-03T01:00:00Z", "on_behalf": False},
        {"role": "係長", "on_behalf_by": [], "decided_by": "", "decided_by_name": "", "decided_at": None,
         "on_behalf": False},
        {"role": "課長", "on_behalf_by": ["係長"], "decided_by": "", "decided_by_name": "", "decided_at": None,
         "on_behalf": False},
    ]  # fmt: skip
    return {
        "id": CIRCULATION_ID, "version": 2, "kind": "decision", "document_type": "F03", "service": "reports",
        "record_kind": "document", "record_id": "d1", "record_version": 1, "title": "結核登録票 2026-00012",
        "drafter_id": "u-n", "drafter_name": "試験 花子", "status": "in_progress", "current_step": 1,
        "current_role": "係長", "comment": "", "teams": [], "steps": steps, "approved_at": None,
        "changed_since_approval": False, "actions": [
            {"at": "2026-12-03T01:00:00Z", "action": "submitted", "actor_id": "u-n", "actor_name": "試験 花子",
             "step": 0, "role": "担当", "comment": "", "record_version": 1}
        ], "readers": [], **changes,
    }  # fmt: skip


@pytest.fixture
def workflow(backends: respx.MockRouter) -> respx.MockRouter:
    """workflow answering the inbox and one circulation."""
    inbox = {"waiting": [circulation()], "sent": [], "sent_back": [], "to_read": [], "badge": 1}
    backends.get(f"{WORKFLOW}/circulations/inbox").mock(return_value=httpx.Response(200, json=inbox))
    backends.get(f"{WORKFLOW}/circulations/{CIRCULATION_ID}").mock(return_value=httpx.Response(200, json=circulation()))
    return backends


@pytest.mark.req("R10", partial=True)
async def test_the_inbox_and_the_stamp_boxes_say_what_is_decided_and_what_is_not(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    with_roles(keycloak, ["patients:update", "audit:read"])
    await login(client)
    inbox = text_of((await client.get("/circulations")).text)
    assert "決裁待ち（1件） 結核登録票 2026-00012 回議（決裁）・回議中・現在: 係長・起案 試験 花子" in inbox
    page = text_of((await client.get(f"/circulations/{CIRCULATION_ID}")).text)
    assert "担当 係長 課長 試験 花子 令和8年12月3日 10:00 決裁待ち 未決裁" in page


@pytest.mark.req("R10", partial=True)
async def test_a_decision_is_sent_with_the_version_and_a_refusal_is_shown(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    approve = workflow.post(f"{WORKFLOW}/circulations/{CIRCULATION_ID}/approve").mock(
        return_value=httpx.Response(200, json=circulation(version=3))
    )
    workflow.post(f"{WORKFLOW}/circulations/{CIRCULATION_ID}/send-back").mock(
        return_value=httpx.Response(
            422, json={"detail": "x", "errors": {"comment": "差し戻す理由を入力してください。"}}
        )
    )
    with_roles(keycloak, ["patients:update", "audit:read"])
    await login(client)
    token = csrf_token((await client.get(f"/circulations/{CIRCULATION_ID}")).text)
    done = await client.post(f"/circulations/{CIRCULATION_ID}/approve", data={"csrf_token": token, "version": "2"})
    assert done.status_code == 303 and done.headers["location"].endswith("?done=approve")
    assert json.loads(approve.calls[0].request.content) == {"version": 2, "comment": ""}
    refused = await client.post(f"/circulations/{CIRCULATION_ID}/send-back", data={"csrf_token": token, "version": "2"})
    assert refused.status_code == 422 and "差し戻す理由を入力してください。" in refused.text


@pytest.mark.req("R16", partial=True)
async def test_a_record_is_put_into_circulation(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    created = workflow.post(f"{WORKFLOW}/circulations").mock(return_value=httpx.Response(201, json=circulation()))
    with_roles(keycloak, ["contacts:update"])
    await login(client)
    query = {"service": "contacts", "record_kind": "contact", "record_id": "c1", "record_version": "4",
             "title": "接触者 試験 次郎", "document_type": "contact"}  # fmt: skip
    page = await client.get("/circulations/new", params=query)
    form = {**query, "csrf_token": csrf_token(page.text), "kind": "reading", "teams": "世田谷、北沢"}
    done = await client.post("/circulations", data=form)
    assert done.status_code == 303 and done.headers["location"] == f"/circulations/{CIRCULATION_ID}?done=submitted"
    sent = json.loads(created.calls[0].request.content)
    assert (sent["kind"], sent["record_version"], sent["teams"]) == ("reading", 4, ["世田谷", "北沢"])
