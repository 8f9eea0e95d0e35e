"""The cohort list a page at a time, with the summary counted in PostgreSQL: for a period holding a course of every
outcome (and the boundaries of the rules), the counts per outcome, the override and the DOTS rate the SQL summary gives
are those of the Python rules judging every course one by one; the pages cover each course once (R07)."""

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
YEAR = "2018"  # a year no other test uses
START = "2018-01-10"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


def days(first: date, count: int, status: str) -> dict[str, Any]:
    items = [
        {"confirmed_on": (first + timedelta(days=n)).isoformat(), "method": "face_to_face", "status": status}
        for n in range(count)
    ]
    return {"items": items}


class Cohort:
    """Courses of 2018 made through the API, one patient each."""

    def __init__(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        self.client, self.make_patient = client, make_patient

    async def course(self, category: str = "patient", **treatment: str) -> tuple[str, str]:
        patient = await self.make_patient(category=category)
        body = {"regimen": "2HREZ/4HR", "started_on": START} | treatment
        made = await ok(await self.client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE), 201)
        return patient["id"], made["id"]

    async def lab(self, patient: str, kind: str, on: str, **details: str) -> None:
        body = {"kind": kind, "specimen": "喀痰", "collected_on": on, "details": details}
        await ok(await self.client.post(f"/patients/{patient}/lab-results", json=body, headers=NURSE), 201)

    async def missed(self, patient: str, first: date, count: int) -> None:
        for start in range(0, count, 31):
            body = days(first + timedelta(days=start), min(31, count - start), "missed")
            await ok(
                await self.client.post(f"/patients/{patient}/dots/confirmations/calendar", json=body, headers=NURSE)
            )

    async def review(self, patient: str, course: str, **values: str) -> None:
        url = f"/patients/{patient}/dots/outcomes/{course}"
        await ok(await self.client.put(url, json={"version": 0, **values}, headers=NURSE))

    async def plan(self, patient: str, starts_on: str = START) -> None:
        plan = {"starts_on": starts_on, "dots_type": "outpatient", "intensity": "A"}
        await ok(await self.client.post(f"/patients/{patient}/dots/plans", json=plan, headers=NURSE), 201)


async def make_cohort(cohort: Cohort) -> None:
    ended = {"ended_on": "2018-07-09"}
    p, _ = await cohort.course(**ended)  # 治癒: negative before month 6 and in the window
    await cohort.lab(p, "culture", "2018-01-05", medium="液体", result="陽性")
    await cohort.lab(p, "culture", "2018-04-10", medium="液体", result="陰性")
    await cohort.lab(p, "culture", "2018-06-20", medium="液体", result="陰性")
    await cohort.plan(p)
    p, _ = await cohort.course(**ended)  # 治療完了: no test in the window
    await cohort.lab(p, "culture", "2018-01-05", medium="液体", result="陽性")
    p, _ = await cohort.course(**ended)  # 治療完了: the last test before month 6 positive, two results that day
    await cohort.lab(p, "culture", "2018-05-09", medium="液体", result="陰性")
    await cohort.lab(p, "smear", "2018-05-09", grade="1+")
    await cohort.lab(p, "culture", "2018-06-20", medium="液体", result="陰性")
    p, _ = await cohort.course(**ended)  # 治療完了: the window's only test the day before month 6 (month 5)
    await cohort.lab(p, "culture", "2018-03-01", medium="液体", result="陰性")
    await cohort.lab(p, "culture", "2018-06-09", medium="液体", result="陰性")
    p, _ = await cohort.course(**ended)  # 治療失敗: a positive culture on the first day of month 6
    await cohort.lab(p, "culture", "2018-06-10", medium="液体", result="陽性")
    await cohort.plan(p)
    p, _ = await cohort.course(**ended)  # not 失敗: a positive culture on the last day of month 5; ± is neither
    await cohort.lab(p, "culture", "2018-06-09", medium="液体", result="陽性")
    await cohort.lab(p, "smear", "2018-07-01", grade="±")
    p, _ = await cohort.course(**ended)  # 治療失敗: an old Gaffky number in month 9
    await cohort.lab(p, "smear", "2018-10-09", gaffky="G3")
    p, c = await cohort.course()  # 死亡 after the first month
    await cohort.review(p, c, died_on="2018-03-01", death_cause="tb")
    p, c = await cohort.course()  # 死亡 within the first month (out of the DOTS rate's denominator)
    await cohort.review(p, c, died_on="2018-02-10", death_cause="other")
    await cohort.plan(p)
    p, _ = await cohort.course(**ended)  # 脱落・中断: 60 consecutive days
    await cohort.missed(p, date(2018, 2, 1), 60)
    p, _ = await cohort.course(**ended)  # not 脱落: 59 consecutive days
    await cohort.missed(p, date(2018, 2, 1), 59)
    await cohort.plan(p)
    p, _ = await cohort.course(**ended)  # 脱落・中断: 30 + 30 days within the first 9 months
    await cohort.missed(p, date(2018, 2, 1), 30)
    await cohort.missed(p, date(2018, 4, 1), 30)
    p, c = await cohort.course(ended_on="2018-03-01")  # 脱落・中断: stopped by the patient
    await cohort.review(p, c, end_reason="self_stopped")
    p, c = await cohort.course(ended_on="2018-05-01")  # 判定不能: INH・RFP stopped by the doctor
    await cohort.review(p, c, end_reason="hr_stopped")
    p, _ = await cohort.course()  # 転出 during treatment
    transfer = {"direction": "out", "moved_on": "2018-03-01", "counterpart": "見本市保健所"}
    await ok(await cohort.client.post(f"/patients/{p}/transfers", json=transfer, headers=NURSE), 201)
    await cohort.plan(p)
    p, _ = await cohort.course()  # 12か月を超える治療 (or 判定不能 while within 12 months)
    await cohort.plan(p, "2018-02-01")
    p, _ = await cohort.course(regimen="6R")  # 判定不能: not a standard regimen for active TB
    p, c = await cohort.course(**ended)  # 治癒 computed, 治療完了 as the meeting decided
    await cohort.lab(p, "culture", "2018-04-10", medium="液体", result="陰性")
    await cohort.lab(p, "culture", "2018-07-01", medium="液体", result="陰性")
    await cohort.review(p, c, override_outcome="completed", override_reason="6か月目の検体が不適")
    p, _ = await cohort.course(category="ltbi", regimen="6H", ended_on="2018-07-09")  # LTBI, counted apart
    taken = days(date(2018, 1, 10), 31, "taken")
    await ok(await cohort.client.post(f"/patients/{p}/dots/confirmations/calendar", json=taken, headers=NURSE))


