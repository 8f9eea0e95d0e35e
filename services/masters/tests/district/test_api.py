"""Districts are reference data every logged-in user reads."""

import httpx
import pytest
from tbms_testing import auth_headers


class TestListDistricts:
    """GET /districts."""

    @pytest.mark.req("R25", partial=True)
    async def test_lists_the_five_setagaya_districts_in_order(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/districts", headers=auth_headers("clerk1"))
        assert response.status_code == 200
        assert [d["name"] for d in response.json()] == ["世田谷", "北沢", "玉川", "砧", "烏山"]

    async def test_anonymous_caller_is_refused_in_japanese(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/districts")
        assert response.status_code == 401
        assert "ログイン" in response.json()["detail"]

    async def test_forged_token_is_refused(self, client: httpx.AsyncClient) -> None:
        token = auth_headers("clerk1")["Authorization"][:-8] + "AAAAAAAA"
        response = await client.get("/districts", headers={"Authorization": token})
        assert response.status_code == 401
