"""The complete registration card in the gateway, through the real patients service (R03, R04, R21, R30, R33).

The patients service runs in-process on its own database; the gateway's calls to it are forwarded there with a
real Keycloak token of nurse1, so every form is checked against the API's own validation and storage.
"""

from __future__ import annotations

import random
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from gateway.web.templating import wareki
from tbms_testing import auth_headers

from ...conftest import CARD_CODES, Login

CsrfOf = Callable[[str], str]
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


async def test_the_recorded_code_lists_are_what_patients_serves(patients_api: httpx.AsyncClient) -> None:
    """The fake back ends of the other gateway tests answer with card_codes.json; it must not drift. The lists
    masters' コード表 feeds (職業, 検体 …) may hold codes added in マスタ管理 besides the recorded ones, and
    `former:<list>` the ended ones: the recorded codes are there, in their order, with their labels."""
    live = await patients_api.get("/reference/card", headers=auth_headers("viewer1"))
    assert live.status_code == 200
    served = live.json()
    assert set(served) == set(CARD_CODES)
    for name, recorded in CARD_CODES.items():
        if name.startswith("former:"):
            continue
        if f"former:{name}" in CARD_CODES:
            assert [(code, label) for code, label in served[name].items() if code in recorded] == list(
                recorded.items()
            ), name
        else:
            assert served[name] == recorded, name


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, real_patients: httpx.AsyncClient) -> httpx.AsyncClient:
    """A logged-in nurse's browser in front of the real patients service."""
    await login(client)
    return client


def person() -> tuple[str, str]:
    """A name and reading nobody else in this database has (so no duplicate warning unless a test wants one)."""
    suffix = "".join(random.choice(KATAKANA) for _ in range(4))
    return f"見本 {suffix}", f"ミホン {suffix}"


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, title_id: str) -> str:
    """One section of the patient page (up to its end)."""
    start = html.index(f'aria-labelledby="{title_id}"')
    return html[start : html.index("</section>", start)]


def version_in(html: str, action: str) -> str:
    """The version a form on the page was filled from."""
    found = re.search(rf'action="{re.escape(action)}".*?name="version" value="(\d+)"', html, re.S)
    assert found, action
    return found.group(1)


async def register(browser: httpx.AsyncClient, csrf_of: CsrfOf, **typed: Any) -> str:
    """Registers a patient through the registration form; returns the new patient's id."""
    name, kana = person()
    token = csrf_of((await browser.get("/patients/new")).text)
    form = {"csrf_token": token, "name": name, "name_kana": kana, "sex": "female", "birth_date": "S52.4.1"}
    form |= {"category": "patient", "step": "confirmed", **typed}
    response = await browser.post("/patients", data=form)
    assert response.status_code == 303, text_of(response.text)[:2000]
    return response.headers["location"].removeprefix("/patients/")


async def page_of(browser: httpx.AsyncClient, patient_id: str) -> str:
    """The patient page's HTML."""
    response = await browser.get(f"/patients/{patient_id}")
    assert response.status_code == 200, text_of(response.text)[:2000]
    return response.text


Register = Callable[..., Awaitable[str]]


