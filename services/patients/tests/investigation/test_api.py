"""行動調査 through the patients API: the interview recorded and corrected, the infectious period with its rule
and an override with its reason, both delays, and the contact candidates (R08)."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
pytestmark = pytest.mark.req("R08", partial=True)
ITEMS = {
    "symptoms": [
        {"symptom": "cough", "onset_on": "2026-04-15"},
        {"symptom": "fever", "onset_on": "2026-05-01"},
    ],
    "visits": [
        {"visited_on": "2026-06-15", "institution": "試験内科クリニック", "what": "感冒薬の処方"},
        {"visited_on": "2026-07-20", "institution": "試験中央病院", "what": "胸部X線・喀痰検査"},
    ],
    "diagnosed_on": "2026-07-15",
    "treatment_started_on": "2026-07-20",
    "isolated_on": "2026-07-18",
    "household": [
        {"name": "試験 花子", "relation": "妻", "age": 52},
        {"name": "試験 一郎", "relation": "長男", "age": 8},
    ],
    "settings": [
        {"kind": "work", "name": "試験商事 経理課", "hours": "9〜18時", "room": "3階事務室", "ventilation": "poor"}
    ],
    "places": [{"kind": "club", "name": "試験囲碁クラブ", "frequency": "週1回", "from_on": "2026-06-01"}],
    "travel": [{"kind": "travel", "name": "試験県への旅行", "from_on": "2025-10-01", "to_on": "2025-10-05"}],
    "birth_country": "日本",
    "bcg": "yes",
    "comorbidities": "糖尿病",
}


def url(patient: dict[str, Any], path: str = "") -> str:
    return f"/patients/{patient['id']}/investigation{path}"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


async def test_the_interview_is_recorded_with_its_period_delays_and_candidates(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    empty = await ok(await client.get(url(patient), headers=VIEWER))
    assert empty["id"] is None and empty["period"]["start"] is None
    saved = await ok(
        await client.put(url(patient), json={"interviewed_on": "2026-07-25", "items": ITEMS}, headers=NURSE)
    )
    period = saved["period"]
    assert (period["start"], period["end"], period["case"]) == ("2026-01-15", "2026-07-18", "cough_onset")
    assert period["rule"] == "咳の出現（令和8年4月15日）の3か月前" and period["end_rule"].startswith("隔離・入院")
    delays = {d["kind"]: d for d in saved["delays"]}
    # onset 15 Apr, first visit 15 Jun: exactly 2 calendar months → 受診の遅れ
    assert delays["patient"]["delayed"] is True and delays["patient"]["threshold"] == "2026-06-15"
    # first visit 15 Jun, diagnosis 15 Jul: exactly 1 calendar month → 診断の遅れ
    assert delays["doctor"]["delayed"] is True and delays["doctor"]["label"] == "診断の遅れ"
    names = {(c["kind"], c["name"]): c for c in saved["candidates"]}
    assert names[("household", "試験 一郎")]["exposure_from"] == "2026-01-15"
    assert names[("work", "試験商事 経理課")]["setting"] == "9〜18時・3階事務室"
    assert names[("club", "試験囲碁クラブ")]["exposure_from"] == "2026-06-01"
    assert ("travel", "試験県への旅行") not in names  # the trip lies before the infectious period
    candidates = await ok(await client.get(url(patient, "/candidates"), headers=VIEWER))
    assert len(candidates) == 4


async def test_an_override_needs_a_reason_and_a_correction_needs_the_version(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    saved = await ok(await client.put(url(patient), json={"items": ITEMS}, headers=NURSE))
    refused = await client.put(
        url(patient), json={"version": saved["version"], "items": ITEMS, "override_start": "2025-12-01"}, headers=NURSE
    )
    assert refused.status_code == 422 and "理由" in str(refused.json())
    body = {
        "version": saved["version"],
        "items": ITEMS,
        "override_start": "2025-12-01",
        "override_reason": "家族の証言",
    }
    overridden = await ok(await client.put(url(patient), json=body, headers=NURSE))
    assert overridden["period"]["start"] == "2025-12-01" and overridden["period"]["overridden"]
    assert overridden["period"]["rule"].startswith("咳の出現")  # the computed rule stays shown
    stale = await client.put(url(patient), json=body | {"interviewer": "試験"}, headers=NURSE)
    assert stale.status_code == 409
    history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER))
    assert any(entry["record_label"] == "行動調査" for entry in history["items"])


async def test_screening_and_unclear_onset_count_from_the_first_positive_or_the_diagnosis(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    items = {"found_by_screening": True, "first_positive_on": "2026-05-31", "diagnosed_on": "2026-06-10"}
    saved = await ok(await client.put(url(patient), json={"items": items}, headers=NURSE))
    assert saved["period"]["start"] == "2026-02-28" and saved["period"]["case"] == "screening"
    unclear = {"diagnosed_on": "2026-06-10", "symptoms": [{"symptom": "fever", "onset_on": "2026-05-01"}]}
    again = await ok(
        await client.put(url(patient), json={"version": saved["version"], "items": unclear}, headers=NURSE)
    )
    assert again["period"]["start"] == "2026-03-10" and again["period"]["case"] == "onset_unclear"


async def test_a_viewer_may_not_record_and_bad_input_is_named(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    assert (await client.put(url(patient), json={"items": ITEMS}, headers=VIEWER)).status_code == 403
    bad = await client.put(url(patient), json={"items": {"symptoms": [{"symptom": "sneeze"}]}}, headers=NURSE)
    assert bad.status_code == 422 and "症状が選択肢にありません" in str(bad.json())


class TestPeriodEndFromTheRecords:
    """The period ends at the first start of treatment or admission in the care records, before the interview's
    typed dates; a record before the period (an earlier episode) is not its end; an override keeps its reason."""

    async def test_the_records_end_the_period_before_the_typed_dates(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        saved = await ok(await client.put(url(patient), json={"items": ITEMS}, headers=NURSE))
        assert saved["period"]["end"] == "2026-07-18" and "調査票に入力された日" in saved["period"]["end_rule"]
        care = f"/patients/{patient['id']}"
        earlier = {"regimen": "2HREZ/4HR", "started_on": "2019-04-01", "ended_on": "2019-10-31"}
        await ok(await client.post(f"{care}/treatments", json=earlier, headers=NURSE), 201)
        assert (await ok(await client.get(url(patient), headers=VIEWER)))["period"]["end"] == "2026-07-18"
        treatment = {"regimen": "2HREZ/4HR", "started_on": "2026-07-12"}
        await ok(await client.post(f"{care}/treatments", json=treatment, headers=NURSE), 201)
        period = (await ok(await client.get(url(patient), headers=VIEWER)))["period"]
        assert period["end"] == "2026-07-12"
        assert period["end_rule"] == (
            "有効な治療の開始（治療の記録：2HREZ/4HR）（令和8年7月12日）まで（治療・入院の記録から。調査票の入力より優先）"
        )
        stay = {"hospital": "試験結核病院", "admitted_on": "2026-07-10", "recommended": True}
        await ok(await client.post(f"{care}/hospitalisations", json=stay, headers=NURSE), 201)
        now = await ok(await client.get(url(patient), headers=VIEWER))
        period = now["period"]
        assert period["end"] == "2026-07-10" and "入院の記録：試験結核病院" in period["end_rule"]
        # each record that moved the period gave the investigation a new version (the version seen before is stale)
        assert now["version"] == saved["version"] + 3
        body = {
            "version": now["version"],
            "items": ITEMS,
            "override_end": "2026-07-08",
            "override_reason": "外来で隔離に相当する自宅待機を指示",
        }
        overridden = (await ok(await client.put(url(patient), json=body, headers=NURSE)))["period"]
        assert overridden["end"] == "2026-07-08" and overridden["overridden"]
        assert overridden["override_reason"] == "外来で隔離に相当する自宅待機を指示"
        assert "入院の記録：試験結核病院" in overridden["end_rule"]  # the computed rule stays shown beside it
