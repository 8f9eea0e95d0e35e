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