async def every_page(client: httpx.AsyncClient, as_of: str, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    offset = 0
    while True:
        params = {"period": YEAR, "as_of": as_of, "limit": limit, "offset": offset}
        listed = await ok(await client.get("/dots/cohort", params=params, headers=VIEWER))
        first = first or listed
        assert len(listed["items"]) <= limit and listed["paging"]["total"] == first["paging"]["total"]
        assert (listed["counts"], listed["dots_rate"]) == (first["counts"], first["dots_rate"])  # the whole period
        rows += listed["items"]
        offset += limit
        if offset >= listed["paging"]["total"]:
            return rows, first


def python_rate(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The DOTS rate's figures as the rows judged one by one give them (no 転入 in this period)."""
    counted = [r for r in rows if not r["died_early"] and not r["transferred_out"]]
    return {
        "new": len(rows),
        "died_within_a_month": sum(r["died_early"] for r in rows),
        "transferred_out": sum(r["transferred_out"] and not r["died_early"] for r in rows),
        "with_dots": sum(r["dots"] for r in counted),
    }


@pytest.mark.req("R07", partial=True)
@pytest.mark.parametrize("as_of", ["2019-12-31", "2018-06-30"])
async def test_the_summary_counted_in_sql_is_that_of_the_rules_course_by_course_and_pages_cover_each_course_once(
    client: httpx.AsyncClient, make_patient: MakePatient, as_of: str
) -> None:
    listed = await ok(await client.get("/dots/cohort", params={"period": YEAR}, headers=VIEWER))
    if listed["paging"]["total"] == 0:
        await make_cohort(Cohort(client, make_patient))
    rows, summary = await every_page(client, as_of, limit=4)
    assert summary["paging"]["total"] == len(rows) == 18
    assert len({r["treatment_id"] for r in rows}) == len(rows)  # no course twice across the pages
    assert [(r["started_on"], r["registration_no"]) for r in rows] == sorted(
        (r["started_on"], r["registration_no"]) for r in rows
    )
    computed = Counter(r["computed"]["code"] for r in rows)
    standing = Counter(r["outcome"] for r in rows)
    assert summary["computed_counts"] == {code: computed.get(code, 0) for code in summary["computed_counts"]}
    assert summary["counts"] == {code: standing.get(code, 0) for code in summary["counts"]}
    rate = summary["dots_rate"]
    assert {key: rate[key] for key in python_rate(rows)} == python_rate(rows)
    assert rate["denominator"] == rate["new"] - rate["died_within_a_month"] - rate["transferred_out"]
    if as_of == "2019-12-31":  # every outcome is there, so a rule the SQL got wrong would show
        assert summary["computed_counts"] == {
            "cured": 2, "completed": 5, "died": 2, "failed": 2, "lost": 3, "transferred": 1, "over_12_months": 1,
            "not_evaluated": 2,
        }  # fmt: skip
        assert summary["counts"]["cured"] == 1 and summary["counts"]["completed"] == 6
        assert (rate["new"], rate["died_within_a_month"], rate["transferred_out"], rate["with_dots"]) == (18, 1, 1, 4)
    [ltbi] = summary["ltbi"]["items"]
    assert summary["ltbi"]["paging"]["total"] == 1 and sum(summary["ltbi"]["counts"].values()) == 1
    assert summary["ltbi"]["counts"] == {ltbi["ltbi"]["status"]: 1}
