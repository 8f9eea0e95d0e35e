"""6R (RFP 6 months, when INH cannot be used: intolerance or resistance) as TB_PRACTICE §5.3 gives it for LTBI
(JSTB 潜在性結核感染症治療指針 2013): a standard regimen of the care records with its basis shown, LTBI completion
at 180 doses within 9 months, and for an active TB course 判定不能（標準外の処方） in the cohort rules (R07)."""

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from patients.care.codes import REGIMENS
from patients.dots.cohort import CohortFacts, judge
from patients.dots.ltbi import LTBI_REGIMENS, ltbi_completion
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
START = date(2025, 2, 1)
pytestmark = pytest.mark.req("R07", partial=True)


def test_6r_is_a_regimen_of_the_care_records_with_its_basis() -> None:
    assert REGIMENS["6R"] == "6R（LTBI・INHを使えない場合）"
    regimen = LTBI_REGIMENS["6R"]
    assert (regimen.months, regimen.doses, regimen.within_months) == (6, 180, 9)
    assert "INHを使えない場合" in regimen.basis and "§5.3" in regimen.basis


def test_6r_is_complete_at_180_doses_within_9_months_and_not_before() -> None:
    regimen = LTBI_REGIMENS["6R"]
    assert ltbi_completion(regimen, START, 179, as_of=date(2025, 10, 31)).status == "on_treatment"
    assert ltbi_completion(regimen, START, 179, as_of=date(2025, 11, 1)).status == "not_completed"
    assert ltbi_completion(regimen, START, 180, as_of=date(2025, 8, 1)).status == "completed"


def test_an_active_tb_course_on_6r_is_not_judged_by_the_standard_cohort() -> None:
    facts = CohortFacts(as_of=date(2026, 12, 31), started_on=START, regimen="6R", ended_on=date(2025, 7, 31))
    outcome = judge(facts)
    assert (outcome.code, outcome.sub_reason) == ("not_evaluated", "nonstandard_regimen")
    assert "6R" in outcome.rule


async def test_an_ltbi_course_on_6r_shows_its_completion_and_basis(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient(category="ltbi")
    body = {"regimen": "6R", "started_on": START.isoformat()}
    created = await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE)
    assert created.status_code == 201, created.text
    items = [
        {"confirmed_on": (START + timedelta(days=n)).isoformat(), "method": "face_to_face", "status": "taken"}
        for n in range(30)
    ]
    saved = await client.post(
        f"/patients/{patient['id']}/dots/confirmations/calendar", json={"items": items}, headers=NURSE
    )
    assert saved.status_code == 200, saved.text
    course = (await client.get(f"/patients/{patient['id']}/dots/course?as_of=2025-03-15", headers=VIEWER)).json()
    ltbi = course["items"][0]["ltbi"]
    assert (ltbi["regimen"], ltbi["doses_taken"], ltbi["doses_needed"], ltbi["status"]) == (
        "6R",
        30,
        180,
        "on_treatment",
    )
    assert ltbi["deadline"] == "2025-11-01" and "INHを使えない場合" in ltbi["basis"]
