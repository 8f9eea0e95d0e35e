"""The 管理検診 pages (R06) and the 行動調査票 (R08) through the real patients service: the plan saved from the page
and its dates shown with their reasons, an exam recorded (and refused beside the field), the clerk's list, the
登録除外 proposal confirmed, and the investigation with its computed infectious period and delays."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx
from gateway.web.templating import wareki_with_seireki
from tbms_core.clock import today
from tbms_core.dates import add_months
from tbms_core.jp.wareki import WarekiError, parse_date

from ...conftest import CONTACTS, REPORTS, csrf_token, text_of
from .conftest import MakePatient


def section(html: str, title_id: str) -> str:
    """The text of the section headed by this id."""
    start = html.index(f'id="{title_id}"')
    return text_of(html[start : html.index("</section>", start)])


def version_in(html: str, action: str) -> str:
    found = re.search(rf'action="{re.escape(action)}".*?name="version" value="(\d+)"', html, re.S)
    assert found, action
    return found.group(1)


@pytest.mark.req("R06", partial=True)
class TestFollowupPage:
    async def test_the_plan_is_saved_and_each_date_shows_why(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        page = f"/followup/patients/{patient['id']}"
        html = (await browser.get(page)).text
        assert "まだ計画がありません" in html, text_of(html)[-1500:]
        refused = await browser.post(f"{page}/plan", data={"csrf_token": csrf_token(html), "ended_on": ""})
        assert refused.status_code == 422 and "治療終了日を入力してください" in text_of(refused.text)
        assert 'aria-invalid="true"' in refused.text.split('id="ended_on"')[1][:400]
        saved = await browser.post(f"{page}/plan", data={"csrf_token": csrf_token(html), "ended_on": "R7.8.31"})
        assert saved.status_code == 303
        shown = (await browser.get(page)).text
        plan = section(shown, "plan-title")
        assert "治療終了日 令和7年8月31日（2025年8月31日）" in plan and "健感発0128第1号" in plan
        schedule = section(shown, "schedule-title")
        assert (
            "令和8年2月28日（2026年2月28日） 治療終了日（令和7年8月31日）から6か月（治療終了後2年間・6か月ごと）"
            in schedule
        )
        assert "令和9年8月31日（2027年8月31日）" in schedule

        moved = await browser.post(
            f"{page}/plan",
            data={"csrf_token": csrf_token(shown), "version": version_in(shown, f"{page}/plan"),
                  "ended_on": "2025-09-15", "reason": "終了日の訂正"},
        )  # fmt: skip
        assert moved.status_code == 303
        again = section((await browser.get(page)).text, "schedule-title")
        assert "令和8年3月15日（2026年3月15日） 治療終了日（令和7年9月15日）から6か月" in again

    async def test_an_exam_is_recorded_and_a_wrong_one_is_refused_beside_its_field(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(ended_on="2025-08-31")
        page = f"/followup/patients/{patient['id']}"
        html = (await browser.get(page)).text
        action = re.search(rf'action="({re.escape(page)}/exams/[0-9a-f-]+)"', html).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": csrf_token(html), "version": version_in(html, action)}
        refused = await browser.post(action, data=form | {"judgement": "normal"})
        assert refused.status_code == 422 and "判定を入力するときは実施日" in text_of(refused.text)
        assert 'value="normal" selected' in refused.text  # the typed value stays
        beside = refused.text.split('id="e1-done-error"')[1]  # the message is beside 実施日, up to its input's end
        beside = beside[: beside.index(">", beside.index('<input id="e1-done"'))]
        assert "判定を入力するときは実施日" in beside and 'aria-invalid="true"' in beside
        done = await browser.post(
            action,
            data=form | {"examined_on": "R8.3.2", "method": "exam", "xray_finding": "著変なし", "judgement": "normal"},
        )
        assert done.status_code == 303
        schedule = section((await browser.get(page)).text, "schedule-title")
        assert "令和8年3月2日（管理検診） X線：著変なし" in schedule and "異常なし 実施済" in schedule

    async def test_the_clerks_list_and_the_nav_link(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        # the service runs on today's date: an end 5 months ago puts the first exam in the next month
        first_due = add_months(today().replace(day=15), 1)
        patient = await make_patient(ended_on=add_months(first_due, -6).isoformat(), district="見本北地区")
        html = (await browser.get("/followup?view=notices&district=見本北地区")).text
        listed = text_of(html)
        assert "今月送るお知らせ：1件" in listed and patient["name"] in listed and "未送付" in listed
        assert wareki_with_seireki(first_due) in listed
        assert '<a href="/followup" aria-current="page">管理検診</a>' in html
        assert "この画面の使い方" in listed and "予定日の横に、その日になった理由" in listed  # texts/followup.md
        overdue = text_of((await browser.get("/followup?view=overdue&district=見本北地区")).text)
        assert "該当する管理検診はありません" in overdue
        old = await make_patient(ended_on="2025-08-31", district="見本南地区")
        overdue = text_of((await browser.get("/followup?view=overdue&district=見本南地区")).text)
        assert "期限を過ぎた検診：2件" in overdue and "期限超過" in overdue and old["name"] in overdue
        bad = await browser.get("/followup?view=due&month=2026-13")
        assert bad.status_code == 422 and "2026-04 の形" in text_of(bad.text)

    async def test_the_exclusion_is_proposed_and_confirmed(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, patients_api: httpx.AsyncClient
    ) -> None:
        from tbms_testing import auth_headers

        patient = await make_patient(ended_on="2024-03-31")
        followup = (
            await patients_api.get(f"/patients/{patient['id']}/followup", headers=auth_headers("nurse1"))
        ).json()
        for exam in followup["exams"]:
            body = {"version": exam["version"], "changes": {"examined_on": exam["due_on"], "judgement": "normal"}}
            answer = await patients_api.patch(
                f"/patients/{patient['id']}/followup/exams/{exam['id']}", json=body, headers=auth_headers("nurse1")
            )
            assert answer.status_code == 200, answer.text
        page = f"/followup/patients/{patient['id']}"
        html = (await browser.get(page)).text
        proposal = section(html, "proposal-title")
        assert "登録除外の提案（経過観察終了）" in proposal and "所見がありません" in proposal
        confirmed = await browser.post(
            f"{page}/exclusion", data={"csrf_token": csrf_token(html), "version": version_in(html, f"{page}/exclusion")}
        )
        assert confirmed.status_code == 303
        stored = (await patients_api.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))).json()
        assert stored["status"] == "excluded" and stored["exclusion_reason"] == "followup_ended"


def refusal(typed: str) -> str:
    """What parse_date (patients' reading of a typed date) says of a date it cannot read."""
    with pytest.raises(WarekiError) as refused:
        parse_date(typed)
    return str(refused.value)


@pytest.mark.req("R08", partial=True)
class TestInvestigationPage:
    async def test_the_form_saves_and_shows_the_period_with_its_rule_and_the_delays(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="patient")
        page = f"/followup/patients/{patient['id']}/investigation"
        html = (await browser.get(page)).text
        form = {
            "csrf_token": csrf_token(html),
            "interviewed_on": "R8.7.25",
            "has-cough": "1",
            "symptom-cough": "R8.4.15",
            "visits-0-visited_on": "2026-06-14",
            "visits-0-institution": "見本内科",
            "diagnosed_on": "2026-07-14",
            "isolated_on": "2026-07-18",
            "household-0-name": "見本 花子",
            "household-0-relation": "妻",
            "household-0-age": "50",
            "settings-0-kind": "school",
            "settings-0-name": "見本小学校 3年2組",
            "settings-0-ventilation": "poor",
        }
        saved = await browser.post(page, data=form)
        assert saved.status_code == 303, text_of(saved.text)[:1500]
        shown = (await browser.get(page)).text
        computed = section(shown, "computed-title")
        assert "令和8年1月15日（2026年1月15日） 〜 令和8年7月18日（2026年7月18日）" in computed
        assert "咳の出現（令和8年4月15日）の3か月前" in computed and "隔離・入院（令和8年7月18日）まで" in computed
        # onset 15 Apr → first visit 14 Jun: one day short of 2 months; 14 Jun → 14 Jul: exactly 1 month
        assert "受診の遅れ なし" in computed and "診断の遅れ 診断の遅れあり" in computed
        assert "暦の月で数えます" in computed
        candidates = section(shown, "candidates-title")
        assert "同居者 見本 花子 妻（50歳）" in candidates and "学校・学級 見本小学校 3年2組" in candidates

    async def test_a_wrong_date_is_refused_and_the_typed_values_stay(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="patient")
        page = f"/followup/patients/{patient['id']}/investigation"
        html = (await browser.get(page)).text
        refused = await browser.post(
            page, data={"csrf_token": csrf_token(html), "household-0-name": "見本 一郎", "override_start": "2026-01-01"}
        )
        assert refused.status_code == 422 and "理由を入力してください" in text_of(refused.text)
        assert "理由を入力してください" in refused.text.split('id="override_reason-error"')[1][:200]
        assert 'value="見本 一郎"' in refused.text

    @pytest.mark.req("N27", partial=True)
    async def test_a_rows_wrong_date_is_said_beside_that_date_only(
        self, browser: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="patient")
        page = f"/followup/patients/{patient['id']}/investigation"
        html = (await browser.get(page)).text
        form = {
            "csrf_token": csrf_token(html),
            "has-cough": "1",
            "symptom-cough": "R8.4.15",
            "has-fever": "1",
            "symptom-fever": "R8.2.30",
            "visits-0-visited_on": "2026-06-14",
            "places-0-name": "見本体育館",
            "places-0-from_on": "H40.1.1",
            "travel-0-name": "見本旅行",
            "travel-0-to_on": "450301",
        }
        refused = await browser.post(page, data=form)
        assert refused.status_code == 422
        beside = {
            found[0]: re.sub(r"<[^>]+>", "", found[1])
            for found in re.findall(r'<p class="field-error" id="([\w-]+)-error">(.*?)</p>', refused.text, re.S)
        }
        assert beside == {
            "symptom-fever": f"エラー：{refusal('R8.2.30')}",  # not beside 咳's, the other symptom sent
            "visits-0-institution": "エラー：必須項目です。",
            "places-0-from_on": f"エラー：{refusal('H40.1.1')}",  # not beside the place's kind
            "travel-0-to_on": f"エラー：{refusal('450301')}",
        }


@pytest.mark.req("R08", partial=True)
async def test_a_household_candidate_is_registered_as_a_contact_through_the_contacts_api(
    browser: httpx.AsyncClient, make_patient: MakePatient, patients_api: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    from tbms_testing import auth_headers

    patient = await make_patient(category="patient")
    items = {
        "symptoms": [{"symptom": "cough", "onset_on": "2026-04-15"}],
        "isolated_on": "2026-07-18",
        "household": [{"name": "見本 一郎", "relation": "長男", "age": 8}],
        "settings": [{"kind": "school", "name": "見本小学校 3年2組", "ventilation": "poor"}],
    }
    saved = await patients_api.put(
        f"/patients/{patient['id']}/investigation", json={"items": items}, headers=auth_headers("nurse1")
    )
    assert saved.status_code == 200, saved.text
    registered = backends.post(f"{CONTACTS}/contacts").mock(
        return_value=httpx.Response(201, json={"id": "0b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a99", "version": 1})
    )
    page = f"/followup/patients/{patient['id']}/investigation"
    html = (await browser.get(page)).text
    assert "見本 一郎さんを接触者として登録" in html and "「見本小学校 3年2組」を接触者の集団として登録" in html
    answer = await browser.post(f"{page}/candidates/0", data={"csrf_token": csrf_token(html)})
    assert answer.status_code == 303 and answer.headers["location"] == "/contacts/0b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a99"
    sent = json.loads(registered.calls.last.request.content)
    exposure = sent["exposures"][0]
    assert sent["name"] == "見本 一郎" and exposure["setting"] == "household" and exposure["relation"] == "長男"
    assert (exposure["first_contact_on"], exposure["last_contact_on"]) == ("2026-01-15", "2026-07-18")
    assert exposure["index_patient_id"] == patient["id"]
    groups = backends.get(f"{CONTACTS}/groups").mock(return_value=httpx.Response(200, json={"items": []}))
    created = backends.post(f"{CONTACTS}/groups").mock(
        return_value=httpx.Response(201, json={"id": "1c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a55", "version": 1})
    )
    group = await browser.post(f"{page}/candidates/1", data={"csrf_token": csrf_token(html)})
    assert group.status_code == 303 and registered.call_count == 1  # a class is not registered as one person
    assert group.headers["location"] == "/requests/groups/1c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a55"
    body = json.loads(created.calls.last.request.content)
    assert body["index_patient_id"] == patient["id"] and body["name"] == "見本小学校 3年2組"
    assert body["setting"] == "school" and body["poor_ventilation"] is True
    assert (body["first_contact_on"], body["last_contact_on"]) == ("2026-01-15", "2026-07-18")
    assert body["note"].startswith("行動調査から登録：学校・学級で同じ時間・部屋を共有")
    assert groups.calls.last.request.url.params["index_patient_id"] == patient["id"]
    groups.mock(
        return_value=httpx.Response(
            200, json={"items": [{"id": "1c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a55", "name": "見本小学校 3年2組"}]}
        )
    )
    again = await browser.post(f"{page}/candidates/1", data={"csrf_token": csrf_token(html)})
    assert again.headers["location"].endswith("0a55") and created.call_count == 1  # registered once


@pytest.mark.req("F29", partial=True)
@pytest.mark.req("F06", partial=True)
async def test_the_patient_page_links_the_sections_and_the_forms_are_printed_from_them(
    browser: httpx.AsyncClient, make_patient: MakePatient, backends: respx.MockRouter
) -> None:
    patient = await make_patient(ended_on="2025-08-31")
    html = (await browser.get(f"/patients/{patient['id']}")).text
    assert f'href="/followup/patients/{patient["id"]}"' in html and "/investigation" in html
    assert 'name="form" value="F06"' in html
    printed = backends.post(f"{REPORTS}/documents").mock(
        return_value=httpx.Response(201, json={"id": "7c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a77"})
    )
    page = (await browser.get(f"/followup/patients/{patient['id']}")).text
    options = re.findall(r'<option value="([0-9a-f-]{36})"( selected)?>(第\d回[^<]*)</option>', page)
    assert [o[2].split(" ")[0] for o in options] == ["第1回", "第2回", "第3回", "第4回"]
    assert [o[1] for o in options].index(" selected") == options.index(next(o for o in options if o[1]))
    third = options[2][0]
    answer = await browser.post(
        f"/followup/patients/{patient['id']}/notice", data={"csrf_token": csrf_token(page), "exam_id": third}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/documents/7c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a77"
    sent = json.loads(printed.calls.last.request.content)
    assert sent == {"form": "F29", "patient_id": patient["id"], "record_id": third}
    unknown = await browser.post(
        f"/followup/patients/{patient['id']}/notice",
        data={"csrf_token": csrf_token(page), "exam_id": "00000000-0000-4000-8000-000000000000"},
    )
    assert unknown.status_code == 303 and printed.call_count == 1  # not one of the patient's exams: nothing printed
