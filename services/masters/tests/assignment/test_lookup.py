"""The nurse who serves an address (R25): masters' staff assignments (地区・担当町丁目) decide it; the most specific
町丁目 found in the address wins, an assignment without 町丁目 serves the rest of the district, and the district
itself is found by its own 町丁目 when the address alone is given."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from tbms_core.clock import today
from tbms_testing import auth_headers

pytestmark = pytest.mark.req("R25", partial=True)


# The test's districts and assignments start in the future and are looked up on that day, so the districts other
# tests list (today, or 400 days ahead) stay the five of 世田谷.
ON = (today() + timedelta(days=3773)).isoformat()  # no other test looks this far ahead


async def lookup(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    params = {"on": ON} | params
    response = await client.get("/masters/staff_assignment/lookup", params=params, headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def district(make_record, codes) -> dict[str, str]:
    """A district 見本地区 of 見本町 and 試験町, with three nurses: of 見本町, of 見本町一丁目, and of the rest."""
    code = codes.free("dist")
    town, other = f"見本町{code}", f"試験町{code}"
    areas = {"areas": f"{town}\n{other}"}
    await make_record("district", code=code, name=f"見本地区{code}", data=areas, valid_from=ON)
    nurses = {
        "town": ("sato", "試験 佐藤", town),
        "chome": ("suzuki", "試験 鈴木", f"{town}1丁目"),
        "rest": ("tanaka", "試験 田中", ""),
    }
    for key, (user, name, areas) in nurses.items():
        data = {"district_code": code, "nurse_username": f"{user}{code}", "nurse_name": name, "areas": areas}
        await make_record("staff_assignment", code=codes.free("S"), name=f"{key}班", data=data, valid_from=ON)
    return {"code": code, "town": town, "other": other}


async def test_the_most_specific_area_of_the_address_wins(client, district) -> None:
    found = await lookup(client, district=district["code"], address=f"東京都架空区{district['town']}一丁目2番3号")
    assert found["proposed"]["nurse_name"] == "試験 鈴木"
    assert found["proposed"]["matched_area"] == f"{district['town']}1丁目"
    assert found["nurses"][0]["nurse_name"] == "試験 鈴木", "the proposed one first"
    assert {n["nurse_name"] for n in found["nurses"]} == {"試験 鈴木", "試験 佐藤", "試験 田中"}

    wider = await lookup(client, district=district["code"], address=f"東京都架空区{district['town']}３丁目")
    assert wider["proposed"]["nurse_name"] == "試験 佐藤"


async def test_an_address_outside_every_area_goes_to_the_nurse_of_the_whole_district(client, district) -> None:
    found = await lookup(client, district=district["code"], address=f"東京都架空区{district['other']}5-6")
    assert found["proposed"]["nurse_name"] == "試験 田中"
    assert found["proposed"]["why"] == "町丁目の指定がなく地区全体の担当のため"
    assert "最も詳しいもの" in found["basis"]


async def test_the_district_is_found_by_the_address_when_not_named(client, district) -> None:
    found = await lookup(client, address=f"東京都架空区{district['town']}1丁目")
    assert found["district_code"] == district["code"] and found["district_name"] == f"見本地区{district['code']}"
    assert found["district_why"] == f"住所が地区の町丁目「{district['town']}」にあるため"
    assert found["proposed"]["nurse_name"] == "試験 鈴木"
    by_name = await lookup(client, district=f"見本地区{district['code']}", address="")
    assert by_name["district_code"] == district["code"] and by_name["proposed"]["nurse_name"] == "試験 田中"


async def test_rows_not_yet_in_force_propose_nobody_today(client, district) -> None:
    found = await lookup(client, district=district["code"], address=f"{district['town']}1丁目", on=today().isoformat())
    assert found["proposed"] is None and found["district_code"] == ""


async def test_an_unknown_district_and_address_propose_nobody(client) -> None:
    found = await lookup(client, district="どこにもない地区", address="架空県どこにもない町")
    assert found["proposed"] is None and found["nurses"] == [] and found["district_code"] == ""
