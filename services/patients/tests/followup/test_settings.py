"""The 管理検診 / 行動調査 settings through the patients API: the schedules' intervals with the §7 defaults and their
basis, the items a health center adds to the 行動調査票, each change kept with who, when and why (R06, R08, R33)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from patients.followup.config import in_force
from patients.settings import get_settings
from tbms_core.clock import today
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER, ADMIN = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1"), LiveAuthHeaders("admin1")


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


def item(settings: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in settings["items"] if s["key"] == key)


@pytest.fixture
async def restored(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Puts every setting back to the values it had, so the other tests see the defaults."""
    before = await ok(await client.get("/followup/settings", headers=VIEWER))
    yield
    after = await ok(await client.get("/followup/settings", headers=VIEWER))
    for setting in before["items"]:
        now = item(after, setting["key"])
        if now["value"] != setting["value"]:
            body = {"version": now["version"], "value": setting["value"], "reason": "試験の後始末"}
            await ok(await client.put(f"/followup/settings/{setting['key']}", json=body, headers=ADMIN))


@pytest.mark.req("R06", partial=True)
async def test_the_intervals_are_settings_with_the_defaults_and_their_basis(
    client: httpx.AsyncClient, make_patient: MakePatient, restored: None
) -> None:
    settings = await ok(await client.get("/followup/settings", headers=VIEWER))
    standard = next(p for p in settings["profiles"] if p["key"] == "standard")
    assert standard["months"] == [6, 12, 18, 24] and standard["period_months"] == 24
    assert "健感発0128第1号" in standard["default_basis"] and item(settings, "profiles")["initial"]
    profiles = item(settings, "profiles")
    value = profiles["value"] | {"standard": {"months": [12, 24], "period_months": 24}}
    body = {"version": profiles["version"], "value": value, "reason": "所長の決定（年1回に変更）"}
    assert (await client.put("/followup/settings/profiles", json=body, headers=NURSE)).status_code == 403
    saved = await ok(await client.put("/followup/settings/profiles", json=body, headers=ADMIN))
    assert saved["version"] == profiles["version"] + 1 and not saved["initial"]
    stale = await client.put("/followup/settings/profiles", json=body, headers=ADMIN)
    assert stale.status_code == 409
    patient = await make_patient(category="recovered")
    plan = {"ended_on": "2025-03-31"}
    followup = await ok(await client.put(f"/patients/{patient['id']}/followup/plan", json=plan, headers=NURSE))
    assert [e["due_on"] for e in followup["exams"]] == ["2026-03-31", "2027-03-31"]
    assert followup["profile"]["basis"].startswith("保健所の設定（12・24か月、24か月間）。既定の根拠：")
    assert "健感発0128第1号" in followup["profile"]["basis"]
    history = await ok(await client.get("/followup/settings/history", headers=VIEWER))
    assert history[0]["reason"] == "所長の決定（年1回に変更）"
    assert history[0]["record_label"] == "管理検診・行動調査の設定"
    assert history[0]["changes"][0]["label"] == "管理検診の間隔と期間"


@pytest.mark.req("R06", partial=True)
async def test_bad_intervals_are_refused_with_the_reason_and_nothing_changes(
    client: httpx.AsyncClient, restored: None
) -> None:
    profiles = item(await ok(await client.get("/followup/settings", headers=VIEWER)), "profiles")
    value = profiles["value"] | {"standard": {"months": [6, 30], "period_months": 24}}
    refused = await client.put(
        "/followup/settings/profiles", json={"version": profiles["version"], "value": value}, headers=ADMIN
    )
    assert refused.status_code == 422
    assert "期間を超えています" in refused.json()["errors"]["value.standard"]
    after = item(await ok(await client.get("/followup/settings", headers=VIEWER)), "profiles")
    assert after["value"] == profiles["value"] and after["version"] == profiles["version"]


@pytest.mark.req("R08", "R33", partial=True)
async def test_items_added_in_the_settings_are_asked_and_kept(
    client: httpx.AsyncClient, make_patient: MakePatient, restored: None
) -> None:
    extra = item(await ok(await client.get("/followup/settings", headers=VIEWER)), "investigation_extra_items")
    bad = {"version": extra["version"], "value": {"Pet!": "ペット"}}
    refused = await client.put("/followup/settings/investigation_extra_items", json=bad, headers=ADMIN)
    assert refused.status_code == 422 and "Pet!" in str(refused.json()["errors"])
    body = {"version": extra["version"], "value": {"pet": "ペットの飼育"}, "reason": "保健所の項目を追加"}
    await ok(await client.put("/followup/settings/investigation_extra_items", json=body, headers=ADMIN))
    patient = await make_patient()
    url = f"/patients/{patient['id']}/investigation"
    saved = await ok(await client.put(url, json={"items": {"extra": {"pet": "犬1匹"}}}, headers=NURSE))
    assert saved["extra_items"] == {"pet": "ペットの飼育"} and saved["items"]["extra"] == {"pet": "犬1匹"}
    unknown = {"version": saved["version"], "items": {"extra": {"car": "あり"}}}
    refused = await client.put(url, json=unknown, headers=NURSE)
    assert refused.status_code == 422 and "設定にない項目です：car" in refused.json()["errors"]["items.extra"]


