"""様式の版 (R33 for forms): the versions of a form's template with the one in force today, a preview of any version
with a real patient's record, and an administrator's upload of a new version with its effective date; mistakes
are said beside their fields and nothing reaches reports; the page passes axe in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import (
    NURSE_ROLES,
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    REPORTS,
    CsrfOf,
    FakeKeycloakType,
    Login,
    logged_in_chromium,
    text_of,
    with_roles,
)
from .conftest import mock_forms

ADMIN_ROLES = ["masters:update", "forms:read", "patients:read", "users:update"]
TEMPLATE_ID = "3c3c3c3c-2222-4333-8444-555555555555"
VERSIONS = [
    {
        "id": "4d4d4d4d-2222-4333-8444-555555555555", "form_id": "F03", "revision": "3",
        "template_version": "3+aa11bb22", "effective_from": "2099-04-01", "note": "施行前の改正",
        "created_by_name": "管理 太郎", "created_at": "2026-12-01T01:00:00+00:00", "in_force": False,
    },
    {
        "id": TEMPLATE_ID, "form_id": "F03", "revision": "2", "template_version": "2+cc33dd44",
        "effective_from": "2026-04-01", "note": "令和8年の様式改正", "created_by_name": "管理 太郎",
        "created_at": "2026-03-01T01:00:00+00:00", "in_force": True,
    },
    {
        "id": None, "form_id": "F03", "revision": "1", "template_version": "1+3fa2b9c1", "effective_from": None,
        "note": "標準の様式（プログラム同梱）", "created_by_name": "", "created_at": None, "in_force": False,
    },
]  # fmt: skip
PAGE = "/documents/templates/F03"


def mock_versions(backends: respx.MockRouter) -> respx.Route:
    """reports answers the forms and F03's versions; patients the newest patients."""
    mock_forms(backends)
    backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(200, json={"items": [PATIENT], "total": 1}))
    return backends.get(f"{REPORTS}/forms/F03/templates").mock(return_value=httpx.Response(200, json=VERSIONS))


@pytest.fixture
async def admin(client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType) -> httpx.AsyncClient:
    """A logged-in administrator (マスタ管理 更新, 帳票 and 患者 参照)."""
    with_roles(keycloak, ADMIN_ROLES)
    await login(client)
    return client


def upload(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "revision": "4", "effective_from": "R9.4.1", "note": "改正"} | fields


HTML = ("f03.html", "<html><body><h1>結核登録票 第4版</h1>{{ patient.name }}</body></html>".encode(), "text/html")


