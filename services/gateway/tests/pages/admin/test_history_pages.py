"""改ざん検査 against a fake identity (R36): a broken chain is reported with where and how."""

from __future__ import annotations

import httpx
import pytest
import respx

from ...conftest import IDENTITY, FakeKeycloakType, Login, text_of, with_roles


@pytest.mark.req("R36")
class TestTamperCheckPage:
    async def test_a_broken_chain_is_reported_with_where_and_how(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        outcome = {
            "ok": False,
            "checked": 16,
            "last_seq": 40,
            "broken_seq": 17,
            "problem": "missing",
            "message": "操作履歴 17 番が削除されています。",
        }
        backends.get(f"{IDENTITY}/audit/verify").mock(return_value=httpx.Response(200, json=outcome))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = text_of((await client.get("/admin/audit/verify")).text)
        assert "結果：改ざんを検出しました" in page and "操作履歴 17 番が削除されています。" in page
        assert "異常のある番号 17" in page and "異常の種類 削除" in page and "検査した件数 16件" in page
