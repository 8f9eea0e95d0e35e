"""The コード表 is the source of the forms' choices (R25): it ships with every list the forms used (the same codes,
labels and order, in force since before anything the system holds), takes values in Japanese (検体), and every
code added or ended leaves a MasterChanged with the entry (list, value, label, order, period) on NATS, which the
services keep their lists from."""

import json
from datetime import date, timedelta
from typing import Any

import httpx
import nats
import pytest
from tbms_contracts.code_lists import SEEDED, SEEDED_CONTACT_ENDS, SEEDED_CONTACTS, SEEDED_SINCE, seeded_order
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core.clock import today
from tbms_testing import auth_headers

NATS_URL = "nats://127.0.0.1:54222"


async def entries(client: httpx.AsyncClient, name: str, **params: Any) -> list[dict[str, Any]]:
    """The entries of one code list, in list order, as a read-only user sees them."""
    query = {"q": f"{name}:", "limit": 500} | params
    response = await client.get("/masters/code", params=query, headers=auth_headers("viewer1"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestSeed:
    """What the migration puts in the コード表."""

    @pytest.mark.req("R25", partial=True)
    @pytest.mark.parametrize("name", [*SEEDED, *SEEDED_CONTACTS, *SEEDED_CONTACT_ENDS])
    async def test_every_list_the_forms_used_is_seeded_with_its_codes_labels_and_order(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        codes = SEEDED.get(name) or SEEDED_CONTACTS.get(name) or SEEDED_CONTACT_ENDS[name]
        seeded = [row for row in await entries(client, name) if row["data"]["value"] in codes]
        assert [(row["data"]["value"], row["name"]) for row in seeded] == list(codes.items())
        assert [row["data"]["sort_order"] for row in seeded] == [seeded_order(i) for i in range(len(codes))]
        assert {(row["valid_from"], row["valid_to"], row["active"]) for row in seeded} == {
            (SEEDED_SINCE.isoformat(), None, True)
        }

    async def test_a_seeded_entry_has_its_first_history_entry(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/masters/code/specimen:喀痰/history", headers=auth_headers("viewer1"))
        [entry] = response.json()["items"]
        assert entry["version"] == 1 and entry["changed_by_name"] == "移行"
        assert entry["reason"] == "フォームの選択肢をマスタ管理のコード表に移しました。"


class TestAddAndEnd:
    """Adding and ending an entry, as マスタ管理 does it."""

    @pytest.mark.req("R25", partial=True)
    async def test_an_added_and_an_ended_entry_reach_nats_with_the_entry_the_services_keep(
        self, client: httpx.AsyncClient, codes
    ) -> None:
        nc = await nats.connect(NATS_URL)
        events = await nc.jetstream().subscribe(
            MasterChanged.TYPE, ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
        )
        value = f"試験液{codes.serial()}"
        body = {
            "data": {"list": "specimen", "value": value, "label": f"{value}（試験）", "sort_order": 15},
            "valid_from": "R2.4.1",
            "reason": "検体の追加（試験）",
        }
        added = await client.post("/masters/code", json=body, headers=auth_headers("admin1"))
        assert added.status_code == 201, added.text
        assert added.json()["code"] == f"specimen:{value}"
        listed = [row["data"]["value"] for row in await entries(client, "specimen")]
        assert listed[:3] == ["喀痰", value, "胃液"], "in its place, by 表示順"
        yesterday = today() - timedelta(days=1)
        end = {"version": 1, "valid_to": yesterday.isoformat(), "reason": "使わなくなったため（試験）"}
        ended = await client.post(f"/masters/code/specimen:{value}/end", json=end, headers=auth_headers("admin1"))
        assert ended.status_code == 200, ended.text

        received = []
        while len(received) < 2:
            envelope = json.loads((await events.next_msg(timeout=30)).data)
            if envelope["aggregate_id"] == str(record_id("code", f"specimen:{value}")):
                received.append(MasterChanged.model_validate(envelope["payload"]))
        await nc.close()
        first, last = (event.snapshot for event in received)
        assert first.data == {"list": "specimen", "value": value, "label": f"{value}（試験）", "sort_order": 15}
        assert (first.version, first.valid_from, first.valid_to) == (1, date(2020, 4, 1), None)
        assert (last.version, last.valid_to, last.active) == (2, yesterday, False)
        assert value not in [row["data"]["value"] for row in await entries(client, "specimen")], "not offered"
        every = await entries(client, "specimen", include_ended="true")
        assert f"{value}（試験）" in [row["name"] for row in every], "kept, with its label"

    async def test_a_value_with_a_space_or_a_colon_is_refused_in_japanese(self, client: httpx.AsyncClient) -> None:
        for value in ("試験 液", "a:b"):
            body = {"data": {"list": "specimen", "value": value, "label": "試験"}}
            refused = await client.post("/masters/code", json=body, headers=auth_headers("admin1"))
            assert refused.status_code == 422
            assert refused.json()["errors"]["value"].startswith("値は英数字・かな・漢字と記号"), value
