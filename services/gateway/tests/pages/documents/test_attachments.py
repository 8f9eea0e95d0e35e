"""資料 (R20): a patient's stored files listed with their versions, uploaded with drag and drop or the file picker,
refusals (virus, type, size, no scanner) shown beside the field, previews and downloads relayed, withdrawal."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from ...conftest import PATIENT_ID, REPORTS, CsrfOf, FakeKeycloakType, Login, text_of, with_roles
from .conftest import ATTACHMENT_ID, attachment, mock_files_page, printed_document

pytestmark = pytest.mark.req("R20")
PAGE = f"/documents/patients/{PATIENT_ID}/files"


class TestList:
    async def test_the_files_are_listed_with_kind_date_version_and_older_versions(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = mock_files_page(backends)
        text = text_of((await browser.get(PAGE)).text)
        assert "保存されている資料（1件）" in text
        assert "紹介状 試験総合病院からの紹介状 初診時 令和8年11月28日" in text
        assert "紹介状（差し替え）.pdf PDF・179KB・第2版 以前の版: 第1版をダウンロード" in text
        assert listed.calls.last.request.url.params["owner_type"] == "patient"

    @pytest.mark.req("F06", partial=True)
    async def test_the_forms_printed_about_the_patient_are_listed_to_open_again(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_files_page(backends)
        html = (await browser.get(PAGE)).text
        text = text_of(html)
        assert "印刷した帳票（1件）" in text
        assert "F06 経過記録（2号記録） 令和8年12月3日 14:05 試験 保健師 1+672dd5b0" in text
        assert 'href="/documents/dddddddd-0000-4000-8000-000000000000"' in html
        assert f'href="/contacts/index-patients/{PATIENT_ID}/F05"' in html, "F05 (a list form) printed from here"

    async def test_a_user_without_forms_access_sees_no_printed_forms(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:read", "documents:read"])
        await login(client)
        mock_files_page(backends)
        assert "印刷した帳票" not in without_help((await client.get(PAGE)).text)

    async def test_a_read_only_user_sees_no_upload_form(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:read", "documents:read"])
        await login(client)
        mock_files_page(backends)
        html = without_help((await client.get(PAGE)).text)
        assert "資料を追加する" not in html and "取り下げる" not in html


class TestUpload:
    async def test_chosen_files_go_to_reports_with_their_details_and_the_page_says_so(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_files_page(backends)
        stored = backends.post(f"{REPORTS}/attachments").mock(
            return_value=httpx.Response(201, json=[attachment(), attachment(id="x")])
        )
        token = csrf_of((await browser.get(PAGE)).text)
        response = await browser.post(
            PAGE,
            data={"csrf_token": token, "kind": "referral", "document_date": "R8.11.28", "title": "", "note": "初診時"},
            files=[
                ("files", ("紹介状.pdf", b"%PDF-1.4 a", "application/pdf")),
                ("files", ("x.png", b"png", "image/png")),
            ],
        )
        assert response.status_code == 303 and response.headers["location"] == PAGE
        sent = stored.calls.last.request
        body = sent.content.decode(errors="replace")
        assert 'name="owner_type"\r\n\r\npatient' in body and f'name="owner_id"\r\n\r\n{PATIENT_ID}' in body
        assert 'name="document_date"\r\n\r\nR8.11.28' in body and body.count('name="files"') == 2
        assert "2件の資料を保存しました（ウイルス検査済み）。" in (await browser.get(PAGE)).text

    @pytest.mark.req("N15")
    @pytest.mark.parametrize(
        ("status", "answer", "shown"),
        [
            (
                422,
                {
                    "detail": "x",
                    "code": "file_infected",
                    "errors": {"files": "「a.txt」からウイルス（Eicar）が検出されたため、保存しませんでした。"},
                },
                "ウイルス（Eicar）が検出された",
            ),
            (
                422,
                {
                    "detail": "x",
                    "code": "file_type_refused",
                    "errors": {"files": "「a.pdf」は受け付けられない種類のファイルです。"},
                },
                "受け付けられない種類",
            ),
            (
                413,
                {
                    "detail": "x",
                    "code": "file_too_large",
                    "errors": {"files": "「a.pdf」（25MB）は大きすぎます。1ファイル20MBまでです。"},
                },
                "1ファイル20MBまで",
            ),
            (
                503,
                {
                    "detail": "ウイルス検査を実行できないため、ファイルを保存しませんでした。",
                    "code": "scanner_unavailable",
                    "errors": {},
                },
                "ウイルス検査を実行できないため",
            ),
        ],
        ids=["infected", "type", "size", "no-scanner"],
    )
    async def test_a_refused_file_is_named_beside_the_field(
        self,
        browser: httpx.AsyncClient,
        backends: respx.MockRouter,
        csrf_of: CsrfOf,
        status: int,
        answer: dict,
        shown: str,
    ) -> None:
        mock_files_page(backends)
        backends.post(f"{REPORTS}/attachments").mock(return_value=httpx.Response(status, json=answer))
        token = csrf_of((await browser.get(PAGE)).text)
        response = await browser.post(
            PAGE, data={"csrf_token": token, "kind": "referral"}, files={"files": ("a.pdf", b"data", "application/pdf")}
        )
        assert response.status_code == 422
        html = response.text
        assert 'class="field-error" id="f-files-error"' in html and shown in html
        assert 'href="#f-files"' in html, "the error summary links to the file input"

    async def test_no_file_chosen_is_refused_without_calling_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_files_page(backends)
        stored = backends.post(f"{REPORTS}/attachments")
        token = csrf_of((await browser.get(PAGE)).text)
        response = await browser.post(PAGE, data={"csrf_token": token, "kind": "referral", "note": "残る"})
        assert response.status_code == 422 and "ファイルを選んでください。" in response.text
        assert "残る" in response.text and not stored.called


class TestReading:
    async def test_preview_and_download_are_relayed_from_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        headers = {"content-type": "application/pdf", "content-disposition": 'inline; filename="a.pdf"'}
        backends.get(f"{REPORTS}/attachments/{ATTACHMENT_ID}/preview").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.4 a", headers=headers)
        )
        download = backends.get(f"{REPORTS}/attachments/{ATTACHMENT_ID}/content").mock(
            return_value=httpx.Response(
                200, content=b"%PDF-1.4 a", headers={**headers, "content-disposition": 'attachment; filename="a.pdf"'}
            )
        )
        shown = await browser.get(f"/documents/files/{ATTACHMENT_ID}/preview")
        saved = await browser.get(f"/documents/files/{ATTACHMENT_ID}/download?number=1")
        assert shown.content == b"%PDF-1.4 a" and shown.headers["content-disposition"].startswith("inline")
        assert saved.headers["content-disposition"].startswith("attachment")
        assert download.calls.last.request.url.params["number"] == "1"

    async def test_withdrawing_sends_the_reason_and_the_version(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_files_page(backends)
        backends.get(f"{REPORTS}/attachments/{ATTACHMENT_ID}").mock(return_value=httpx.Response(200, json=attachment()))
        withdrawn = backends.post(f"{REPORTS}/attachments/{ATTACHMENT_ID}/withdraw").mock(
            return_value=httpx.Response(200, json=attachment(withdrawn=True, withdrawn_reason="別の患者の資料"))
        )
        token = csrf_of((await browser.get(PAGE)).text)
        response = await browser.post(
            f"/documents/files/{ATTACHMENT_ID}/withdraw",
            data={"csrf_token": token, "version": "2", "reason": "別の患者の資料"},
        )
        assert response.status_code == 303
        assert withdrawn.calls.last.request.content == '{"version":2,"reason":"別の患者の資料"}'.encode()


@pytest.mark.req("R10", partial=True)
class TestPrintedFormCirculation:
    async def test_a_printed_form_is_put_into_circulation_and_its_approval_is_shown(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:update", "forms:update", "documents:read"])
        await login(client)
        mock_files_page(backends)
        html = (await client.get(PAGE)).text
        link = "/circulations/new?service=reports&amp;record_kind=document&amp;record_id="
        assert link + printed_document()["id"] in html and "回議に付す" in html
        approved = {**printed_document(), "approved_at": "2026-12-04T01:00:00+00:00"}
        backends.get(f"{REPORTS}/documents").mock(
            return_value=httpx.Response(200, json={"items": [approved], "total": 1})
        )
        assert "決裁済み 令和8年12月4日 10:00" in text_of((await client.get(PAGE)).text)

    async def test_a_reader_of_forms_gets_no_circulation_link(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:read", "forms:read", "documents:read"])
        await login(client)
        mock_files_page(backends)
        assert "回議に付す" not in (await client.get(PAGE)).text


def without_help(html: str) -> str:
    """The page without its 「この画面の使い方」 (which describes every action of the page, for every role)."""
    return re.sub(r'<details class="page-help.*?</details>', "", html, flags=re.S)
