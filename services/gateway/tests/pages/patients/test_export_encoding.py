"""The CSV export's 文字コード choice (N26): Shift_JIS is asked of patients, which writes 外字 per the policy, and
its file reaches the browser as it is; the form says what Shift_JIS does with 外字."""

from __future__ import annotations

import httpx
import pytest
import respx

from ...conftest import PATIENTS, Login

SJIS_FILE = "氏名\r\n吉田 太郎\r\n".encode("cp932")


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login) -> httpx.AsyncClient:
    """A logged-in nurse's browser (patients faked)."""
    await login(client)
    return client


@pytest.mark.req("N26", partial=True)
class TestEncodingChoice:
    async def test_the_form_offers_utf8_by_default_and_explains_shift_jis(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get("/patients/export")).text

        assert "<legend>文字コード</legend>" in html
        assert 'value="utf-8" checked' in html and 'value="cp932"' in html
        assert "保健所が登録した代替文字に置き換えて出力します" in html

    async def test_shift_jis_is_asked_of_patients_and_relayed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients/export").mock(
            return_value=httpx.Response(
                200,
                content=SJIS_FILE,
                headers={"content-type": "text/csv; charset=Shift_JIS", "content-disposition": "attachment"},
            )
        )

        response = await browser.get("/patients/export", params={"target": "patients", "encoding": "cp932"})

        assert route.calls.last.request.url.params["encoding"] == "cp932"
        assert response.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert response.content.decode("cp932") == "氏名\r\n吉田 太郎\r\n"


REFUSAL = {
    "detail": "Shift_JIS（CP932）で表せない文字（外字）が1か所にあるため、出力していません: "
    "1行目の「氏名」の「𠮷」（U+20BB7）。",
    "code": "csv_not_in_cp932",
    "errors": {"encoding": "Shift_JIS（CP932）で表せない文字があります。"},
}


@pytest.mark.req("N26", partial=True)
class TestCharactersShiftJisLacks:
    """A Shift_JIS file that would lose characters is not sent: the page names them and offers 〓 or UTF-8."""

    async def test_the_refusal_names_the_places_and_offers_geta_or_utf8(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{PATIENTS}/patients/export").mock(return_value=httpx.Response(422, json=REFUSAL))

        page = await browser.get("/patients/export", params={"target": "patients", "encoding": "cp932"})

        assert page.status_code == 422 and "text/html" in page.headers["content-type"]
        assert "1行目の「氏名」の「𠮷」（U+20BB7）" in page.text
        assert 'href="/patients/export?target=patients&amp;encoding=cp932&amp;substitute=true"' in page.text
        assert 'href="/patients/export?target=patients&amp;encoding=utf-8"' in page.text
        assert "「〓」に置き換えてShift_JISで出力する" in page.text

    async def test_accepting_geta_asks_patients_for_the_substituted_file(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients/export").mock(
            return_value=httpx.Response(200, content=SJIS_FILE, headers={"content-type": "text/csv; charset=Shift_JIS"})
        )

        params = {"target": "patients", "encoding": "cp932", "substitute": "true"}
        response = await browser.get("/patients/export", params=params)

        assert response.status_code == 200
        assert route.calls.last.request.url.params["substitute"] == "true"
