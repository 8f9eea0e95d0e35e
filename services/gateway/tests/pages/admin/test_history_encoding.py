"""ログイン履歴 and 操作履歴 in Shift_JIS (R36, N26) against a fake identity: the CSV is offered in UTF-8 or CP932; a
character CP932 cannot carry stops the file, and the page names its places and offers 〓 or UTF-8 — identity's
refusal relayed, and the gateway's own when it narrows the login history to an address range."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import respx

from ...conftest import IDENTITY, FakeKeycloakType, Login, text_of, with_roles

LOGIN_HEADER = "日時（日本時間）,種別,ユーザID,利用者番号,端末IPアドレス,接続元,エラー"
LOGINS = (  # identity's UTF-8 login history: a synthetic user whose name has 𠮷 (U+20BB7), one inside the range
    f"\ufeff{LOGIN_HEADER}\r\n"
    "2026-12-01 09:00:00,ログイン,𠮷野 試験,u-1,192.0.2.10,tbms-gateway,\r\n"
    "2026-12-01 08:00:00,ログイン,高田 検証,u-2,192.0.2.11,tbms-gateway,\r\n"
    "2026-12-01 07:00:00,ログイン,外部 確認,u-3,198.51.100.7,tbms-gateway,\r\n"
)
REFUSAL = {
    "detail": "Shift_JIS（CP932）で表せない文字（外字）が1か所にあるため、出力していません: "
    "1行目の「ユーザID」の「𠮷」（U+20BB7）。「〓」に置き換えて出力するか、文字をそのまま残すUTF-8で出力してください。",
    "code": "csv_not_in_cp932",
    "errors": {"encoding": "Shift_JIS（CP932）で表せない文字があります。"},
}
SJIS_FILE = "連番,ユーザID\r\n1,〓野 試験\r\n".encode("cp932")


@pytest.fixture
async def auditor(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> httpx.AsyncClient:
    """A logged-in administrator who may read the histories (identity faked)."""
    backends.get(f"{IDENTITY}/logins").mock(return_value=httpx.Response(200, json={"items": []}))
    backends.get(f"{IDENTITY}/audit/events").mock(return_value=httpx.Response(200, json={"items": []}))
    with_roles(keycloak, ["audit:read"])
    await login(client)
    return client


def rows_of(content: str) -> list[list[str]]:
    """The rows of a CSV text."""
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.req("R36")
@pytest.mark.req("N26", partial=True)
class TestHistoryPagesOfferShiftJis:
    @pytest.mark.parametrize("path", ["/admin/logins", "/admin/audit"])
    async def test_the_page_offers_shift_jis_as_a_link_whose_refusal_is_shown_and_says_what_it_does(
        self, auditor: httpx.AsyncClient, path: str
    ) -> None:
        html = (await auditor.get(path, params={"user": "admin1"})).text

        link = f'<a class="button button--secondary" href="{path}/export.csv?user=admin1&amp;encoding=cp932">'
        assert f"{link}Shift_JIS（CP932）で出力する</a>" in html  # no `download`: a browser would hide the refusal
        assert "「〓」に置き換えて出力するか、UTF-8で出力するかを選べます" in text_of(html)


@pytest.mark.req("R36")
@pytest.mark.req("N26", partial=True)
class TestIdentitysRefusalIsShown:
    @pytest.mark.parametrize(
        ("path", "backend"), [("/admin/logins", "/logins/export.csv"), ("/admin/audit", "/audit/events/export.csv")]
    )
    async def test_the_refusal_names_the_places_and_offers_geta_or_utf8(
        self, auditor: httpx.AsyncClient, backends: respx.MockRouter, path: str, backend: str
    ) -> None:
        route = backends.get(f"{IDENTITY}{backend}").mock(return_value=httpx.Response(422, json=REFUSAL))

        page = await auditor.get(f"{path}/export.csv", params={"user": "admin1", "encoding": "cp932"})

        assert route.calls.last.request.url.params["encoding"] == "cp932"
        assert page.status_code == 422 and "text/html" in page.headers["content-type"]
        assert "1行目の「ユーザID」の「𠮷」（U+20BB7）" in page.text
        assert f'href="{path}/export.csv?user=admin1&amp;encoding=cp932&amp;substitute=true"' in page.text
        assert f'href="{path}/export.csv?user=admin1&amp;encoding=utf-8"' in page.text
        assert "表せない文字を「〓」に置き換えてShift_JISで出力する" in page.text

    async def test_accepting_geta_asks_identity_for_the_substituted_file(
        self, auditor: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        sjis = httpx.Response(200, content=SJIS_FILE, headers={"content-type": "text/csv; charset=Shift_JIS"})
        route = backends.get(f"{IDENTITY}/audit/events/export.csv").mock(return_value=sjis)

        params = {"user": "admin1", "encoding": "cp932", "substitute": "true"}
        response = await auditor.get("/admin/audit/export.csv", params=params)

        assert (route.calls.last.request.url.params["substitute"], response.status_code) == ("true", 200)
        assert response.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert rows_of(response.content.decode("cp932")) == [["連番", "ユーザID"], ["1", "〓野 試験"]]


@pytest.mark.req("R36")
@pytest.mark.req("N26", partial=True)
class TestLoginsNarrowedToAnAddressRange:
    """The gateway narrows identity's UTF-8 file to the range and writes it in the encoding asked itself."""

    @pytest.fixture
    def identity_file(self, backends: respx.MockRouter) -> respx.Route:
        """identity's login history in UTF-8, whatever encoding the browser asked for."""
        answer = httpx.Response(
            200,
            content=LOGINS.encode("utf-8"),
            headers={"content-type": "text/csv; charset=utf-8", "content-disposition": "attachment; x"},
        )
        return backends.get(f"{IDENTITY}/logins/export.csv").mock(return_value=answer)

    async def test_shift_jis_stops_at_a_character_it_cannot_carry_and_names_its_place(
        self, auditor: httpx.AsyncClient, identity_file: respx.Route
    ) -> None:
        page = await auditor.get("/admin/logins/export.csv", params={"ip": "192.0.2.0/24", "encoding": "cp932"})

        assert "encoding" not in identity_file.calls.last.request.url.params
        assert page.status_code == 422 and "1行目の「ユーザID」の「𠮷」（U+20BB7）" in page.text
        assert 'href="/admin/logins/export.csv?ip=192.0.2.0%2F24&amp;encoding=cp932&amp;substitute=true"' in page.text
        assert 'href="/admin/logins/export.csv?ip=192.0.2.0%2F24&amp;encoding=utf-8"' in page.text

    async def test_geta_is_written_in_shift_jis_and_utf8_keeps_the_character(
        self, auditor: httpx.AsyncClient, identity_file: respx.Route
    ) -> None:
        query = {"ip": "192.0.2.0/24"}
        sjis = await auditor.get("/admin/logins/export.csv", params={**query, "encoding": "cp932", "substitute": "1"})
        utf8 = await auditor.get("/admin/logins/export.csv", params={**query, "encoding": "utf-8"})

        assert sjis.status_code == 200 and sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert sjis.headers["x-tbms-replaced-cells"] == "1"
        written = rows_of(sjis.content.decode("cp932"))
        assert written[0] == LOGIN_HEADER.split(",")
        assert [row[2] for row in written[1:]] == ["〓野 試験", "高田 検証"]  # 198.51.100.7 is outside the range
        assert utf8.content.startswith("\ufeff".encode())
        assert [row[2] for row in rows_of(utf8.content.decode("utf-8-sig"))[1:]] == ["𠮷野 試験", "高田 検証"]

    async def test_a_file_shift_jis_carries_is_written_in_cp932(
        self, auditor: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        plain = LOGINS.replace("𠮷野", "吉野").encode("utf-8")
        backends.get(f"{IDENTITY}/logins/export.csv").mock(return_value=httpx.Response(200, content=plain))

        sjis = await auditor.get("/admin/logins/export.csv", params={"ip": "192.0.2.10", "encoding": "cp932"})

        assert sjis.status_code == 200 and sjis.headers["x-tbms-replaced-cells"] == "0"
        assert rows_of(sjis.content.decode("cp932"))[1:] == [
            ["2026-12-01 09:00:00", "ログイン", "吉野 試験", "u-1", "192.0.2.10", "tbms-gateway", ""]
        ]
