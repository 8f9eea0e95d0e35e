"""The course's tests and side effects (F04), the LTBI end with the F02 checklist, the DOTS forms printed from the
DOTS pages (F01, F02, F04, F07), and the DOTS settings page that only マスタ管理 may change (R07)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import (
    NURSE_ROLES,
    PATIENTS,
    REPORTS,
    FakeKeycloakType,
    Login,
    csrf_token,
    logged_in_chromium,
    text_of,
    with_roles,
)
from .conftest import DOTS, PATIENT, PATIENT_ID, RECORDED, TREATMENT_ID, mock_dots_patient, recorded

pytestmark = pytest.mark.req("R07", partial=True)
COURSE = f"/dots/patients/{PATIENT_ID}/course"
LTBI = f"/dots/patients/{PATIENT_ID}/ltbi/{TREATMENT_ID}"
CHECKLIST = [
    {"key": "doses_completed", "label": "処方の必要服薬数を服薬し治療を終えた", "basis": "JSTB 指針（2013）"},
    {"key": "symptom_advice", "label": "咳・痰・発熱などが続くときは受診するよう指導した", "basis": "JSTB（2016）"},
]
DOCUMENT_ID = "7c0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a77"


def settings_with_checklist() -> dict[str, Any]:
    """patients' settings as they are now: the recorded ones and the F02 checklist."""
    settings = recorded("settings")
    settings["items"].append({"key": "ltbi_checklist", "value": CHECKLIST, "default": True, "version": 0})
    return settings


def course_with_tests() -> list[dict[str, Any]]:
    """The recorded course with two sputum tests, a side effect and an LTBI completion."""
    course = recorded("course")["items"]
    course[0]["tests"] = [
        {"collected_on": "2026-10-02", "kind": "culture", "month": 1, "positive": True},
        {"collected_on": "2026-11-20", "kind": "smear", "month": 2, "positive": False},
    ]
    course[0]["side_effects"] = [{"on": "2026-11-12", "text": "手足のしびれ"}]
    course[0]["ltbi"] = {
        "regimen": "6H",
        "regimen_label": "INH 6か月",
        "label": "治療中",
        "why": "必要服薬数180回のうち60回服薬（9か月以内に完了）。",
        "doses_taken": 60,
        "doses_needed": 180,
        "deadline": "2027-07-01",
        "basis": "JSTB 潜在性結核感染症治療指針（2013）：INH 6か月または9か月（§5.3）",
    }
    return course


def mock_ltbi(backends: respx.MockRouter) -> None:
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
    backends.get(f"{PATIENTS}/dots/settings").mock(return_value=httpx.Response(200, json=settings_with_checklist()))
    outcome = recorded("outcome") | {"review": None}
    backends.get(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(return_value=httpx.Response(200, json=outcome))
    backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json={"items": course_with_tests()}))


