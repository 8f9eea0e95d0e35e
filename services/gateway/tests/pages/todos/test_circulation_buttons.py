"""回議に付す・供覧に回す from the 診査会 session page and the 依頼・回答 page (R10, R16): each page lists its record's
circulations with their state and stamp boxes (linking to each one's history) and its buttons open the confirmation
with the record named and the kind chosen; a reader gets no buttons."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import respx

from ...conftest import WORKFLOW, FakeKeycloakType, Login, text_of, with_roles
from ..board.conftest import BOARD_ROLES, SESSION_ID, mock_board
from ..requests.conftest import mock_request, recorded
from .test_circulation_pages import CIRCULATION_ID, circulation


@pytest.fixture
async def clerk(client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType) -> httpx.AsyncClient:
    """A logged-in user with 診査会・公費 更新."""
    with_roles(keycloak, BOARD_ROLES)
    await login(client)
    return client


def buttons(html: str) -> dict[str, dict[str, str]]:
    """The 回議・供覧 buttons of a page: their label and the query each sends to the confirmation."""
    found = re.findall(r'<a class="button button--secondary" href="/circulations/new\?([^"]+)">([^<]+)</a>', html)
    return {label: {k: v[0] for k, v in parse_qs(urlparse("?" + q.replace("&amp;", "&")).query).items()}
            for q, label in found}  # fmt: skip


def record_circulation(service: str, record_kind: str, record_id: str, **changes: Any) -> dict[str, Any]:
    return circulation(service=service, record_kind=record_kind, record_id=record_id, document_type=record_kind,
                       **changes)  # fmt: skip


@pytest.mark.req("R10", partial=True)
async def test_the_session_page_circulates_the_session_and_shows_its_state(
    clerk: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_board(backends)
    listed = record_circulation("review", "board_session", SESSION_ID, title="診査会の記録", status="sent_back",
                                comment="出席者を確認してください。", current_step=None, current_role="")  # fmt: skip
    backends.routes["record-circulations"].mock(return_value=httpx.Response(200, json=[listed]))
    page = await clerk.get(f"/board/sessions/{SESSION_ID}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "診査会の記録 ：回議（決裁）・差戻し" in shown and "差戻しの理由：出席者を確認してください。" in shown
    assert f'href="/circulations/{CIRCULATION_ID}"' in page.text  # its history
    found = buttons(page.text)
    assert set(found) == {"回議に付す", "供覧に回す"}
    asked = found["回議に付す"]
    assert asked["service"] == "review" and asked["record_kind"] == "board_session" and asked["record_id"] == SESSION_ID
    assert asked["kind"] == "decision" and found["供覧に回す"]["kind"] == "reading" and asked["record_version"]
    calls = [str(c.request.url) for c in backends.routes["record-circulations"].calls]
    assert f"{WORKFLOW}/circulations/of/review/board_session/{SESSION_ID}" in calls

    confirm = await clerk.get("/circulations/new?" + "&".join(f"{k}={v}" for k, v in found["供覧に回す"].items()))
    assert re.search(r'id="new-kind-reading"[^>]*checked', confirm.text)


@pytest.mark.req("R16", partial=True)
async def test_the_request_page_circulates_the_request_and_shows_its_state(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    shown = recorded("request_answered")
    mock_request(backends, shown)
    page = await browser.get(f"/requests/{shown['id']}")
    assert page.status_code == 200
    assert "この記録はまだ回議・供覧に出されていません。" in text_of(page.text)
    found = buttons(page.text)
    assert found["回議に付す"]["service"] == "contacts" and found["回議に付す"]["record_kind"] == "request"
    assert found["回議に付す"]["record_id"] == shown["id"]
    assert found["回議に付す"]["record_version"] == str(shown["version"])
    assert found["回議に付す"]["title"].startswith(shown["direction_label"])

    approved = record_circulation("contacts", "request", shown["id"], title="依頼の記録", status="approved",
                                  approved_at="2026-12-03T02:00:00Z", current_step=None, current_role="")  # fmt: skip
    backends.routes["record-circulations"].mock(return_value=httpx.Response(200, json=[approved]))
    again = text_of((await browser.get(f"/requests/{shown['id']}")).text)
    assert "依頼の記録 ：回議（決裁）・決裁済み" in again
