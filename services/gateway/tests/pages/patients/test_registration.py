"""The registration form against a fake patients service: labels, what is sent, refusals, the date preview."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import PATIENT, PATIENT_ID, PATIENTS, CsrfOf


@pytest.mark.req("N11")
class TestRegistration:
    async def test_the_form_has_every_field_labelled(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get("/patients/new")).text
        for field_id, label in [
            ("f-name", "氏名"),
            ("f-name_kana", "カナ"),
            ("f-birth_date", "生年月日"),
            ("f-postal_code", "郵便番号"),
            ("f-address", "住所"),
            ("f-phone", "電話番号"),
            ("f-district", "地区"),
            ("f-category", "登録区分"),
            ("f-sex-0", "男性"),
            ("f-sex-1", "女性"),
        ]:
            assert re.search(rf'<label for="{field_id}">{label}', html), field_id
        assert "S45.3.1、昭和45年3月1日" in html and "1970-03-01" in html
        for district in ("世田谷", "北沢", "玉川", "砧", "烏山"):
            assert f'<option value="{district}">' in html
        for value, label in (
            ("patient", "患者"),
            ("recovered", "回復者"),
            ("ltbi", "潜在性結核感染症（LTBI）"),
            ("provisional", "仮登録"),
        ):
            assert re.search(rf'<option value="{value}"( selected)?>{label}</option>', html)

    async def test_what_was_typed_is_sent_as_typed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        route = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        token = csrf_of((await browser.get("/patients/new")).text)
        form = {
            "csrf_token": token,
            "name": "試験 太郎",
            "name_kana": "しけん たろう",
            "sex": "male",
            "birth_date": "S45.3.1",
            "postal_code": "1540017",
            "address": "",
            "phone": "",
            "district": "世田谷",
            "category": "patient",
        }
        confirming = await browser.post("/patients", data=form)
        assert confirming.status_code == 200 and not route.called, "the confirmation step registers nothing"
        assert "患者登録（確認）" in confirming.text and "まだ登録していません" in confirming.text
        assert 'name="step" value="confirmed"' in confirming.text and 'name="step" value="back"' in confirming.text
        assert "昭和45年3月1日（1970年3月1日）" in confirming.text
        kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirming.text))
        assert kept["name_kana"] == "しけん たろう" and kept["postal_code"] == "1540017"
        back = await browser.post("/patients", data={**kept, "step": "back"})
        assert back.status_code == 200 and 'value="しけん たろう"' in back.text and "data-draft-filled" in back.text
        assert not route.called
        response = await browser.post("/patients", data={**kept, "step": "confirmed"})
        assert response.status_code == 303
        assert response.headers["location"] == f"/patients/{PATIENT_ID}"
        sent = json.loads(route.calls.last.request.content)
        assert sent["name_kana"] == "しけん たろう" and sent["birth_date"] == "S45.3.1" and sent["sex"] == "male"
        assert "csrf_token" not in sent

    async def test_each_refused_field_shows_its_message_beside_it_and_nothing_is_lost(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        errors = {
            "name_kana": "カナはカタカナまたはひらがなで入力してください。",
            "birth_date": "「平成32年1月1日」は存在しません（平成は31年4月30日まで）。",
            "sex": "必須項目です。",
        }
        detail = "入力内容に誤りがあります。"
        backends.post(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(422, json={"detail": detail, "code": "invalid_input", "errors": errors})
        )
        token = csrf_of((await browser.get("/patients/new")).text)
        form = {
            "csrf_token": token,
            "name": "試験 太郎",
            "name_kana": "shiken",
            "birth_date": "H32.1.1",
            "address": "世田谷区世田谷4-21-27",
            "district": "砧",
            "category": "ltbi",
            "step": "confirmed",
        }
        response = await browser.post("/patients", data=form)
        assert response.status_code == 422
        html = response.text
        assert 'role="alert"' in html and 'aria-live="assertive"' in html
        for name, message in errors.items():
            error_id = f"f-{name}-error"
            assert f'id="{error_id}"' in html and message in html
            assert re.search(rf'aria-describedby="[^"]*{error_id}', html), name
        assert re.search(r'id="f-name_kana"[^>]*value="shiken"|value="shiken"[^>]*', html)
        assert 'value="H32.1.1"' in html and 'value="世田谷区世田谷4-21-27"' in html and 'value="試験 太郎"' in html
        assert '<option value="砧" selected>' in html and '<option value="ltbi" selected>' in html
        assert re.search(r'id="f-name_kana"[^>]*aria-invalid="true"', html)

    async def test_the_birth_date_preview_reads_wareki_and_seireki(self, browser: httpx.AsyncClient) -> None:
        ok = await browser.get("/patients/birth-date-preview", params={"birth_date": "S45.3.1"})
        assert "昭和45年3月1日（1970年3月1日）" in ok.text
        era = await browser.get("/patients/birth-date-preview", params={"birth_date": "令和元年5月1日"})
        assert "令和元年5月1日（2019年5月1日）" in era.text
        bad = await browser.get("/patients/birth-date-preview", params={"birth_date": "H31.5.1"})
        assert "存在しません" in bad.text


class TestDistrictsFromMasters:
    """The 地区 choices are masters' districts; while masters cannot be reached the district is typed."""

    async def test_the_choices_are_masters_districts_in_its_order(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        districts = [{"code": "a", "name": "砧"}, {"code": "b", "name": "新地区"}]
        backends.routes["districts"].mock(return_value=httpx.Response(200, json=districts))
        html = (await browser.get("/patients/new")).text
        select = html[html.index('id="f-district"') : html.index("</select>", html.index('id="f-district"'))]
        assert re.findall(r'<option value="([^"]+)"', select) == ["砧", "新地区"]

    async def test_without_masters_the_form_opens_with_the_district_typed_and_sent_as_typed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        backends.routes["districts"].mock(side_effect=httpx.ConnectError("refused"))
        page = await browser.get("/patients/new")
        assert page.status_code == 200
        assert re.search(r'<input[^>]*id="f-district"', page.text)
        assert not re.search(r'<select[^>]*id="f-district"', page.text)
        assert "地区の一覧を読み込めませんでした。地区名を入力してください（例: 世田谷）。" in page.text
        route = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        form = {"csrf_token": csrf_of(page.text), "name": "試験 太郎", "name_kana": "シケン タロウ", "sex": "male"}
        form |= {"birth_date": "S45.3.1", "category": "patient", "district": "世田谷", "step": "confirmed"}
        response = await browser.post("/patients", data=form)
        assert response.status_code == 303
        assert json.loads(route.calls.last.request.content)["district"] == "世田谷"
