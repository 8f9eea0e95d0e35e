"""The patient list API: sorting, filters kept bounded, 注意事項 and 次回予定 per patient, and 担当保健師 counts."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_core import clock
from tbms_core.web import MAX_OFFSET
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


async def _list(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/patients", params=params, headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return response.json()


def _district() -> str:
    """A district of this test alone (the session's database is shared by every test)."""
    return f"地区{uuid.uuid4().hex[:6]}"


@pytest.mark.req("N12", partial=True)
class TestSortAndFilter:
    async def test_sorts_by_reading_and_birth_date_both_ways(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        await make_patient(name="試験 一郎", name_kana="イトウ イチロウ", birth_date="1980-01-01", district=district)
        await make_patient(name="試験 二郎", name_kana="アベ ジロウ", birth_date="1990-01-01", district=district)
        await make_patient(name="試験 三郎", name_kana="ウエダ サブロウ", birth_date="1970-01-01", district=district)

        by_kana = await _list(client, district=district, sort="name_kana", descending="false")
        by_birth = await _list(client, district=district, sort="birth_date", descending="true")

        assert [p["name_kana"] for p in by_kana["items"]] == ["アベ ジロウ", "イトウ イチロウ", "ウエダ サブロウ"]
        assert [p["birth_date"] for p in by_birth["items"]] == ["1990-01-01", "1980-01-01", "1970-01-01"]
        assert by_kana["total"] == 3

    async def test_filters_by_nurse_category_status_and_age_band(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        child = await make_patient(name="試験 子", birth_date="2020-04-01", district=district, nurse="nurse-a")
        await make_patient(name="試験 高齢", birth_date="1940-04-01", district=district, nurse="nurse-b")
        ltbi = await make_patient(name="試験 潜在", category="ltbi", district=district, nurse="nurse-a")

        assert {p["id"] for p in (await _list(client, district=district, nurse="nurse-a"))["items"]} == {
            child["id"],
            ltbi["id"],
        }
        assert [p["id"] for p in (await _list(client, district=district, category="ltbi"))["items"]] == [ltbi["id"]]
        assert [p["id"] for p in (await _list(client, district=district, age_band="0-14"))["items"]] == [child["id"]]
        assert (await _list(client, district=district, age_band="80-"))["total"] == 1
        assert (await _list(client, district=district, status="excluded"))["total"] == 0

    async def test_a_patient_without_notification_date_shows_the_alert_and_its_date(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        patient = await make_patient(name="試験 届出", district=district, registered_on="2026-04-01")
        await make_patient(name="試験 回復", category="recovered", district=district)

        with_alerts = await _list(client, district=district, alerts="any")
        without = await _list(client, district=district, alerts="none")

        [item] = with_alerts["items"]
        assert item["id"] == patient["id"]
        assert item["alert_count"] == 1
        assert item["alerts"][0]["level"] == "注意"
        assert "発生届の届出日" in item["alerts"][0]["message"]
        assert item["next_due_on"] == "2026-04-01"
        assert [p["name"] for p in without["items"]] == ["試験 回復"]

    async def test_sorts_by_next_deadline_with_patients_without_one_last(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        await make_patient(name="試験 期限なし", category="recovered", district=district)
        await make_patient(name="試験 後", district=district, registered_on="2026-05-01")
        await make_patient(name="試験 先", district=district, registered_on="2026-03-01")

        listing = await _list(client, district=district, sort="next_due_on", descending="false")

        assert [p["name"] for p in listing["items"]] == ["試験 先", "試験 後", "試験 期限なし"]

    async def test_a_page_read_by_a_person_judges_yesterdays_facts_again(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        with clock.frozen_at(clock.jst(2026, 12, 1, 10)):
            await make_patient(name="試験 仮", category="provisional", district=district, registered_on="2026-12-01")
        with clock.frozen_at(clock.jst(2027, 1, 15, 10)):
            stored = await _list(client, district=district)
            judged = await _list(client, district=district, fresh="true")

        assert stored["items"][0]["alert_count"] == 0  # a rebuild reading every patient takes what is stored
        assert "仮登録のまま30日を超えています" in judged["items"][0]["alerts"][0]["message"]
        assert judged["items"][0]["next_due_on"] == "2026-12-31"

    async def test_activity_follows_the_classification(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        district = _district()
        ltbi = await make_patient(name="試験 潜在", category="ltbi", district=district)
        await make_patient(name="試験 患者", district=district)

        listing = await _list(client, district=district, activity="ltbi")

        assert [p["id"] for p in listing["items"]] == [ltbi["id"]]
        assert listing["items"][0]["activity"] == "ltbi"

    async def test_paging_deeper_than_the_bound_and_unknown_sorts_are_refused(self, client: httpx.AsyncClient) -> None:
        deep = await client.get("/patients", params={"offset": MAX_OFFSET + 1}, headers=auth_headers("nurse1"))
        odd = await client.get("/patients", params={"sort": "address"}, headers=auth_headers("nurse1"))

        assert deep.status_code == 422
        assert odd.status_code == 422


@pytest.mark.req("N12", partial=True)
class TestNurseLoads:
    async def test_counts_each_nurses_patients_registered_and_with_alerts(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        nurse = f"nurse-{uuid.uuid4().hex[:6]}"
        district = _district()
        await make_patient(name="試験 甲", district=district, nurse=nurse)
        await make_patient(name="試験 乙", category="recovered", district=district, nurse=nurse)

        response = await client.get("/patients/nurses", headers=auth_headers("nurse1"))

        assert response.status_code == 200
        [load] = [row for row in response.json()["items"] if row["nurse"] == nurse]
        assert load == {
            "nurse": nurse,
            "districts": [district],
            "total": 2,
            "active": 2,
            "with_alerts": 1,
            "urgent": 0,
        }

    async def test_a_request_without_login_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/patients/nurses")

        assert response.status_code == 401