def test_the_environment_gives_the_initial_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "investigation_extra_items", {"pet": "ペットの飼育"})
    monkeypatch.setattr(get_settings(), "followup_profiles", {"standard": {"months": [12, 24]}})
    table, extra = in_force({})
    assert extra == {"pet": "ペットの飼育"} and table["standard"].months == (12, 24)
    table, extra = in_force({"investigation_extra_items": {}})  # once stored, the database's value wins
    assert extra == {} and table["ltbi_high_risk"].months == (6, 12, 18, 24)


@pytest.mark.req("R08", partial=True)
async def test_a_smear_negative_case_counts_back_the_months_the_health_center_sets(
    client: httpx.AsyncClient, make_patient: MakePatient, restored: None
) -> None:
    setting = item(await ok(await client.get("/followup/settings", headers=VIEWER)), "infectious_period")
    assert setting["value"] == {"lookback_months": 3, "smear_negative_months": 1} and setting["initial"]
    longer = {"version": setting["version"], "value": {"lookback_months": 3, "smear_negative_months": 4}}
    refused = await client.put("/followup/settings/infectious_period", json=longer, headers=ADMIN)
    assert refused.status_code == 422 and "通常の月数以下" in refused.json()["errors"]["value"]
    patient = await make_patient()
    url = f"/patients/{patient['id']}/investigation"
    items = {"symptoms": [{"symptom": "cough", "onset_on": "2026-04-15"}], "smear_negative": True}
    saved = await ok(await client.put(url, json={"items": items}, headers=NURSE))
    assert saved["period"]["start"] == "2026-03-15"  # the shipped default: 1 month
    body = {"version": setting["version"], "value": {"lookback_months": 3, "smear_negative_months": 2}}
    await ok(
        await client.put("/followup/settings/infectious_period", json=body | {"reason": "所長の決定"}, headers=ADMIN)
    )
    period = (await ok(await client.get(url, headers=VIEWER)))["period"]
    assert (
        period["start"] == "2026-02-15"
        and period["rule"] == "咳の出現（令和8年4月15日）の塗抹陰性のため2か月前（保健所の設定）"
    )


@pytest.mark.req("R06", partial=True)
async def test_a_changed_interval_moves_the_open_exams_at_once_and_never_the_done_ones(
    client: httpx.AsyncClient, make_patient: MakePatient, restored: None
) -> None:
    patient, excluded = await make_patient(category="recovered"), await make_patient(category="recovered")
    plans = {}
    for person in (patient, excluded):
        url = f"/patients/{person['id']}/followup"
        plans[person["id"]] = await ok(await client.put(f"{url}/plan", json={"ended_on": "2025-03-31"}, headers=NURSE))
    first = plans[patient["id"]]["exams"][0]
    done = {"examined_on": "2025-10-01", "method": "exam", "xray_finding": "著変なし", "judgement": "normal"}
    body = {"version": first["version"], "changes": done, "reason": ""}
    await ok(await client.patch(f"/patients/{patient['id']}/followup/exams/{first['id']}", json=body, headers=NURSE))
    other = await ok(await client.get(f"/patients/{excluded['id']}", headers=VIEWER))
    exclusion = {
        "version": other["version"],
        "excluded_on": today().isoformat(),
        "reason": "transfer_out",
        "note": "転出",
    }
    await ok(await client.post(f"/patients/{excluded['id']}/exclusion", json=exclusion, headers=NURSE))

    profiles = item(await ok(await client.get("/followup/settings", headers=VIEWER)), "profiles")
    value = profiles["value"] | {"standard": {"months": [6, 12, 24], "period_months": 24}}
    body = {"version": profiles["version"], "value": value, "reason": "所長の決定（2年目は1回）"}
    saved = await ok(await client.put("/followup/settings/profiles", json=body, headers=ADMIN))
    assert saved["rescheduled_plans"] >= 1 and saved["rescheduled_exams"] >= 2

    exams = (await ok(await client.get(f"/patients/{patient['id']}/followup", headers=VIEWER)))["exams"]
    by_seq = {exam["seq"]: exam for exam in exams}
    assert by_seq[1]["due_on"] == "2025-09-30" and by_seq[1]["version"] == first["version"] + 1  # done: not moved
    assert by_seq[3]["due_on"] == "2027-03-31" and by_seq[3]["months"] == 24
    assert by_seq[3]["reason"].startswith("治療終了日（令和7年3月31日）から24か月")
    assert by_seq[4]["status"] == "cancelled" and by_seq[2]["due_on"] == "2026-03-31"
    history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER))
    moved = [entry for entry in history["items"] if entry["record_label"] == "管理検診"]
    assert moved[0]["reason"] == "管理検診の間隔の設定変更により予定日を再計算：所長の決定（2年目は1回）"
    untouched = (await ok(await client.get(f"/patients/{excluded['id']}/followup", headers=VIEWER)))["exams"]
    assert [exam["due_on"] for exam in untouched] == [e["due_on"] for e in plans[excluded["id"]]["exams"]]
