"""The F07 support plan (new, or a change of the plan in force as a new version with its reason) and the F01
assessment with the items in force, grouped, each applies + note; the level and suggested type said after the save
(R07)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ...conftest import PATIENTS, csrf_token, text_of
from .conftest import DOTS, PATIENT, PATIENT_ID, RECORDED, TREATMENT_ID, error, mock_dots_patient, mock_settings

pytestmark = pytest.mark.req("R07", partial=True)
PLAN = f"/dots/patients/{PATIENT_ID}/plan"
ASSESSMENT = f"/dots/patients/{PATIENT_ID}/assessment"


def mock_plans(backends: respx.MockRouter, plans: list[dict[str, object]]) -> None:
    """patients answers the plan page: the patient, settings, plans and courses."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
    mock_settings(backends)
    backends.get(f"{DOTS}/plans").mock(return_value=httpx.Response(200, json=plans))
    backends.get(f"{DOTS}/course").mock(return_value=httpx.Response(200, json=RECORDED["course"]))


class TestPlan:
    async def test_a_new_plan_is_sent_with_its_supporters_and_the_course(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_plans(backends, [])
        created = backends.post(f"{DOTS}/plans").mock(return_value=httpx.Response(201, json=RECORDED["plan"]))
        page = (await browser.get(PLAN)).text
        assert "計画を保存する" in page and 'id="f-plan-supporters-2-kind"' in page
        data = {"csrf_token": csrf_token(page), "starts_on": "R8.10.1", "dots_type": "outpatient", "intensity": "B"}
        data |= {"supporters.0.kind": "pharmacy", "supporters.0.name": "見本薬局", "conference_on": "R8.10.3"}
        data |= {
            "conference_participants": "主治医 見本 一郎",
            "consent_on": "R8.10.3",
            "goals": "6か月の服薬を完了する",
        }
        saved = await browser.post(PLAN, data=data)
        assert saved.status_code == 303 and saved.headers["location"] == f"/dots/patients/{PATIENT_ID}"
        sent = json.loads(created.calls.last.request.content)
        assert sent["supporters"] == [{"kind": "pharmacy", "name": "見本薬局", "place": ""}]
        assert sent["treatment_id"] == TREATMENT_ID and sent["ends_on"] is None and "nurse" not in sent
        assert (sent["starts_on"], sent["conference_on"], sent["intensity"]) == ("R8.10.1", "R8.10.3", "B")

    async def test_the_plan_in_force_is_changed_with_its_reason_on_the_version_seen(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_plans(backends, RECORDED["plans"])
        plan_id = RECORDED["plan"]["id"]
        changed = backends.patch(f"{DOTS}/plans/{plan_id}").mock(
            return_value=httpx.Response(200, json=RECORDED["plan"] | {"version": 2})
        )
        page = (await browser.get(PLAN)).text
        assert "いま有効な計画（第1版、令和8年10月1日から）を変更します。" in text_of(page)
        assert 'value="見本薬局"' in page and 'name="version" value="1"' in page
        data = {"csrf_token": csrf_token(page), "version": "1", "starts_on": "R8.10.1", "dots_type": "visit"}
        refused = await browser.post(PLAN, data=data | {"intensity": "A"})
        assert refused.status_code == 422 and "変更の理由を入力してください。" in refused.text and not changed.called
        saved = await browser.post(PLAN, data=data | {"intensity": "A", "reason": "服薬の中断があったため"})
        assert saved.status_code == 303
        sent = json.loads(changed.calls.last.request.content)
        assert sent["version"] == "1" and sent["reason"] == "服薬の中断があったため"
        assert (sent["changes"]["dots_type"], sent["changes"]["intensity"]) == ("visit", "A")
        mock_dots_patient(backends)
        assert "支援計画を変更しました（第2版）。" in (await browser.get(f"/dots/patients/{PATIENT_ID}")).text

    async def test_a_stale_change_is_a_409_with_what_was_typed_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_plans(backends, RECORDED["plans"])
        backends.patch(f"{DOTS}/plans/{RECORDED['plan']['id']}").mock(return_value=error("plan_409", 409))
        page = (await browser.get(PLAN)).text
        data = {"csrf_token": csrf_token(page), "version": "1", "starts_on": "R8.10.1", "dots_type": "visit"}
        refused = await browser.post(PLAN, data=data | {"intensity": "A", "goals": "毎日の訪問", "reason": "変更"})
        assert refused.status_code == 409 and "他の利用者によって更新されています" in refused.text
        assert "毎日の訪問" in refused.text

    async def test_the_apis_messages_are_shown_beside_their_fields(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_plans(backends, [])
        backends.post(f"{DOTS}/plans").mock(return_value=error("plan_422", 422))
        page = (await browser.get(PLAN)).text
        refused = await browser.post(PLAN, data={"csrf_token": csrf_token(page), "intensity": "B"})
        assert refused.status_code == 422
        assert 'id="f-plan-starts_on-error"' in refused.text and "日付を入力してください。" in refused.text
        assert 'href="#f-plan-dots_type"' in refused.text


class TestAssessment:
    async def test_the_items_in_force_grouped_and_the_level_and_suggestion_said_after_the_save(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        mock_settings(backends)
        created = backends.post(f"{DOTS}/assessments").mock(
            return_value=httpx.Response(201, json=RECORDED["assessment"])
        )
        page = (await browser.get(ASSESSMENT)).text
        shown = text_of(page)
        assert "疾患の特殊性" in shown and "患者の状態" in shown and "社会的背景" in shown
        assert "過去に治療を中断したことがある（該当すると支援の必要度A）" in shown
        data = {"csrf_token": csrf_token(page), "assessed_on": "R8.10.2", "a.retreatment": "1"}
        data |= {"n.retreatment": "自覚症状が乏しい", "a.many_pills": "1", "note": "初回"}
        saved = await browser.post(ASSESSMENT, data=data)
        assert saved.status_code == 303
        sent = json.loads(created.calls.last.request.content)
        assert sent["answers"]["retreatment"] == {"applies": True, "note": "自覚症状が乏しい"}
        assert sent["answers"]["homeless"] == {"applies": False, "note": ""} and sent["assessed_on"] == "R8.10.2"
        mock_dots_patient(backends)
        after = (await browser.get(f"/dots/patients/{PATIENT_ID}")).text
        assert "支援の必要度はB、提案されるDOTSの種類は「外来DOTS」です。" in after

    async def test_a_refused_item_is_named_beside_it_with_the_ticks_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        mock_settings(backends)
        answer = {"detail": "入力内容に誤りがあります。", "code": "invalid_input", "errors": {"answers.homeless": "x"}}
        backends.post(f"{DOTS}/assessments").mock(return_value=httpx.Response(422, json=answer))
        page = (await browser.get(ASSESSMENT)).text
        data = {"csrf_token": csrf_token(page), "assessed_on": "R8.10.2", "a.homeless": "1"}
        refused = await browser.post(ASSESSMENT, data=data)
        assert refused.status_code == 422 and 'id="a-homeless-error"' in refused.text
        assert 'id="a-homeless" name="a.homeless" type="checkbox" value="1" checked' in refused.text
        assert RECORDED["assessment_422"]["errors"] == {"answers.nope": "この項目はアセスメントシートにありません。"}


class TestOutcome:
    """A course's computed outcome with its rule; an override only with its reason, both kept (R07)."""

    @staticmethod
    def mock_outcome(backends: respx.MockRouter, answer: dict[str, object]) -> str:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        mock_settings(backends)
        backends.get(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(return_value=httpx.Response(200, json=answer))
        return f"/dots/patients/{PATIENT_ID}/outcomes/{TREATMENT_ID}"

    async def test_the_computed_outcome_and_its_rule_and_an_override_with_its_reason_beside_it(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = self.mock_outcome(backends, RECORDED["outcome_saved"])
        shown = text_of((await browser.get(page)).text)
        assert "判定 治療完了 （規則による判定から変更）" in shown
        assert "規則による判定 判定不能（治療中（開始から12か月以内））" in shown
        assert "変更の理由 主治医の判断" in shown and "コホート検討会の記録 検討会で確認" in shown

    async def test_an_override_without_a_reason_is_refused_beside_the_reason_and_nothing_is_sent(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = self.mock_outcome(backends, RECORDED["outcome"])
        put = backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}")
        html = (await browser.get(page)).text
        assert 'name="version" value="0"' in html
        data = {"csrf_token": csrf_token(html), "version": "0", "override_outcome": "completed"}
        refused = await browser.post(page, data=data | {"meeting_note": "検討会で確認"})
        assert refused.status_code == 422 and not put.called
        assert 'id="f-outcome-override_reason-error"' in refused.text and "検討会で確認" in refused.text

    async def test_the_review_is_sent_on_the_version_seen_and_the_page_says_the_outcome(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = self.mock_outcome(backends, RECORDED["outcome"])
        put = backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(
            return_value=httpx.Response(200, json=RECORDED["outcome_saved"])
        )
        html = (await browser.get(page)).text
        data = {"csrf_token": csrf_token(html), "version": "0", "override_outcome": "completed"}
        saved = await browser.post(
            page, data=data | {"override_reason": "主治医の判断", "meeting_note": "検討会で確認"}
        )
        assert saved.status_code == 303
        sent = json.loads(put.calls.last.request.content)
        assert sent["version"] == 0 and sent["override_outcome"] == "completed" and sent["end_reason"] is None
        assert sent["override_reason"] == "主治医の判断" and sent["meeting_note"] == "検討会で確認"
        assert "コホート判定を保存しました（判定：治療完了）。" in (await browser.get(page)).text

    async def test_the_apis_refusal_of_the_override_lands_beside_the_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = self.mock_outcome(backends, RECORDED["outcome"])
        backends.put(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(return_value=error("outcome_422", 422))
        html = (await browser.get(page)).text
        data = {
            "csrf_token": csrf_token(html),
            "version": "0",
            "override_outcome": "completed",
            "override_reason": " x",
        }
        refused = await browser.post(page, data=data)
        assert refused.status_code == 422 and 'id="f-outcome-override_reason-error"' in refused.text