@pytest.mark.req("R33", partial=True)
class TestVersions:
    async def test_the_versions_show_which_is_in_force_in_wareki_and_seireki(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_versions(backends)
        listing = await admin.get("/documents/templates")
        assert f'href="{PAGE}">結核登録票' in listing.text
        html = (await admin.get(PAGE)).text
        text = text_of(html)
        assert "第2版 令和8年4月1日（2026年4月1日） 現在有効 2+cc33dd44" in text
        assert "第3版" in text and "施行前" in text and "第1版 （最初から） 過去の版" in text
        assert f'<option value="{TEMPLATE_ID}" selected>' in html, "the preview starts with the version in force"
        assert f'<option value="{PATIENT_ID}">' in html and "新しい版を登録する" in text

    async def test_a_nurse_sees_the_versions_but_may_not_upload(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        mock_versions(backends)
        with_roles(keycloak, NURSE_ROLES)
        await login(client)
        page = await client.get(PAGE)
        assert page.status_code == 200 and "新しい版を登録する" not in page.text
        uploaded = backends.post(f"{REPORTS}/forms/F03/templates")
        refused = await client.post(PAGE, data={"revision": "4"}, files={"html": HTML})
        assert refused.status_code == 403 and not uploaded.called

    async def test_a_version_is_previewed_with_a_real_patient(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        preview = backends.get(f"{REPORTS}/forms/F03/preview").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 v", headers={"content-type": "application/pdf"})
        )
        shown = await admin.get(f"{PAGE}/preview", params={"patient_id": PATIENT_ID, "template_id": TEMPLATE_ID})
        assert shown.content == b"%PDF-1.7 v"
        assert dict(preview.calls.last.request.url.params) == {"patient_id": PATIENT_ID, "template_id": TEMPLATE_ID}
        builtin = await admin.get(f"{PAGE}/preview", params={"patient_id": PATIENT_ID, "template_id": ""})
        assert builtin.status_code == 200 and "template_id" not in preview.calls.last.request.url.params
        wrong = await admin.get(f"{PAGE}/preview", params={"patient_id": "x"})
        assert wrong.status_code == 400 and "プレビューする患者と様式の版を選んで" in wrong.text

    async def test_a_versions_html_and_css_are_saved_as_files_to_write_the_next_version_from(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_versions(backends)
        source = {"form_id": "F03", "revision": "2", "template_version": "2+cc33dd44", "builtin": False,
                  "html": "<h1>結核登録票</h1>", "css": "h1 { color: black; }"}  # fmt: skip
        asked = backends.get(f"{REPORTS}/forms/F03/templates/source").mock(
            return_value=httpx.Response(200, json=source)
        )
        page = (await admin.get(PAGE)).text
        assert f'href="{PAGE}/source?part=html&amp;template_id={TEMPLATE_ID}"' in page
        html = await admin.get(f"{PAGE}/source", params={"part": "html", "template_id": TEMPLATE_ID})
        assert html.text == "<h1>結核登録票</h1>" and html.headers["content-type"] == "text/html; charset=utf-8"
        assert html.headers["content-disposition"].startswith('attachment; filename="f03-2.html"')
        assert dict(asked.calls.last.request.url.params) == {"template_id": TEMPLATE_ID}
        css = await admin.get(f"{PAGE}/source", params={"part": "css", "template_id": ""})
        assert css.text == "h1 { color: black; }" and "template_id" not in asked.calls.last.request.url.params
        wrong = await admin.get(f"{PAGE}/source", params={"part": "html", "template_id": "x"})
        assert wrong.status_code == 400 and "様式の版の指定が正しくありません。" in wrong.text


@pytest.mark.req("R33", partial=True)
class TestUpload:
    async def test_a_new_version_is_uploaded_with_its_effective_date_typed_in_wareki(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_versions(backends)
        stored = VERSIONS[1] | {"revision": "4", "effective_from": "2027-04-01", "in_force": False}
        uploaded = backends.post(f"{REPORTS}/forms/F03/templates").mock(return_value=httpx.Response(201, json=stored))
        token = csrf_of((await admin.get(PAGE)).text)
        css = ("f03.css", b"h1 { font-size: 14pt; }", "text/css")
        response = await admin.post(PAGE, data=upload(token), files={"html": HTML, "css": css})
        assert response.status_code == 303 and response.headers["location"] == PAGE
        sent = json.loads(uploaded.calls.last.request.content)
        assert sent == {
            "revision": "4", "effective_from": "2027-04-01", "note": "改正", "html": HTML[1].decode(),
            "css": "h1 { font-size: 14pt; }",
        }  # fmt: skip
        after = text_of((await admin.get(PAGE)).text)
        assert "第4版（令和9年4月1日（2027年4月1日）施行）を登録しました。" in after

    async def test_mistakes_are_said_beside_their_fields_and_nothing_is_sent(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_versions(backends)
        uploaded = backends.post(f"{REPORTS}/forms/F03/templates")
        token = csrf_of((await admin.get(PAGE)).text)
        latin1 = ("f03.html", "<p>様式</p>".encode("shift_jis"), "text/html")
        response = await admin.post(
            PAGE, data=upload(token, revision="", effective_from="来年"), files={"html": latin1}
        )
        assert response.status_code == 422 and not uploaded.called
        text = text_of(response.text)
        assert "版（例: 2）を入力してください。" in text
        assert "日付の形式が正しくありません。" in text  # parse_date's words for 施行日, as the browser says them
        assert "様式のHTMLは UTF-8 の文字コードで保存したファイルを選んでください。" in text
        assert 'value="来年"' in response.text, "what was typed stays"
        nothing = await admin.post(PAGE, data=upload(token))
        assert nothing.status_code == 422 and "様式のHTMLのファイルを選んでください。" in nothing.text

    async def test_a_template_reports_cannot_read_or_a_taken_date_is_said_beside_its_field(
        self, admin: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_versions(backends)
        refusals = [
            {"detail": "x", "errors": {"html": "様式のHTMLの3行目を読み取れません（unexpected '}'）。"}},
            {
                "detail": "x",
                "errors": {"effective_from": "同じ施行日の版がすでにあります。別の施行日を指定してください。"},
            },
        ]
        backends.post(f"{REPORTS}/forms/F03/templates").mock(
            side_effect=[httpx.Response(422, json=body) for body in refusals]
        )
        token = csrf_of((await admin.get(PAGE)).text)
        broken = await admin.post(PAGE, data=upload(token), files={"html": HTML})
        assert broken.status_code == 422 and "様式のHTMLの3行目を読み取れません" in broken.text
        assert 'href="#t-html"' in broken.text
        taken = await admin.post(PAGE, data=upload(token), files={"html": HTML})
        assert 'href="#t-effective"' in taken.text and "同じ施行日の版がすでにあります" in taken.text


@pytest.mark.req("R33", partial=True)
async def test_the_versions_page_with_its_mistakes_passes_axe_in_chromium(
    served: str,
    login: Login,
    keycloak: FakeKeycloakType,
    backends: respx.MockRouter,
    shots: Path,
    settings: Settings,
) -> None:
    mock_versions(backends)
    with_roles(keycloak, ADMIN_ROLES)
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, PAGE) as browser:
        found["versions"] = await look(browser, shots, "documents-template-versions")
        await browser.type("#t-effective", "来年")
        await browser.click("form[aria-labelledby='upload-title'] button[type=submit]")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        found["refused"] = await look(browser, shots, "documents-template-refused")
    assert found == {page: [] for page in found}, found