@pytest.mark.req("R03")
class TestRegistrationCard:
    async def test_the_form_groups_the_card_items_under_labelled_fieldsets(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get("/patients/new")).text
        for legend in ("本人", "連絡先", "登録", "届出", "病状", "治療歴・合併症"):
            assert f"<legend>{legend}</legend>" in html, legend
        assert re.search(r"<legend>学会分類（例: bII2", html) and "保護者（未成年のとき）" in html
        for field_id, label in (
            ("f-alias", "通称・旧姓"),
            ("f-occupation", "職業区分"),
            ("f-birth_country", "出生国"),
            ("f-nationality", "国籍"),
            ("f-notification-notified_on", "届出日"),
            ("f-notification-doctor_name", "届出医師"),
            ("f-disease-gakkai_extent", "拡がり"),
            ("f-disease-onset_on", "発病日"),
            ("f-disease-symptoms-0", "せき"),
            ("f-clinical-risk_factors-0", "糖尿病"),
        ):
            assert re.search(rf'<label for="{field_id}">{label}', html), field_id
        assert '<option value="healthcare">医療従事者</option>' in html, "choices come from /reference/card"

    async def test_every_section_is_stored_and_shown_with_its_labels(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(
            browser,
            csrf_of,
            alias="旧姓 山田",
            occupation="healthcare",
            birth_country="ベトナム",
            **{
                "guardian.name": "見本 母",
                "notification.notified_on": "R8.10.3",
                "notification.type": "confirmed",
                "notification.doctor_name": "医師 一郎",
                "notification.institution_name": "世田谷中央病院",
                "disease.form": "pulmonary",
                "disease.gakkai_side": "b",
                "disease.gakkai_type": "II",
                "disease.gakkai_extent": "2",
                "disease.symptoms": ["cough", "sputum"],
                "disease.diagnosed_on": "2026-10-02",
                "clinical.prior_treatment": "initial",
                "clinical.risk_factors": ["diabetes", "smoking"],
            },
        )
        html = await page_of(browser, patient_id)
        basic = text_of(section(html, "basic-title"))
        assert "通称・旧姓 旧姓 山田" in basic and "職業区分 医療従事者" in basic and "出生国 ベトナム" in basic
        assert "保護者の氏名 見本 母" in basic
        notification = text_of(section(html, "notification-title"))
        assert "届出日 令和8年10月3日" in notification and "届出の類型 患者（確定例）" in notification
        assert "医療機関 世田谷中央病院" in notification
        disease = text_of(section(html, "disease-title"))
        assert "学会分類 bII2 （両側（b）・II 非広汎空洞型・2（1と3の間））" in disease
        assert "総合患者分類 4 肺結核活動性・菌陰性/その他" in disease
        assert "症状 せき、たん" in disease and "診断日 令和8年10月2日" in disease
        assert "合併症・リスク要因 糖尿病、喫煙" in text_of(section(html, "clinical-title"))

    async def test_refused_items_are_placed_beside_their_inputs_and_everything_typed_is_kept(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        name, _ = person()
        token = csrf_of((await browser.get("/patients/new")).text)
        form = {
            "csrf_token": token,
            "name": name,
            "name_kana": "mihon",
            "sex": "male",
            "birth_date": "S45.3.1",
            "category": "patient",
            "disease.form": "pulmonary",
            "disease.extrapulmonary_sites": ["pleura"],
            "notification.notified_on": "R8.13.1",
            "step": "confirmed",  # past the confirmation step: what the patients service refuses
        }
        response = await browser.post("/patients", data=form)
        assert response.status_code == 422
        html = response.text
        assert 'id="f-name_kana-error"' in html and 'value="mihon"' in html
        assert 'id="f-notification-notified_on-error"' in html and 'value="R8.13.1"' in html
        # a message about the disease section as a whole stands at its fieldset and links to its first input
        assert 'id="f-disease-form-group-error"' in html and "肺結核のみの場合、肺外の部位は選べません。" in html
        assert '<a href="#f-disease-form-0">病類：肺結核のみの場合' in html
        assert re.search(r'id="f-disease-extrapulmonary_sites-0"[^>]*value="pleura" checked', html)
        assert 'role="alert"' in html and "入力内容に誤りがあります（3件）" in html


@pytest.mark.req("R03")
class TestDuplicateCheck:
    async def test_a_possible_duplicate_is_shown_first_and_registered_only_after_confirmation(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        name, kana = person()
        existing = await real_patients.post(
            "/patients",
            json={"name": name, "name_kana": kana, "sex": "male", "birth_date": "S45.3.1"},
            headers=auth_headers("nurse1"),
        )
        token = csrf_of((await browser.get("/patients/new")).text)
        other_name = person()[0].replace("見本", "別名")  # unique: earlier runs registered theirs after confirming
        typed = {"csrf_token": token, "name": other_name, "name_kana": kana.replace(" ", "　"), "sex": "male"}
        typed |= {"birth_date": "1970-03-01", "category": "patient", "address": "世田谷区1-2-3", "step": "confirmed"}
        warned = await browser.post("/patients", data=typed)
        assert warned.status_code == 200
        html = warned.text
        warning = html[html.index('class="notice notice--warning duplicate-warning"') : html.index("</table>")]
        assert 'id="error-summary" class="notice notice--warning duplicate-warning" role="alert"' in html
        assert f'<a href="/patients/{existing.json()["id"]}">{name}</a>' in warning
        assert "読みと生年月日が同じ" in warning and existing.json()["registration_no"] in warning
        assert 'value="世田谷区1-2-3"' in html, "what was typed stays"
        assert '<label for="f-confirm_distinct">別人であることを確認して登録する</label>' in html
        seen = re.search(r'name="checked_duplicates" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]

        unticked = await browser.post("/patients", data={**typed, "checked_duplicates": seen})
        assert unticked.status_code == 200 and "duplicate-warning" in unticked.text, "nothing registered yet"
        confirmed = await browser.post(
            "/patients", data={**typed, "checked_duplicates": seen, "confirm_distinct": "yes"}
        )
        assert confirmed.status_code == 303
        new_id = confirmed.headers["location"].removeprefix("/patients/")
        assert new_id != existing.json()["id"]
        assert other_name in await page_of(browser, new_id)

    async def test_a_confirmation_covers_only_the_candidates_that_were_shown(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        name, kana = person()
        body = {"name": name, "name_kana": kana, "sex": "male", "birth_date": "S45.3.1"}
        await real_patients.post("/patients", json=body, headers=auth_headers("nurse1"))
        token = csrf_of((await browser.get("/patients/new")).text)
        typed = {"csrf_token": token, "name": name, "name_kana": kana, "sex": "male", "birth_date": "S45.3.1"}
        typed |= {"category": "patient"}
        again = await browser.post("/patients", data={**typed, "confirm_distinct": "yes", "checked_duplicates": ""})
        assert again.status_code == 200 and "同じ人がすでに登録されている可能性があります（1件）" in again.text


@pytest.mark.req("R21", partial=True)
class TestSectionCorrection:
    async def test_a_section_is_saved_as_a_whole_with_its_reason(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of, **{"disease.form": "pulmonary", "disease.symptoms": ["cough"]})
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/sections/disease"
        form = {"csrf_token": csrf_of(html), "version": version_in(html, action), "reason": "画像所見の追記"}
        form |= {"disease.form": "both", "disease.extrapulmonary_sites": ["pleura"], "disease.symptoms": ["cough"]}
        form |= {"disease.gakkai_side": "r", "disease.gakkai_type": "III", "disease.gakkai_extent": "1"}
        response = await browser.post(action, data=form)
        assert response.status_code == 303 and response.headers["location"].endswith("#disease-title")
        html = await page_of(browser, patient_id)
        disease = text_of(section(html, "disease-title"))
        assert "学会分類 rIII1" in disease and "肺外結核の部位 胸膜（胸膜炎）" in disease
        history = text_of(html[html.index('id="history-title"') :])
        assert "修正理由：画像所見の追記" in history and "病類 肺結核 肺結核および肺外結核" in history

    async def test_a_save_based_on_an_old_version_is_refused_and_keeps_what_was_typed(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        patient_id = await register(browser, csrf_of)
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/sections/notification"
        seen = version_in(html, action)
        other = {"version": int(seen), "changes": {"nurse": "保健 次郎"}, "reason": "担当替え"}
        changed = await real_patients.patch(f"/patients/{patient_id}", json=other, headers=auth_headers("nurse1"))
        assert changed.status_code == 200
        form = {"csrf_token": csrf_of(html), "version": seen, "reason": "届出票の確認"}
        form |= {"notification.doctor_name": "入力した医師", "notification.type": "suspected"}
        response = await browser.post(action, data=form)
        assert response.status_code == 409
        page = response.text
        part = section(page, "notification-title")
        assert "他の利用者" in part and 'role="alert"' in part and "入力した内容は下に残っています" in part
        assert 'value="入力した医師"' in part and '<option value="suspected" selected>' in part
        assert (
            f'<input type="hidden" name="version" value="{seen}">' in part
            and '<details class="disclosure" open>' in part
        )
        stored = (await real_patients.get(f"/patients/{patient_id}", headers=auth_headers("nurse1"))).json()
        assert stored["notification"]["doctor_name"] == "" and stored["nurse"] == "保健 次郎"


@pytest.mark.req("R03")
@pytest.mark.req("R04")
@pytest.mark.req("R21", partial=True)
class TestRecordOne:
    async def test_record_one_is_corrected_with_a_required_reason_and_shown_beside_the_current_facts(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of, **{"disease.form": "pulmonary"})
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/at-registration"
        form = {"csrf_token": csrf_of(html), "version": version_in(html, action), "category": "patient"}
        form |= {"disease.form": "pulmonary", "bacteriology.smear": "2+", "bacteriology.culture": "陽性"}
        form |= {"bacteriology.dst.INH": "R", "bacteriology.dst.RFP": "R", "bacteriology.dst.EB": "S"}
        refused = await browser.post(action, data=form)
        assert refused.status_code == 422
        part = section(refused.text, "at-registration-title")
        assert 'id="f-r1-reason-error"' in part and "修正理由を入力してください。" in part
        assert re.search(r'id="f-r1-bacteriology-dst-INH".*?<option value="R" selected>', part, re.S)

        saved = await browser.post(action, data={**form, "reason": "登録時の感受性結果が届いたため"})
        assert saved.status_code == 303 and saved.headers["location"].endswith("#at-registration-title")
        rows = text_of(section(await page_of(browser, patient_id), "at-registration-title"))
        assert "喀痰塗抹 2+ 最新の結果: 記録なし" in rows
        assert "薬剤感受性 耐性: INH, RFP" in rows
        assert "総合患者分類 1 肺結核活動性・喀痰塗抹陽性・初回治療 4 肺結核活動性・菌陰性/その他 変更あり" in rows


@pytest.mark.req("R03")
@pytest.mark.req("R30")
class TestCareRecords:
    async def test_a_treatment_and_a_recommended_stay_show_in_the_header(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of)
        token = csrf_of(await page_of(browser, patient_id))
        base = f"/patients/{patient_id}/care"
        missing = await browser.post(f"{base}/treatments", data={"csrf_token": token, "regimen": "2HREZ/4HR"})
        assert missing.status_code == 422 and 'id="f-tr-new-started_on-error"' in missing.text
        assert 'value="2HREZ/4HR" selected' in missing.text
        treatment = {"csrf_token": token, "regimen": "2HREZ/4HR", "started_on": "R8.10.5", "planned_end_on": "R9.4.4"}
        assert (await browser.post(f"{base}/treatments", data=treatment)).status_code == 303
        stay = {"csrf_token": token, "hospital": "世田谷中央病院", "admitted_on": "R8.10.4", "recommended": "yes"}
        assert (await browser.post(f"{base}/hospitalisations", data=stay)).status_code == 303
        html = await page_of(browser, patient_id)
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        assert "治療 2HREZ/4HR（令和8年10月5日開始）" in header
        assert "入院 入院中 勧告入院 （世田谷中央病院）" in header
        treatments = text_of(section(html, "treatments-title"))
        assert "2HREZ/4HR（標準治療A法） 令和8年10月5日〜治療中" in treatments
        assert "勧告入院" in text_of(section(html, "hospitalisations-title"))

    async def test_a_treatment_correction_ends_it_and_the_header_follows(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        patient_id = await register(browser, csrf_of)
        body = {"regimen": "2HREZ/4HR", "started_on": "2026-04-01"}
        record = await real_patients.post(
            f"/patients/{patient_id}/treatments", json=body, headers=auth_headers("nurse1")
        )
        record_id = record.json()["id"]
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/care/treatments/{record_id}"
        form = {"csrf_token": csrf_of(html), "version": version_in(html, action), "regimen": "2HREZ/4HR"}
        form |= {"started_on": "R8.4.1", "ended_on": "R8.10.1", "outcome": "completed", "reason": "治療終了"}
        response = await browser.post(action, data=form)
        assert response.status_code == 303 and response.headers["location"].endswith("#treatments-title")
        html = await page_of(browser, patient_id)
        assert "治療 治療中の記録なし" in text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        assert "治療成績（転帰） 治療完了" in text_of(section(html, "treatments-title"))
        stale = await browser.post(action, data={**form, "outcome": "cured"})
        assert stale.status_code == 409 and "他の利用者" in section(stale.text, "treatments-title")

    async def test_progress_notes_are_listed_newest_first_with_their_author(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of)
        token = csrf_of(await page_of(browser, patient_id))
        for day, text in (("R8.10.6", "初回の家庭訪問"), ("R8.10.20", "服薬確認")):
            note = {"csrf_token": token, "noted_on": day, "kind": "visit", "text": text}
            assert (await browser.post(f"/patients/{patient_id}/care/notes", data=note)).status_code == 303
        notes = text_of(section(await page_of(browser, patient_id), "notes-title"))
        assert notes.index("服薬確認") < notes.index("初回の家庭訪問")
        assert re.search(r"令和8年10月20日 家庭訪問 記録者: \S+", notes)


@pytest.mark.req("R03")
@pytest.mark.req("R30")
class TestPublicExpense:
    async def test_the_cover_in_force_shows_in_the_header_with_the_days_left(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of)
        html = await page_of(browser, patient_id)
        assert "公費負担 なし" in text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        token, base = csrf_of(html), f"/patients/{patient_id}/care/public-expenses"
        today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
        start, end = today - timedelta(days=100), today + timedelta(days=10)
        cover = {"csrf_token": token, "basis": "37-2", "status": "approved", "applied_on": start.isoformat()}
        cover |= {"valid_from": start.isoformat()}
        cover |= {"valid_to": (start + timedelta(days=200)).isoformat(), "payer_number": "１０１３００１１"}
        too_long = await browser.post(base, data=cover | {"recipient_number": "1234566"})
        assert too_long.status_code == 422 and 'id="f-pe-new-valid_to-error"' in too_long.text
        assert "37条の2の有効期間は6か月以内です" in too_long.text and 'value="１０１３００１１"' in too_long.text
        cover |= {"valid_to": end.isoformat(), "recipient_number": "1234566", "institution": "世田谷試験クリニック"}
        assert (await browser.post(base, data=cover)).status_code == 303
        application = {"csrf_token": token, "basis": "37", "status": "applied", "applied_on": today.isoformat()}
        assert (await browser.post(base, data=application)).status_code == 303
        html = await page_of(browser, patient_id)
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        expected = f"公費負担 37条の2（一般医療） 受給者番号 1234566 〜{wareki(end)}まで （期限まで10日）"
        assert expected in header
        listed = text_of(section(html, "public-expenses-title"))
        assert f"37条の2（一般医療） 承認 {wareki(start)}〜{wareki(end)}" in listed
        assert "公費負担者番号 10130011" in listed and "37条（入院勧告） 申請中" in listed
        record_id = re.findall(rf'action="{base}/([0-9a-f-]+)"', html)[1]  # newest first: the approved one second
        action = f"{base}/{record_id}"
        ended = {"csrf_token": csrf_of(html), "version": version_in(html, action), "basis": "37-2", "note": ""}
        ended |= {"status": "ended", "valid_from": start.isoformat(), "valid_to": end.isoformat(), "reason": "転出"}
        assert (await browser.post(action, data=ended)).status_code == 303
        html = await page_of(browser, patient_id)
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        assert f"公費負担 37条（入院勧告） 申請中 （{wareki(today)}申請）" in header
        assert "37条の2（一般医療） 終了" in text_of(section(html, "public-expenses-title"))


@pytest.mark.req("R03")
@pytest.mark.req("R30")
@pytest.mark.req("N27", partial=True)
class TestExclusion:
    async def test_an_exclusion_shows_in_the_header_and_is_cancelled_only_with_a_reason(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of, registered_on="R8.4.1")
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/exclusion"
        form = {"csrf_token": csrf_of(html), "version": version_in(html, action), "excluded_on": "R8.11.1"}
        asked = await browser.post(action, data={**form, "reason": "transfer_out", "note": "他県へ転出"})
        shown = text_of(asked.text)
        assert asked.status_code == 200 and "登録除外（確認）" in shown and "まだ登録除外していません" in shown
        assert "令和8年11月1日（2026年11月1日）付けで登録から外れ" in shown and "除外理由 転出" in shown
        assert "状態 登録中" in text_of(await page_of(browser, patient_id)), "nothing changes before it is confirmed"
        kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', asked.text))
        assert kept["note"] == "他県へ転出" and kept["version"] == form["version"]
        excluded = await browser.post(action, data={**kept, "step": "confirmed"})
        assert excluded.status_code == 303
        html = await page_of(browser, patient_id)
        assert "状態 登録除外 （令和8年11月1日）" in text_of(
            html[html.index('class="patient-header"') : html.index("</section>")]
        )
        part = text_of(section(html, "exclusion-title"))
        assert "除外理由 転出" in part and "備考 他県へ転出" in part
        action = f"/patients/{patient_id}/reinstatement"
        cancel = {"csrf_token": csrf_of(html), "version": version_in(html, action)}
        refused = await browser.post(action, data=cancel)
        assert refused.status_code == 422 and "取消の理由を入力してください。" in refused.text
        assert (await browser.post(action, data={**cancel, "reason": "誤って除外したため"})).status_code == 303
        assert "状態 登録中" in text_of(await page_of(browser, patient_id))


@pytest.mark.req("R04")
class TestLabResults:
    async def test_naat_and_igra_results_are_added_and_shown_in_the_timeline(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of)
        token = csrf_of(await page_of(browser, patient_id))
        url = f"/patients/{patient_id}/lab-results"
        no_method = {
            "csrf_token": token,
            "kind": "naat",
            "specimen": "喀痰",
            "collected_on": "R8.10.2",
            "naat.result": "+",
        }
        refused = await browser.post(url, data=no_method)
        assert refused.status_code == 422 and 'id="f-lab-new-naat-method-error"' in refused.text
        assert (await browser.post(url, data={**no_method, "naat.method": "PCR"})).status_code == 303
        igra = {"csrf_token": token, "kind": "igra", "collected_on": "R8.10.3", "igra.test": "QFT", "igra.value": "0.8"}
        assert (
            await browser.post(url, data={**igra, "igra.judgement": "陽性", "smear.grade": "3+"})
        ).status_code == 303
        timeline = text_of(section(await page_of(browser, patient_id), "labs-title"))
        assert "令和8年10月3日 — IGRA QFT 0.8 陽性" in timeline
        assert "令和8年10月2日 喀痰 核酸増幅法 PCR +" in timeline

    async def test_a_result_is_corrected_with_the_version_seen(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        patient_id = await register(browser, csrf_of)
        body = {"kind": "igra", "collected_on": "2026-10-03", "details": {"test": "T-SPOT", "judgement": "陽性"}}
        result = await real_patients.post(
            f"/patients/{patient_id}/lab-results", json=body, headers=auth_headers("nurse1")
        )
        result_id = result.json()["id"]
        html = await page_of(browser, patient_id)
        action = f"/patients/{patient_id}/lab-results/{result_id}"
        assert re.search(rf'id="f-lab-{result_id}-igra-test-1"[^>]*value="T-SPOT" checked', html)
        form = {"csrf_token": csrf_of(html), "version": version_in(html, action), "kind": "igra"}
        form |= {"collected_on": "R8.10.3", "igra.test": "T-SPOT", "igra.value": "12", "igra.judgement": "判定保留"}
        saved = await browser.post(action, data={**form, "reason": "判定の訂正"})
        assert saved.status_code == 303
        html = await page_of(browser, patient_id)
        assert "T-SPOT 12 判定保留" in text_of(section(html, "labs-title"))
        assert "修正理由：判定の訂正" in text_of(html[html.index('id="history-title"') :])
        stale = await browser.post(action, data={**form, "igra.judgement": "陰性"})
        assert stale.status_code == 409
        assert re.search(r'<option value="陰性" selected>', section(stale.text, "labs-title"))


@pytest.mark.req("R21", partial=True)
class TestPrintableHistory:
    async def test_the_print_view_lists_who_when_why_and_each_change(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf
    ) -> None:
        patient_id = await register(browser, csrf_of)
        html = await page_of(browser, patient_id)
        printing = f'<a href="/patients/{patient_id}/history/print" target="_blank">修正履歴を印刷用に表示する'
        assert printing in html and "（新しいタブで開きます）" in html
        form = {"csrf_token": csrf_of(html), "version": version_in(html, f"/patients/{patient_id}/edit")}
        form |= {
            f: v
            for f, v in re.findall(
                r'<input id="f-(name|name_kana|birth_date)" name="\1" type="text" value="([^"]*)"', html
            )
        }
        form |= {"sex": "female", "category": "patient", "address": "世田谷区二丁目", "reason": "転居のため"}
        assert (await browser.post(f"/patients/{patient_id}/edit", data=form)).status_code == 303
        printed = await browser.get(f"/patients/{patient_id}/history/print")
        assert printed.status_code == 200
        page = printed.text
        assert "data-print" in page and "/static/app.css" in page and "style=" not in page
        text = text_of(page)
        assert "修正履歴" in text and "出力者" in text
        assert re.search(
            r"令和\d+年\d+月\d+日 \d\d:\d\d \S+ \S+ 基本情報 第2版 転居のため 住所 （空欄） 世田谷区二丁目", text
        )


@pytest.mark.req("R33", partial=True)
class TestConfigurableFields:
    async def test_a_field_an_administrator_adds_is_asked_at_registration_and_shown(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, real_patients: httpx.AsyncClient
    ) -> None:
        key = "shift_" + "".join(random.choice("abcdefgh") for _ in range(6))
        definition = {
            "target": "patient",
            "key": key,
            "label": "勤務形態",
            "type": "choice",
            "choices": [{"value": "day", "label": "日勤"}, {"value": "night", "label": "夜勤"}],
            "help_text": "接触者の範囲を考えるために記録します",
        }
        created = await real_patients.post("/custom-fields", json=definition, headers=auth_headers("admin1"))
        assert created.status_code == 201, created.text
        try:
            form_page = (await browser.get("/patients/new")).text
            assert f'<label for="f-custom-{key}">勤務形態' in form_page and "接触者の範囲を考えるために" in form_page
            patient_id = await register(browser, csrf_of, **{f"custom.{key}": "night"})
            assert "勤務形態 夜勤" in text_of(section(await page_of(browser, patient_id), "basic-title"))
        finally:  # the stack's database is shared with `make dev`: take the field out of use again
            field = created.json()
            await real_patients.post(
                f"/custom-fields/{field['id']}/deactivate",
                json={"version": field["version"], "reason": "試験の後片付け"},
                headers=auth_headers("admin1"),
            )