class TestCourse:
    @pytest.mark.req("F04", partial=True)
    async def test_the_tests_by_month_and_the_side_effects_are_shown_with_the_print_buttons(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json={"items": course_with_tests()}))
        page = (await browser.get(COURSE)).text
        shown = text_of(page)
        assert "令和8年10月2日 1か月目 培養 陽性" in shown and "令和8年11月20日 2か月目 塗抹 陰性" in shown
        assert "令和8年11月12日 手足のしびれ" in shown
        assert f'href="/dots/patients/{PATIENT_ID}/ltbi/{TREATMENT_ID}"' in page
        assert all(f'name="form" value="{code}"' in page for code in ("F01", "F02", "F04", "F07"))

    async def test_the_patient_page_links_the_course_page_and_prints(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        page = (await browser.get(f"/dots/patients/{PATIENT_ID}?month=2026-11")).text
        assert f'href="{COURSE}"' in page and 'name="form" value="F07"' in page

    @pytest.mark.req("F01", partial=True)
    @pytest.mark.req("F07", partial=True)
    async def test_a_form_is_asked_of_reports_and_opened(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json={"items": course_with_tests()}))
        printed = backends.post(f"{REPORTS}/documents").mock(return_value=httpx.Response(201, json={"id": DOCUMENT_ID}))
        page = (await browser.get(COURSE)).text
        url = f"/dots/patients/{PATIENT_ID}/documents"
        for asked, sent in (("F01", "F01"), ("F04", "F04"), ("F03", "F07")):  # only the DOTS forms from here
            answer = await browser.post(url, data={"csrf_token": csrf_token(page), "form": asked})
            assert answer.status_code == 303 and answer.headers["location"] == f"/documents/{DOCUMENT_ID}"
            assert json.loads(printed.calls.last.request.content) == {"form": sent, "patient_id": PATIENT_ID}

    @pytest.mark.req("F04", partial=True)
    async def test_f04_is_asked_for_the_course_chosen_on_the_course_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json={"items": course_with_tests()}))
        printed = backends.post(f"{REPORTS}/documents").mock(return_value=httpx.Response(201, json={"id": DOCUMENT_ID}))
        page = (await browser.get(COURSE)).text
        assert f'name="treatment_id" value="{TREATMENT_ID}"' in page and "この治療の経過（F04）を出力" in text_of(page)
        url = f"/dots/patients/{PATIENT_ID}/documents"
        chosen = {"csrf_token": csrf_token(page), "form": "F04", "treatment_id": TREATMENT_ID}
        assert (await browser.post(url, data=chosen)).status_code == 303
        body = {"form": "F04", "patient_id": PATIENT_ID, "record_id": TREATMENT_ID}
        assert json.loads(printed.calls.last.request.content) == body
        for ignored in ({"form": "F04", "treatment_id": "not-a-course"}, {"form": "F07", "treatment_id": TREATMENT_ID}):
            assert (await browser.post(url, data={"csrf_token": csrf_token(page)} | ignored)).status_code == 303
            assert "record_id" not in json.loads(printed.calls.last.request.content)  # the current course; F07 has none


