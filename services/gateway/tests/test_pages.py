"""The pages against fake back-ends: home, registration, patient page, list, search, forms, failures."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

Login = Callable[..., Awaitable[str]]
CsrfOf = Callable[[str], str]
PATIENTS, SEARCH, IDENTITY, REPORTS = (
    "http://patients.test",
    "http://search.test",
    "http://identity.test",
    "http://reports.test",
)
PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
DOCUMENT_ID = "0c6f1d9e-2f4b-4a43-8f0e-6f1b2a3c4d5e"
PATIENT = {
    "id": PATIENT_ID,
    "version": 1,
    "registration_no": "2026-00001",
    "registered_on": "2026-11-20",
    "category": "patient",
    "name": "試験 太郎",
    "name_kana": "シケン タロウ",
    "sex": "male",
    "birth_date": "1970-03-01",
    "postal_code": "154-0017",
    "address": "東京都世田谷区世田谷4-21-27",
    "phone": "03-1234-5678",
    "status": "active",
    "district": "世田谷",
    "nurse": "",
    "excluded_on": None,
    "updated_at": None,
}


def mock_patient_page(backends: respx.MockRouter) -> respx.Route:
    """patients answers the patient page's calls: the patient, an empty history and no test results."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/history").mock(return_value=httpx.Response(200, json={"items": []}))
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(200, json={"items": []})
    )
    return backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login) -> httpx.AsyncClient:
    """A logged-in nurse's browser."""
    await login(client)
    return client


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class TestHome:
    async def test_greets_the_user_and_shows_the_previous_login_in_wareki_and_tokyo_time(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        last = {
            "current_login": {"time": "2026-11-21T01:00:00Z", "ip_address": "192.0.2.20"},
            "previous_login": {"time": "2026-11-20T00:05:00Z", "ip_address": "192.0.2.10"},
            "last_logout": {"time": "2026-11-20T08:30:00+00:00", "ip_address": "192.0.2.10"},
            "failed_logins_since_previous": 2,
        }
        backends.get(f"{IDENTITY}/logins/me/last").mock(return_value=httpx.Response(200, json=last))
        page = text_of((await browser.get("/")).text)
        assert "ようこそ、試験 花子さん" in page
        assert "前回ログイン 令和8年11月20日 09:05（接続元: 192.0.2.10）" in page
        assert "前回ログアウト 令和8年11月20日 17:30" in page
        assert "2回" in page

    async def test_still_renders_when_identity_is_down(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{IDENTITY}/logins/me/last").mock(side_effect=httpx.ConnectError("refused"))
        response = await browser.get("/")
        assert response.status_code == 200
        assert "前回ログイン情報を取得できませんでした" in response.text

    async def test_layout_has_search_navigation_user_and_logout(
        self, browser: httpx.AsyncClient, no_last_login: respx.Route
    ) -> None:
        html = (await browser.get("/")).text
        assert '<html lang="ja">' in html and 'href="#main"' in html and '<main id="main"' in html
        assert 'role="search"' in html and '<label for="global-search-q">検索</label>' in html
        assert 'hx-get="/search/suggest"' in html
        assert "結核患者管理システム" in html and "試験 花子 さん" in html and "ログアウト" in html
        assert re.search(r'<a href="/" aria-current="page">ホーム</a>', html)
        assert ">患者登録</a>" in html and ">患者一覧</a>" in html

    async def test_the_token_goes_to_the_back_end_with_the_users_address(
        self, browser: httpx.AsyncClient, no_last_login: respx.Route
    ) -> None:
        await browser.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
        sent = no_last_login.calls.last.request.headers
        assert sent["authorization"].startswith("Bearer ey")
        assert sent["x-forwarded-for"] == "127.0.0.1"


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
        response = await browser.post("/patients", data=form)
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


@pytest.mark.req("R30")
class TestPatientPage:
    async def test_the_header_shows_the_patients_key_facts(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        for fact in (
            "試験 太郎",
            "カナ シケン タロウ",
            "性別 男性",
            "生年月日 昭和45年3月1日（1970年3月1日）",
            "登録番号 2026-00001",
            "登録区分 患者",
            "状態 登録中",
            "地区 世田谷",
        ):
            assert fact in header, fact
        assert re.search(r"年齢 \d+歳", header)
        assert "結核登録票（F03）を出力" in html

    async def test_an_unknown_patient_is_a_japanese_not_found_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
            return_value=httpx.Response(404, json={"detail": "指定された患者が見つかりません。"})
        )
        response = await browser.get(f"/patients/{PATIENT_ID}")
        assert response.status_code == 404 and "指定された患者が見つかりません。" in response.text

    async def test_the_list_shows_the_newest_patients(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(200, json={"items": [PATIENT], "total": 1})
        )
        html = (await browser.get("/patients")).text
        assert route.calls.last.request.url.params["limit"] == "50"
        assert f'<a href="/patients/{PATIENT_ID}">試験 太郎</a>' in html and "昭和45年3月1日" in html


class TestRegistrationForm:
    async def test_f03_is_generated_after_waiting_for_reports_and_opened_as_pdf(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_patient_page(backends)
        created = backends.post(f"{REPORTS}/documents").mock(
            side_effect=[
                httpx.Response(409, json={"detail": "not yet"}),
                httpx.Response(201, json={"id": DOCUMENT_ID, "kind": "F03"}),
            ]
        )
        token = csrf_of((await browser.get(f"/patients/{PATIENT_ID}")).text)
        response = await browser.post(f"/patients/{PATIENT_ID}/documents", data={"csrf_token": token, "form": "F03"})
        assert response.status_code == 303 and response.headers["location"] == f"/documents/{DOCUMENT_ID}"
        assert created.call_count == 2
        assert json.loads(created.calls.last.request.content) == {"form": "F03", "patient_id": PATIENT_ID}
        meta = {"id": DOCUMENT_ID, "kind": "F03", "patient_id": PATIENT_ID}
        backends.get(f"{REPORTS}/documents/{DOCUMENT_ID}").mock(return_value=httpx.Response(200, json=meta))
        backends.get(f"{REPORTS}/documents/{DOCUMENT_ID}/content").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 test", headers={"content-type": "application/pdf"})
        )
        pdf = await browser.get(f"/documents/{DOCUMENT_ID}")
        assert pdf.status_code == 200 and pdf.content == b"%PDF-1.7 test"
        assert pdf.headers["content-type"] == "application/pdf"
        disposition = pdf.headers["content-disposition"]
        assert disposition.startswith("inline;") and "filename*=UTF-8''F03_2026-00001.pdf" in disposition


class TestSearch:
    async def test_suggestions_start_from_the_second_character(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        item = {
            "record_type": "patient",
            "id": PATIENT_ID,
            "name": "試験 太郎",
            "name_kana": "シケン タロウ",
            "birth_date": "1970-03-01",
            "birth_date_wareki": "昭和45年3月1日",
        }
        route = backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(200, json={"items": [item]}))
        one = await browser.get("/search/suggest", params={"q": "試"}, headers={"HX-Request": "true"})
        assert not route.called and "<li>" not in one.text
        two = await browser.get("/search/suggest", params={"q": "試験"}, headers={"HX-Request": "true"})
        assert route.calls.last.request.url.params["q"] == "試験"
        assert f'href="/patients/{PATIENT_ID}"' in two.text and "昭和45年3月1日" in two.text
        assert "候補1件" in two.text

    async def test_a_search_failure_stays_inside_the_suggestions(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(503))
        response = await browser.get("/search/suggest", params={"q": "試験"})
        assert response.status_code == 200 and "一時的にサービスに接続できません" not in response.text
        assert "しばらくしてから" in response.text

    async def test_results_are_a_table_linking_to_each_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        item = {
            "record_type": "patient",
            "id": PATIENT_ID,
            "name": "試験 太郎",
            "name_kana": "シケン タロウ",
            "birth_date": "1970-03-01",
            "birth_date_wareki": "昭和45年3月1日",
            "registration_no": "2026-00001",
            "status": "active",
        }
        backends.get(f"{SEARCH}/search").mock(return_value=httpx.Response(200, json={"items": [item], "total": 1}))
        html = (await browser.get("/search", params={"q": "しけん"})).text
        row = text_of(html[html.index("<tbody>") :])
        assert "患者 試験 太郎 シケン タロウ 昭和45年3月1日 2026-00001 登録中" in row
        assert f'<a href="/patients/{PATIENT_ID}">試験 太郎</a>' in html
        assert "1件" in html


class TestBackendFailures:
    async def test_403_is_a_japanese_no_permission_page_with_the_services_message(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        message = "「患者管理」の参照権限がありません。管理者に確認してください。"
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(403, json={"detail": message}))
        response = await browser.get("/patients")
        assert response.status_code == 403 and "権限がありません" in response.text and message in response.text

    async def test_401_sends_the_user_to_login_again(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(401, json={"detail": "x"}))
        response = await browser.get("/patients")
        assert response.status_code == 303 and response.headers["location"] == "/login?next=/patients"
        relogin = await browser.get("/login", params={"next": "/patients"})
        assert relogin.headers["location"].startswith("http://kc.test/")

    @pytest.mark.parametrize("failure", [httpx.Response(500), httpx.Response(502), httpx.ReadTimeout("slow")])
    async def test_outages_and_timeouts_are_a_temporary_failure_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, failure: Any
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients")
        route.mock(side_effect=failure) if isinstance(failure, Exception) else route.mock(return_value=failure)
        response = await browser.get("/patients")
        assert response.status_code == 503
        assert "一時的にサービスに接続できません" in response.text and "Traceback" not in response.text

    async def test_htmx_requests_are_sent_to_login_as_a_whole_page(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/search/suggest",
            params={"q": "試験"},
            headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:8000/patients?x=1"},
        )
        assert response.headers["hx-redirect"] == "/login?next=/patients"


class TestTracing:
    async def test_one_trace_links_the_gateway_request_to_the_patients_request(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        exporter = InMemorySpanExporter()
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        mock_patient_page(backends)
        await browser.get(f"/patients/{PATIENT_ID}")
        trace_id = backends.routes["patient-record"].calls.last.request.headers["traceparent"].split("-")[1]
        server = [s for s in exporter.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
        assert any(format(s.context.trace_id, "032x") == trace_id for s in server)
        exporter.clear()
