"""Districts are reference data every logged-in user reads; they are `district` master records."""

from datetime import timedelta

import httpx
import pytest
from tbms_core import clock
from tbms_core.clock import today
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


class TestDistrictsAreMasterRecords:
    """GET /districts reads the `district` master records valid today."""

    @pytest.mark.req("R26")
    async def test_a_district_shows_from_its_first_day_in_its_order_until_it_ends(
        self, client: httpx.AsyncClient
    ) -> None:
        start = today() + timedelta(days=400)  # far enough ahead that no other test's "today" sees it
        body = {
            "code": "testnew",
            "name": "試験地区",
            # 表示順 2 ties with 北沢 (2): the code breaks the tie (kitazawa < testnew)
            "data": {"sort_order": "2", "team": "試験班", "areas": "試験町一丁目\n試験町二丁目"},
            "valid_from": start.isoformat(),
        }
        created = await client.post("/masters/district", json=body, headers=auth_headers("admin1"))
        assert created.status_code == 201, created.text
        with clock.frozen_at(clock.jst(start.year, start.month, start.day, 9)):
            names = [d["name"] for d in (await client.get("/districts", headers=auth_headers("clerk1"))).json()]
            assert names == ["世田谷", "北沢", "試験地区", "玉川", "砧", "烏山"]
            end = {"version": 1, "valid_to": start.isoformat(), "reason": "再編"}
            ended = await client.post("/masters/district/testnew/end", json=end, headers=auth_headers("admin1"))
            assert ended.status_code == 200
        later = start + timedelta(days=1)
        with clock.frozen_at(clock.jst(later.year, later.month, later.day, 9)):
            names = [d["name"] for d in (await client.get("/districts", headers=auth_headers("clerk1"))).json()]
            assert "試験地区" not in names
