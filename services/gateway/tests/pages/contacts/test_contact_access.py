"""Who sees the contact pages (R12, R32): 参照 reads them with 「この項目を修正する権限がありません」 where the forms
would be, and the gateway refuses a change itself; without 参照 the area is not shown; the patient page counts an
index patient's contacts and links to them."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from ...conftest import PATIENT_ID, FakeKeycloakType, Login, mock_patient_page, nav_of, with_roles
from .conftest import CHILD, CONTACT, CONTACT_ID, EXAM, INDEX_ID, mock_contact, mock_index, recorded

pytestmark = pytest.mark.req("R12", partial=True)
NO_RIGHT = "この項目を修正する権限がありません"
READER_ROLES = ["patients:read", "contacts:read"]
PATIENTS_ONLY = ["patients:update", "forms:update", "documents:update"]


def post_forms(html: str) -> set[str]:
    """Where the page's forms that change something send to."""
    return set(re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)) - {"/logout"}


@pytest.fixture
async def reader(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> httpx.AsyncClient:
    """A logged-in user with 接触者管理 参照 only."""
    with_roles(keycloak, READER_ROLES)
    await login(client)
    return client


class TestReadOnly:
    async def test_the_contact_page_shows_everything_and_says_where_it_may_not_be_changed(
        self, reader: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await reader.get(f"/contacts/{CONTACT_ID}")).text
        assert "試験 花子" in html and "規則による提案 " in re.sub(r"<[^>]+>", " ", html)
        assert post_forms(html) == set() and "結果を入力" not in html
        for title in ("person-title", "exposures-title", "priority-title", "exams-title", "outcome-title"):
            start = html.index(f'id="{title}"')
            assert NO_RIGHT in html[start : html.index("</section>", start)], title

    async def test_the_index_patients_contacts_are_listed_without_the_registration(
        self, reader: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        html = (await reader.get(f"/contacts/index-patients/{INDEX_ID}")).text
        assert "試験 一郎" in html and post_forms(html) == set() and NO_RIGHT in html

    async def test_the_gateway_itself_refuses_changes_and_sends_nothing_on(
        self, reader: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        sent = backends.route(host="contacts.test", method__in=["POST", "PATCH"]).mock(
            return_value=httpx.Response(200, json=CONTACT)
        )
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await reader.get(f"/contacts/{CONTACT_ID}")).text)
        assert token
        for path in (
            f"/contacts/index-patients/{INDEX_ID}",
            f"/contacts/{CONTACT_ID}/person",
            f"/contacts/{CONTACT_ID}/exams",
            f"/contacts/{CONTACT_ID}/exams/{EXAM['id']}/cancel",
        ):
            refused = await reader.post(path, data={"csrf_token": token[1], "version": "9", "name": "改ざん"})
            assert refused.status_code == 403 and "「接触者管理」の更新権限がありません。" in refused.text, path
        assert not sent.called


class TestWithoutRead:
    async def test_the_area_is_not_shown_and_its_pages_are_refused(
        self,
        client: httpx.AsyncClient,
        login: Login,
        keycloak: FakeKeycloakType,
        backends: respx.MockRouter,
    ) -> None:
        with_roles(keycloak, PATIENTS_ONLY)
        await login(client)
        mock_patient_page(backends)
        counted = backends.routes["contact-counts"]
        patient = (await client.get(f"/patients/{PATIENT_ID}")).text
        assert "接触者健診" not in nav_of(patient) and 'id="contacts-title"' not in patient and not counted.called
        for path in ("/contacts", f"/contacts/index-patients/{INDEX_ID}", f"/contacts/{CONTACT_ID}"):
            page = await client.get(path)
            assert page.status_code == 403 and "「接触者管理」の参照権限がありません。" in page.text, path


class TestOnThePatientPage:
    async def test_the_index_patients_contacts_are_counted_with_a_link(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        counted = backends.routes["contact-counts"].mock(
            return_value=httpx.Response(200, json={**recorded("counts"), "total": 3, "active": 2, "overdue": 1})
        )
        listed = backends.routes["contact-list"]
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        assert counted.calls.last.request.url.params["index_patient_id"] == PATIENT_ID
        assert not listed.called  # counts only: contacts records no read of anyone's data
        assert "この患者を発端患者とする接触者：3人" in html
        overdue = (
            f'<a href="/contacts?index_patient_id={PATIENT_ID}&amp;due=overdue"><strong>健診の期限超過 1人</strong></a>'
        )
        assert overdue in html
        assert f'<a href="/contacts/index-patients/{PATIENT_ID}">接触者の一覧・健診の予定・接触者の追加</a>' in html
        assert '<li><a href="#contacts-title">接触者</a></li>' in html and "接触者健診" in nav_of(html)

    async def test_the_patient_page_opens_while_contacts_cannot_answer(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        backends.routes["contact-counts"].mock(return_value=httpx.Response(503))
        page = await browser.get(f"/patients/{PATIENT_ID}")
        assert page.status_code == 200 and "接触者の人数を読み込めませんでした。" in page.text
        assert f'href="/contacts/index-patients/{PATIENT_ID}"' in page.text
