"""権限の見直し against a fake identity (N21): accounts with their reasons, a confirmation with its messages."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from ...conftest import IDENTITY, FakeKeycloakType, Login, csrf_token, text_of, with_roles

USER_ID = "6f1c2a9e-0d7b-4c55-9a1e-3b2d4c5e6f70"


def report(**line_changes: Any) -> dict[str, Any]:
    """identity's review with one dormant, over-privileged account."""
    line = {
        "id": USER_ID,
        "username": "clerk7",
        "name": "試験 三郎",
        "enabled": True,
        "groups": ["事務"],
        "levels": {"患者管理": "参照", "監査": "更新"},
        "last_login": "2026-06-01T00:00:00Z",
        "has_otp": True,
        "reasons": {"dormant": "185日ログインなし(最終 2026-06-01)", "excess": "グループを超える個別の権限: 監査=更新"},
        "proposal": "無効化を提案",
        "last_confirmation": None,
        **line_changes,
    }
    return {
        "generated_at": "2026-12-03T00:00:00Z",
        "dormant_days": 90,
        "temporary_password_days": 14,
        "lines": [line],
        "counts": {"dormant": 1, "excess": 1},
    }


@pytest.fixture
def identity(backends: respx.MockRouter) -> respx.MockRouter:
    """identity answering the review."""
    backends.get(f"{IDENTITY}/rights-review").mock(return_value=httpx.Response(200, json=report()))
    return backends


@pytest.mark.req("N21", partial=True)
async def test_accounts_are_listed_with_their_reasons_and_the_proposal(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
) -> None:
    with_roles(keycloak, ["users:read"])
    await login(client)
    page = text_of((await client.get("/admin/rights-review")).text)
    assert "長期未使用：1件" in page and "グループを超える権限：1件" in page
    assert "clerk7 試験 三郎 有効 事務 患者管理=参照 、 監査=更新" in page
    assert "185日ログインなし(最終 2026-06-01)" in page and "無効化を提案" in page
    assert "記録する" not in page  # a reader cannot confirm


@pytest.mark.req("N21", partial=True)
async def test_a_confirmation_is_sent_and_a_refused_note_is_shown_beside_its_field(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
) -> None:
    message = "「無効にする」の場合は、理由を記入してください。"
    route = identity.post(f"{IDENTITY}/rights-review/{USER_ID}").mock(
        side_effect=[
            httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": {"note": message}}),
            httpx.Response(201, json={"decision": "disable"}),
        ]
    )
    with_roles(keycloak, ["users:update"])
    await login(client)
    page = await client.get("/admin/rights-review")
    form = {"csrf_token": csrf_token(page.text), "decision": "disable", "note": ""}
    refused = await client.post(f"/admin/rights-review/{USER_ID}", data=form)
    assert refused.status_code == 422
    assert f'id="c-{USER_ID}-note-error"' in refused.text and message in refused.text
    saved = await client.post(f"/admin/rights-review/{USER_ID}", data={**form, "note": "異動"})
    assert saved.status_code == 303
    assert json.loads(route.calls[1].request.content) == {"decision": "disable", "note": "異動"}


async def test_a_user_without_user_administration_cannot_open_it(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
) -> None:
    with_roles(keycloak, ["audit:read"])
    await login(client)
    assert (await client.get("/admin/rights-review")).status_code == 403
