"""予定 against a fake workflow (R11, R17): the home page counts, the list with what is overdue, and the actions
with their checks."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest
import respx
from tbms_core.clock import JST, frozen_at

from ...conftest import WORKFLOW, FakeKeycloakType, Login, csrf_token, text_of, with_roles

TODO_ID = "3f0c1d2e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=JST)


def todo(**changes: Any) -> dict[str, Any]:
    """A to-do as workflow answers it: a sputum test two days overdue."""
    return {
        "id": TODO_ID, "version": 3, "key": "patients:patient:p1:sputum_test_overdue:0", "kind": "sputum_test_overdue",
        "rule": "治療中の肺結核で喀痰検査が2か月ない", "what": "喀痰検査（塗抹・培養）を行う", "due_on": "2026-12-01",
        "severity": "warning", "nurse": "nurse1", "team": "世田谷", "service": "patients", "aggregate": "patient",
        "record_id": "p1", "record_label": "2026-00012 試験 太郎", "status": "open", "snoozed_until": None,
        "assignee_id": "", "assignee_name": "", "reason": "", "closed_at": None, **changes,
    }  # fmt: skip


@pytest.fixture
def workflow(backends: respx.MockRouter) -> respx.MockRouter:
    """workflow answering one overdue to-do."""
    backends.get(f"{WORKFLOW}/todos", name="todos").mock(
        return_value=httpx.Response(200, json={"items": [todo()], "total": 1})
    )
    backends.get(f"{WORKFLOW}/todos/counts/mine", name="my_counts").mock(
        return_value=httpx.Response(200, json={"overdue": 1, "today": 1, "week": 1, "open": 3})
    )
    backends.get(f"{WORKFLOW}/todos/counts").mock(
        return_value=httpx.Response(200, json=[{"team": "世田谷", "overdue": 1, "today": 0, "week": 2, "open": 5}])
    )
    return backends


@pytest.mark.req("R17", partial=True)
async def test_the_home_page_counts_my_overdue_today_and_this_week(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter,
    no_last_login: respx.Route,
) -> None:  # fmt: skip
    with_roles(keycloak, ["patients:update"])
    await login(client)
    page = text_of((await client.get("/")).text)
    assert "自分の予定 期限切れ 1件 今日まで 1件 1週間以内 1件" in page


@pytest.mark.req("R11", partial=True)
async def test_the_list_says_how_late_each_to_do_is_and_links_its_record(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    with_roles(keycloak, ["patients:update"])
    await login(client)
    with frozen_at(NOW):
        response = await client.get("/todos", params={"scope": "team", "due": "overdue"})
    page = text_of(response.text)
    assert (
        "令和8年12月1日 2日超過 喀痰検査（塗抹・培養）を行う 治療中の肺結核で喀痰検査が2か月ない 2026-00012 試験 太郎"
        in page
    )
    assert "世田谷 1 0 2 5" in page  # the counts per team
    assert 'href="/patients/p1"' in response.text
    asked = workflow["todos"].calls[-1].request.url.params
    assert (asked["scope"], asked["due"]) == ("team", "overdue")


@pytest.mark.req("R17", partial=True)
async def test_a_requests_reply_by_links_the_request_and_every_to_do_can_be_handed_over(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    reply = todo(id="9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", kind="request_reply", service="contacts",
                 aggregate="request", record_id="r1", record_label="他自治体への依頼 試験市保健所",
                 what="試験市保健所からの回答を確認する（回答期限 令和8年12月1日）")  # fmt: skip
    workflow.routes["todos"].mock(return_value=httpx.Response(200, json={"items": [reply], "total": 1}))
    with_roles(keycloak, ["contacts:update"])
    await login(client)
    response = await client.get("/todos")
    assert '<a href="/requests/r1">他自治体への依頼 試験市保健所</a>' in response.text
    assert f'href="/todos/{reply["id"]}/reassign?scope=mine&amp;due=all"' in response.text


@pytest.mark.req("R17", partial=True)
async def test_done_snooze_and_dismiss_send_the_version_and_check_their_input(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    done = workflow.post(f"{WORKFLOW}/todos/{TODO_ID}/done").mock(return_value=httpx.Response(200, json=todo()))
    snooze = workflow.post(f"{WORKFLOW}/todos/{TODO_ID}/snooze").mock(return_value=httpx.Response(200, json=todo()))
    with_roles(keycloak, ["patients:update"])
    await login(client)
    token = csrf_token((await client.get("/todos")).text)
    base = {"csrf_token": token, "version": "3", "scope": "mine", "due": "all"}
    saved = await client.post(f"/todos/{TODO_ID}/done", data=base)
    assert saved.status_code == 303 and saved.headers["location"] == "/todos?scope=mine&due=all&done=done"
    assert json.loads(done.calls[0].request.content) == {"version": 3}
    with frozen_at(NOW):
        past = await client.post(f"/todos/{TODO_ID}/snooze", data={**base, "until": "R8.12.3"})
        assert past.status_code == 422 and "延期する日は明日以降の日付にしてください。" in past.text
        later = await client.post(f"/todos/{TODO_ID}/snooze", data={**base, "until": "R8.12.10"})
    assert later.status_code == 303
    assert json.loads(snooze.calls[0].request.content) == {"version": 3, "until": "2026-12-10"}
    refused = await client.post(f"/todos/{TODO_ID}/dismiss", data={**base, "reason": " "})
    assert refused.status_code == 422 and "対象外にする理由を入力してください。" in refused.text


async def test_a_stale_to_do_is_told_to_reopen(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, workflow: respx.MockRouter
) -> None:
    workflow.post(f"{WORKFLOW}/todos/{TODO_ID}/done").mock(
        return_value=httpx.Response(409, json={"detail": "このデータは他の利用者によって更新されています。"})
    )
    with_roles(keycloak, ["patients:update"])
    await login(client)
    token = csrf_token((await client.get("/todos")).text)
    refused = await client.post(f"/todos/{TODO_ID}/done", data={"csrf_token": token, "version": "2"})
    assert refused.status_code == 422 and "このデータは他の利用者によって更新されています。" in refused.text


@pytest.mark.req("R17", partial=True)
async def test_a_contacts_screening_to_do_is_listed_with_its_rule_and_links_the_contact(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    contact_id = "7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"
    screening = todo(
        key=f"contacts:contact:{contact_id}:screening_igra:after_window", kind="screening_igra",
        rule="最終接触日（令和8年10月8日）から8週後（接触者健診の手引き）", what="接触者健診のIGRAを実施する",
        due_on="2026-12-03", service="contacts", aggregate="contact", record_id=contact_id, record_label="試験 三郎",
    )  # fmt: skip
    backends.get(f"{WORKFLOW}/todos").mock(return_value=httpx.Response(200, json={"items": [screening], "total": 1}))
    backends.get(f"{WORKFLOW}/todos/counts").mock(return_value=httpx.Response(200, json=[]))
    with_roles(keycloak, ["contacts:update"])
    await login(client)
    with frozen_at(NOW):
        response = await client.get("/todos", params={"scope": "mine", "due": "today"})
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    assert "接触者健診のIGRAを実施する 最終接触日（令和8年10月8日）から8週後（接触者健診の手引き） 試験 三郎" in page
    assert f'href="/contacts/{contact_id}"' in response.text
