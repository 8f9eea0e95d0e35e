"""The 回議・供覧 badge in every page's header (R10, R16): how many items wait for the user and came back to them, in
words (not by colour alone), read again on each page load; a user without access to the records sees no badge."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from ...conftest import FakeKeycloakType, Login, with_roles


def badge_of(html: str) -> str:
    """The text of the header's badge ("" when there is none)."""
    found = re.search(r'<a class="inbox-badge[^"]*" id="inbox-badge"[^>]*>(.*?)</a>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


@pytest.mark.req("R10", partial=True)
@pytest.mark.req("R16", partial=True)
async def test_every_page_shows_the_count_waiting_for_me_and_sent_back_read_at_each_load(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    counts = [
        {"waiting": 2, "sent_back": 1, "to_read": 0, "badge": 3},
        {"waiting": 0, "sent_back": 1, "to_read": 2, "badge": 1},
    ]
    route = backends.routes["inbox-count"]
    route.side_effect = [httpx.Response(200, json=answer) for answer in counts]
    with_roles(keycloak, ["patients:update"])
    await login(client)
    before = route.call_count

    home = await client.get("/todos")
    assert badge_of(home.text) == "回議・供覧 要対応 3件 （決裁待ち 2件、差戻し 1件）"
    assert 'href="/circulations"' in home.text
    other = await client.get("/circulations/new")
    assert home.status_code == other.status_code == 200
    assert badge_of(other.text) == "回議・供覧 要対応 1件 （決裁待ち 0件、差戻し 1件） 未読の供覧 2件"
    assert route.call_count == before + 2  # one reading per page load


async def test_no_badge_when_workflow_cannot_say(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    backends.routes["inbox-count"].mock(return_value=httpx.Response(503, json={"detail": "停止中"}))
    with_roles(keycloak, ["patients:update"])
    await login(client)
    page = await client.get("/circulations/new")
    assert page.status_code == 200 and badge_of(page.text) == ""  # the page opens without the badge


async def test_a_user_without_records_access_sees_no_badge(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    with_roles(keycloak, ["masters:update"])
    await login(client)
    before = backends.routes["inbox-count"].call_count
    page = await client.get("/circulations/new")
    assert page.status_code == 200 and badge_of(page.text) == ""
    assert backends.routes["inbox-count"].call_count == before
