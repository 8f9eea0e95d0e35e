"""Every form with a name or address checks its 外字 as registration does (N26): contact registration, the
contact's identity correction and the patient's 基本情報 correction warn while typing (GET /text-check beside the
field), refuse what the health center's policy refuses with the reason beside the field and nothing saved, and
save what it accepts (a warning, or a substitute from masters' 外字 master) saying what the outputs will carry."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...conftest import CONTACTS, PATIENT, PATIENT_ID, PATIENTS, CsrfOf, Login, gateway_with, mock_patient_page
from ..contacts.conftest import CONTACT, CONTACT_ID, RECORDED, mock_contact, mock_index
from ..contacts.test_index_contacts import registration

pytestmark = pytest.mark.req("N26", partial=True)
INDEX_PAGE = f"/contacts/index-patients/{PATIENT_ID}"
YOSHIDA = "𠮷田 花子"  # 𠮷 (U+20BB7): outside CP932 and JIS X 0208
REFUSED = "この保健所では登録できません"
NO_SUBSTITUTE = "代替文字が登録されていません"


@pytest.fixture(autouse=True)
def no_duplicates(backends: respx.MockRouter) -> None:
    """contacts finds nobody like the person being registered."""
    found = httpx.Response(200, json=RECORDED["no_duplicates"])
    backends.post(f"{CONTACTS}/contacts/duplicates", name="contact-duplicates").mock(return_value=found)


def yoshi_in_master(backends: respx.MockRouter) -> None:
    """masters' 外字 master has 𠮷 → 吉 in force today."""
    entry = {"kind": "gaiji", "code": "U+20BB7", "name": "𠮷（吉）", "kana": ""}
    entry |= {"data": {"character": "𠮷", "substitute": "吉", "note": ""}}
    backends.routes["gaiji"].mock(return_value=httpx.Response(200, json={"items": [entry], "total": 1}))


async def gateway(settings: Settings, login: Login, mode: str) -> AsyncIterator[httpx.AsyncClient]:
    """A logged-in nurse's browser on a gateway whose 外字 policy is `mode`."""
    async for other in gateway_with(settings, gaiji_mode=mode):
        await login(other)
        yield other


def field_error(html: str, field_id: str) -> str:
    """The message placed under the field (empty when none)."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


class TestContactRegistration:
    async def test_the_name_and_address_are_checked_while_typing(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [])
        html = (await browser.get(INDEX_PAGE)).text
        for field_id in ("f-new-name", "f-new-address"):
            tag = re.search(rf'<input id="{field_id}"[^>]*>', html)
            assert tag is not None and f'hx-target="#{field_id}-chars"' in tag.group(0)
            assert f'<div id="{field_id}-chars" aria-live="polite">' in html

    async def test_a_refusing_health_center_refuses_the_name_beside_the_field_and_registers_nothing(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [])
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        async for other in gateway(settings, login, "refuse"):
            token = csrf_of((await other.get(INDEX_PAGE)).text)
            refused = await other.post(INDEX_PAGE, data=registration(token, name=YOSHIDA))
        assert refused.status_code == 422 and not register.called
        assert REFUSED in field_error(refused.text, "f-new-name") and "「𠮷」（U+20BB7）" in refused.text
        assert f'value="{YOSHIDA}"' in refused.text  # what was typed stays

    async def test_a_warning_health_center_registers_and_says_what_the_outputs_carry(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [])
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        mock_contact(backends)
        token = csrf_of((await browser.get(INDEX_PAGE)).text)
        saved = await browser.post(INDEX_PAGE, data=registration(token, name=YOSHIDA))
        assert saved.status_code == 303 and json.loads(register.calls.last.request.content)["name"] == YOSHIDA
        shown = (await browser.get(saved.headers["location"])).text
        assert "氏名: 「𠮷」（U+20BB7）は一部の出力で扱えない文字（外字）です" in shown


class TestContactIdentityCorrection:
    def correction(self, token: str, **typed: str) -> dict[str, str]:
        return {"csrf_token": token, "version": str(CONTACT["version"]), "reason": "住基で確認"} | typed

    async def test_substitute_without_a_registered_substitute_is_refused_and_with_the_masters_one_saved(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=CONTACT))
        page = f"/contacts/{CONTACT_ID}"
        async for other in gateway(settings, login, "substitute"):
            token = csrf_of((await other.get(page)).text)
            refused = await other.post(f"{page}/person", data=self.correction(token, name=YOSHIDA))
            assert refused.status_code == 422 and not patch.called
            assert NO_SUBSTITUTE in field_error(refused.text, "f-person-name")

        yoshi_in_master(backends)
        async for other in gateway(settings, login, "substitute"):  # a new gateway: masters read afresh
            token = csrf_of((await other.get(page)).text)
            saved = await other.post(f"{page}/person", data=self.correction(token, name=YOSHIDA, address="𠮷野町1"))
            assert saved.status_code == 303, saved.text
            shown = (await other.get(saved.headers["location"])).text
        sent = json.loads(patch.calls.last.request.content)["changes"]
        assert sent["name"] == YOSHIDA and sent["address"] == "𠮷野町1"  # stored as typed
        assert "登録した代替文字で帳票・CSV・NESIDに出力します" in shown

    async def test_a_refused_address_comes_back_beside_the_address(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=CONTACT))
        page = f"/contacts/{CONTACT_ID}"
        async for other in gateway(settings, login, "refuse"):
            html = (await other.get(page)).text
            typed = self.correction(csrf_of(html), name=CONTACT["name"], address="𠮷野町1")
            refused = await other.post(f"{page}/person", data=typed)
        assert refused.status_code == 422 and not patch.called
        assert REFUSED in field_error(refused.text, "f-person-address")
        assert field_error(refused.text, "f-person-name") == ""


class TestPatientBasicCorrection:
    def correction(self, token: str, **typed: str) -> dict[str, str]:
        stored = {k: str(PATIENT.get(k) or "") for k in ("name", "name_kana", "sex", "address", "phone")}
        base = {"csrf_token": token, "version": str(PATIENT["version"]), "birth_date": "S45.3.1"}
        return base | stored | {"category": "patient", "district": "世田谷", "reason": "住基で確認"} | typed

    async def test_a_refusing_health_center_refuses_the_name_and_saves_nothing(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        patch = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        async for other in gateway(settings, login, "refuse"):
            html = (await other.get(f"/patients/{PATIENT_ID}")).text
            tag = re.search(r'<input id="f-name"[^>]*>', html)
            assert tag is not None and 'hx-get="/text-check"' in tag.group(0)
            refused = await other.post(
                f"/patients/{PATIENT_ID}/edit", data=self.correction(csrf_of(html), name=YOSHIDA)
            )
        assert refused.status_code == 422 and not patch.called
        assert REFUSED in field_error(refused.text, "f-name") and f'value="{YOSHIDA}"' in refused.text

    async def test_with_the_masters_substitute_the_correction_is_saved(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        yoshi_in_master(backends)
        patch = backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
        async for other in gateway(settings, login, "substitute"):
            html = (await other.get(f"/patients/{PATIENT_ID}")).text
            typed = self.correction(csrf_of(html), **{"guardian.name": "𠮷田 一郎"})
            saved = await other.post(f"/patients/{PATIENT_ID}/edit", data=typed)
            shown = (await other.get(saved.headers["location"])).text
        assert saved.status_code == 303
        assert json.loads(patch.calls.last.request.content)["changes"]["guardian"]["name"] == "𠮷田 一郎"
        assert "保護者の氏名: 「𠮷」（U+20BB7）は外字です。登録した代替文字で" in shown