class TestLtbiEnd:
    @pytest.mark.req("F02", partial=True)
    async def test_the_checklist_shows_each_basis_and_is_sent_on_the_version_seen(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_ltbi(backends)
        saved = backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(
            return_value=httpx.Response(200, json=RECORDED["outcome_saved"])
        )
        page = (await browser.get(LTBI)).text
        shown = text_of(page)
        assert "治療中 ：必要服薬数180回のうち60回服薬" in shown and "60回／必要 180回" in shown
        assert "処方の根拠 JSTB 潜在性結核感染症治療指針（2013）" in shown
        assert "根拠：JSTB（2016）" in shown and 'name="c.doses_completed"' in page
        data = {"csrf_token": csrf_token(page), "version": "0", "ltbi_checked_on": "R8.12.1", "end_reason": "completed"}
        data |= {"c.symptom_advice": "1", "n.symptom_advice": "受診の目安を説明", "meeting_note": "管理検診なし"}
        answer = await browser.post(LTBI, data=data)
        assert answer.status_code == 303 and answer.headers["location"] == LTBI
        assert json.loads(saved.calls.last.request.content) == {
            "version": 0,
            "ltbi_checked_on": "R8.12.1",
            "end_reason": "completed",
            "meeting_note": "管理検診なし",
            "ltbi_checklist": {
                "doses_completed": {"checked": False, "note": ""},
                "symptom_advice": {"checked": True, "note": "受診の目安を説明"},
            },
        }

    @pytest.mark.req("F02", partial=True)
    async def test_a_wrong_date_is_named_beside_it_and_the_input_stays(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_ltbi(backends)
        refusal = {"detail": "", "errors": {"ltbi_checked_on": "未来の日付は入力できません。"}}
        backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(return_value=httpx.Response(422, json=refusal))
        page = (await browser.get(LTBI)).text
        data = {
            "csrf_token": csrf_token(page),
            "version": "0",
            "ltbi_checked_on": "R9.1.1",
            "n.doses_completed": "残薬",
        }
        answer = await browser.post(LTBI, data=data)
        assert answer.status_code == 422
        assert 'id="ltbi_checked_on-error"' in answer.text and "未来の日付は入力できません。" in answer.text
        assert 'value="R9.1.1"' in answer.text and 'value="残薬"' in answer.text


class TestSettings:
    async def test_a_nurse_reads_nothing_and_changes_nothing(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        changed = backends.put(f"{PATIENTS}/dots/settings/cohort_rules").mock(return_value=httpx.Response(200))
        assert (await browser.get("/dots/settings")).status_code == 403
        assert (await browser.post("/dots/settings/cohort_rules", data={"reason": "x"})).status_code in (403, 400)
        assert not changed.called

    async def test_an_administrator_changes_the_cohort_numbers_with_a_reason(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["patients:update", "masters:update"])
        await login(client)
        backends.get(f"{PATIENTS}/dots/settings").mock(return_value=httpx.Response(200, json=settings_with_checklist()))
        changed = backends.put(f"{PATIENTS}/dots/settings/cohort_rules").mock(
            return_value=httpx.Response(200, json={"key": "cohort_rules", "value": {}, "default": False, "version": 1})
        )
        page = (await client.get("/dots/settings")).text
        shown = text_of(page)
        assert "脱落・中断とする累計の中断日数" in shown and "根拠：結核医療の基準" in shown
        assert "処方の必要服薬数を服薬し治療を終えた｜JSTB 指針（2013）" in page
        rules = next(i["value"] for i in RECORDED["settings"]["items"] if i["key"] == "cohort_rules")
        data = {"csrf_token": csrf_token(page), "version": "0"} | {k: str(v) for k, v in rules.items()}
        data["interruption_days"] = "61"
        refused = await client.post("/dots/settings/cohort_rules", data=data)
        assert refused.status_code == 422 and "変更の理由を入力してください" in refused.text and not changed.called
        saved = await client.post("/dots/settings/cohort_rules", data=data | {"reason": "検討会の申し合わせ"})
        assert saved.status_code == 303 and saved.headers["location"] == "/dots/settings#cohort_rules-title"
        sent = json.loads(changed.calls.last.request.content)
        assert sent["version"] == 0 and sent["reason"] == "検討会の申し合わせ"
        assert sent["value"]["interruption_days"] == "61" and sent["value"]["window_first"] == str(
            rules["window_first"]
        )

    async def test_a_list_setting_is_sent_one_item_a_line_and_a_wrong_line_is_named(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["patients:update", "masters:update"])
        await login(client)
        backends.get(f"{PATIENTS}/dots/settings").mock(return_value=httpx.Response(200, json=settings_with_checklist()))
        refusal = {"detail": "", "errors": {"value.1.group": "グループが選択肢にありません。"}}
        changed = backends.put(f"{PATIENTS}/dots/settings/assessment_items").mock(
            return_value=httpx.Response(422, json=refusal)
        )
        page = (await client.get("/dots/settings")).text
        lines = "homeless｜social｜住所不定｜高\nalone|nowhere|単身"
        data = {"csrf_token": csrf_token(page), "version": "0", "lines": lines, "reason": "様式改正"}
        answer = await client.post("/dots/settings/assessment_items", data=data)
        assert answer.status_code == 422 and "2行目：グループが選択肢にありません。" in text_of(answer.text)
        assert json.loads(changed.calls.last.request.content)["value"] == [
            {"key": "homeless", "group": "social", "label": "住所不定", "high": True},
            {"key": "alone", "group": "nowhere", "label": "単身", "high": False},
        ]


class TestInChromium:
    @pytest.mark.req("F02", partial=True)
    @pytest.mark.req("F04", partial=True)
    async def test_the_course_the_ltbi_end_and_the_settings_pass_axe(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        shots: Path,
        settings: Settings,
        keycloak: FakeKeycloakType,
    ) -> None:
        with_roles(keycloak, [*NURSE_ROLES, "masters:update"])
        mock_ltbi(backends)
        refusal = {"detail": "", "errors": {"ltbi_checked_on": "未来の日付は入力できません。"}}
        backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(return_value=httpx.Response(422, json=refusal))
        settings.public_url = served
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, COURSE) as browser:
            found["course"] = await look(browser, shots, "dots-course")
            await browser.go(f"{served}{LTBI}")
            found["ltbi"] = await look(browser, shots, "dots-ltbi-end")
            await browser.click("form.form button[type=submit]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            found["ltbi-refused"] = await look(browser, shots, "dots-ltbi-end-refused")
            await browser.go(f"{served}/dots/settings")
            found["settings"] = await look(browser, shots, "dots-settings")
        assert found == {page: [] for page in found}, found
