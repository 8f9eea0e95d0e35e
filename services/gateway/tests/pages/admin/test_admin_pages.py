"""The administration pages against the real stack: Keycloak logins with password and TOTP, the real identity.

ユーザ管理 (R34), 権限設定 and what each level may see (R32), ログイン履歴 and 操作履歴 with CSV, 本人開示
and 改ざん検査 (R36), the shorter administrator session ended at Keycloak too (N03), the home page (N04).
Accounts made here are synthetic (`gw-…`) and deleted through Keycloak's admin API afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from gateway.app import build_gateway
from gateway.main import ROUTERS
from gateway.settings import Settings
from tbms_core import clock
from tbms_core.jp.wareki import format_wareki
from tbms_testing import wait_for
from tbms_testing.browser import form_action, hidden_value, keycloak_browser, log_in
from tbms_testing.stack import StackUnavailable, ensure_stack

GATEWAY = "http://127.0.0.1:8000"
KEYCLOAK_ADMIN = "http://127.0.0.1:58080"
NEEDED = {"identity": 8005, "patients": 8001}
AREAS = ("patients", "contacts", "review", "forms", "stats", "documents", "masters", "users", "audit")


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def main_of(html: str) -> str:
    """The text of the page's main content."""
    return text_of(html[html.index('<main id="main"') : html.index("</main>")])


def nav_of(html: str) -> str:
    """The text of the main menu."""
    start = html.index("<ul>", html.index('class="main-nav"'))
    return text_of(html[start : html.index("</nav>")]).strip()


def row_with(html: str, needle: str) -> str:
    """The text of the first table row that contains the needle (empty when none does)."""
    return next((text_of(row) for row in html.split("<tr>")[1:] if needle in row), "")


def csrf(html: str) -> str:
    """The page's CSRF token."""
    return hidden_value(html, "csrf_token")


class KeycloakAdmin:
    """Just enough of Keycloak's admin API to look up and delete the synthetic accounts these tests make."""

    def __init__(self) -> None:
        self.http = httpx.Client(base_url=f"{KEYCLOAK_ADMIN}/admin/realms/tbms", timeout=20)

    def _headers(self) -> dict[str, str]:
        # A fresh token each time: the master realm's tokens last a minute, the module's tests longer.
        token = httpx.post(
            f"{KEYCLOAK_ADMIN}/realms/master/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": "admin"},
            timeout=20,
        ).raise_for_status()
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    def delete(self, user_id: str) -> None:
        """Deletes an account (gone already is fine)."""
        response = self.http.delete(f"/users/{user_id}", headers=self._headers())
        assert response.status_code in (204, 404), response.text

    def find(self, username: str) -> list[dict]:  # type: ignore[type-arg]
        """Accounts with exactly this username."""
        params = {"username": username, "exact": "true"}
        return self.http.get("/users", params=params, headers=self._headers()).raise_for_status().json()


def healthy(port: int) -> bool:
    """True when the service on this loopback port answers that it is ready."""
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def stack() -> None:
    """identity and patients running as `make dev` starts them; the stack is started when they are not."""
    if not all(healthy(port) for port in NEEDED.values()):
        with contextlib.suppress(StackUnavailable):  # a service these tests do not use may fail to start
            ensure_stack()
    for name, port in NEEDED.items():
        assert healthy(port), f"{name} is not running: start the stack with `uv run tbms stack up`"


@pytest.fixture(scope="module")
def app(stack: None) -> FastAPI:
    """One gateway in this process with its real settings: Keycloak and the services on loopback."""
    return build_gateway(Settings(span_file_dir=None, backend_timeout_seconds=30), ROUTERS)


async def browser_of(app: FastAPI, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser logged in to the gateway as a demo user through Keycloak's pages."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        httpx.AsyncClient(transport=transport, base_url=GATEWAY, timeout=60) as gateway,
        keycloak_browser() as keycloak,
    ):
        finished = await log_in(gateway, keycloak, username)
        assert finished.status_code == 303, finished.text[:500]
        yield gateway


@pytest.fixture(scope="module")
async def admin(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """admin1 (管理者: ユーザ管理 and 監査 更新)."""
    async for browser in browser_of(app, "admin1"):
        yield browser


@pytest.fixture(scope="module")
async def chief(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """chief1 (係長: 患者管理 更新, 監査 参照, no ユーザ管理)."""
    async for browser in browser_of(app, "chief1"):
        yield browser


@pytest.fixture(scope="module")
def keycloak_admin() -> Iterator[KeycloakAdmin]:
    """Keycloak's admin API, to clean up."""
    admin = KeycloakAdmin()
    yield admin
    admin.http.close()


@pytest.fixture(scope="module")
def made(keycloak_admin: KeycloakAdmin) -> Iterator[list[str]]:
    """Ids of the accounts the tests create; deleted at the end."""
    ids: list[str] = []
    yield ids
    for user_id in ids:
        keycloak_admin.delete(user_id)


async def create_account(admin: httpx.AsyncClient, made: list[str], **fields: str) -> tuple[str, str, str]:
    """Creates an account through the ユーザ管理 form; returns (id, username, temporary password shown)."""
    form_page = await admin.get("/admin/users/new")
    username = "gw-" + uuid.uuid4().hex[:10]
    data = {
        "csrf_token": csrf(form_page.text),
        "username": username,
        "last_name": "試験",
        "first_name": "三郎",
        "email": f"{username}@example.test",
        "district": "玉川",
        "job_title": "保健師",
        "groups": "事務",
        "password_mode": "generate",
        **fields,
    }
    created = await admin.post("/admin/users", data=data)
    assert created.status_code == 200, main_of(created.text)[:800]
    user_id = re.search(r'href="/admin/users/([0-9a-f-]{36})"', created.text).group(1)  # type: ignore[union-attr]
    made.append(user_id)
    password = re.search(r'id="temporary-password">([^<]+)</code>', created.text).group(1)  # type: ignore[union-attr]
    return user_id, username, password


async def first_login_step(app: FastAPI, username: str, password: str) -> str:
    """What Keycloak answers to this username and password on its login page."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        httpx.AsyncClient(transport=transport, base_url=GATEWAY) as gateway,
        keycloak_browser() as keycloak,
    ):
        started = await gateway.get("/login")
        page = await keycloak.get(started.headers["location"])
        answer = await keycloak.post(
            form_action(page.text, "username"), data={"username": username, "password": password}
        )
        if answer.status_code == 302:  # on to a required action (set up TOTP, choose a password)
            answer = await keycloak.get(answer.headers["location"])
        return answer.text


@pytest.mark.req("R34")
class TestUserAdministration:
    async def test_the_list_finds_users_with_their_group_district_and_state(self, admin: httpx.AsyncClient) -> None:
        page = await admin.get("/admin/users", params={"q": "nurse1"})
        assert page.status_code == 200
        html = page.text
        rows = text_of(html[html.index("<tbody>") : html.index("</tbody>")])
        assert "nurse1 試験 花子 保健師 世田谷" in rows and "有効" in rows
        assert "「nurse1」に一致するユーザ（1件）" in main_of(html)
        assert '<th scope="col">ユーザID</th>' in html and '<th scope="row"><a href="/admin/users/' in html

    async def test_an_account_is_created_with_a_temporary_password_shown_once_that_keycloak_accepts(
        self, admin: httpx.AsyncClient, app: FastAPI, made: list[str]
    ) -> None:
        user_id, username, password = await create_account(admin, made)
        assert len(password) >= 12 and re.search("[A-Z]", password) and re.search("[^A-Za-z0-9]", password)
        detail = main_of((await admin.get(f"/admin/users/{user_id}")).text)
        assert f"試験 三郎（{username}）" in detail and "事務" in detail
        assert "次回ログイン時の設定" in detail and "パスワード変更" in detail and "ワンタイムパスワード設定" in detail
        assert password not in detail, "the temporary password is shown only once"
        first = await first_login_step(app, username, password)
        assert "totp" in first.lower() or "password-new" in first, "Keycloak did not ask to set up the account"
        wrong = await first_login_step(app, username, password + "x")
        assert 'name="password"' in wrong and "totp" not in wrong.lower()

    async def test_name_email_district_and_job_title_are_changed_and_the_change_is_audited(
        self, admin: httpx.AsyncClient, made: list[str]
    ) -> None:
        user_id, username, _ = await create_account(admin, made)
        page = await admin.get(f"/admin/users/{user_id}")
        changes = {"last_name": "見本", "first_name": "四郎", "email": f"{username}@example.lg.jp"}
        changes |= {"district": "砧", "job_title": "係長"}
        saved = await admin.post(f"/admin/users/{user_id}", data={"csrf_token": csrf(page.text), **changes})
        assert saved.status_code == 303 and saved.headers["location"] == f"/admin/users/{user_id}?done=updated"
        html = (await admin.get(saved.headers["location"])).text
        assert "ユーザ情報を保存しました。" in main_of(html) and f"見本 四郎（{username}）" in main_of(html)
        for name, value in changes.items():
            assert re.search(rf'name="{name}" type="\w+" value="{re.escape(value)}"', html), name

        async def audited() -> str:
            page = await admin.get("/admin/audit", params={"user": "admin1", "operation": "update"})
            return row_with(page.text, user_id)

        row = str(await wait_for(audited, timeout=15, interval=0.5))
        assert f"admin1 127.0.0.1 更新 成功 ユーザ {user_id}" in row and "利用者・監査" in row

    async def test_disable_enable_and_reset_password(
        self, admin: httpx.AsyncClient, app: FastAPI, made: list[str]
    ) -> None:
        user_id, username, first_password = await create_account(admin, made)
        token = csrf((await admin.get(f"/admin/users/{user_id}")).text)
        disabled = await admin.post(f"/admin/users/{user_id}/disable", data={"csrf_token": token})
        page = main_of((await admin.get(disabled.headers["location"])).text)
        assert "ユーザを無効にしました。" in page and "無効" in page and "有効にする" in page
        listed = main_of((await admin.get("/admin/users", params={"q": username})).text)
        assert f"{username} 試験 三郎" in listed and "無効" in listed
        enabled = await admin.post(f"/admin/users/{user_id}/enable", data={"csrf_token": token})
        page = main_of((await admin.get(enabled.headers["location"])).text)
        assert "ユーザを有効にしました。" in page and "無効にする（ログインできなくする）" in page
        weak = {"csrf_token": token, "password_mode": "manual", "temporary_password": "short"}
        refused = await admin.post(f"/admin/users/{user_id}/reset-password", data=weak)
        assert refused.status_code == 422
        message = re.search(r'id="f-temporary_password-error">.*?</span>([^<]+)</p>', refused.text)
        assert message and re.fullmatch(r"パスワード.+てください。", message.group(1)), "Keycloak's policy in Japanese"
        assert re.search(r'id="f-temporary_password"[^>]*aria-invalid="true"', refused.text)
        assert 'value="short"' not in refused.text
        reset = await admin.post(
            f"/admin/users/{user_id}/reset-password", data={"csrf_token": token, "password_mode": "generate"}
        )
        assert reset.status_code == 200 and "仮パスワードを設定しました" in reset.text
        password = re.search(r'id="temporary-password">([^<]+)</code>', reset.text).group(1)  # type: ignore[union-attr]
        assert password != first_password
        first = await first_login_step(app, username, password)
        assert "totp" in first.lower() or "password-new" in first

    async def test_refused_fields_are_shown_beside_them_in_japanese_with_the_input_kept(
        self, admin: httpx.AsyncClient, keycloak_admin: KeycloakAdmin
    ) -> None:
        form_page = await admin.get("/admin/users/new")
        data = {
            "csrf_token": csrf(form_page.text),
            "username": "Bad Name",
            "last_name": "試験",
            "first_name": "五郎",
            "district": "北沢",
            "groups": "保健師",
            "password_mode": "generate",
        }
        refused = await admin.post("/admin/users", data=data)
        assert refused.status_code == 422
        html = refused.text
        message = "ユーザIDは英小文字で始まる3〜64文字の英小文字・数字・「.」「_」「-」で入力してください。"
        assert 'role="alert"' in html and f'<a href="#f-username">ユーザID：{message}</a>' in html
        assert re.search(r'id="f-username"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-username-error', html)
        assert 'value="Bad Name"' in html and 'value="五郎"' in html and 'value="北沢"' in html
        assert 'value="保健師" checked' in html
        manual = {**data, "username": "gw-" + uuid.uuid4().hex[:8], "password_mode": "manual", "last_name": ""}
        missing = await admin.post("/admin/users", data=manual)
        assert missing.status_code == 422 and "入力内容に誤りがあります（2件）" in missing.text
        assert '<a href="#f-last_name">姓：姓を入力してください。</a>' in missing.text
        assert "仮パスワードを入力してください。" in missing.text
        assert not keycloak_admin.find(manual["username"]), "nothing may be created without a password"


@pytest.mark.req("R32")
class TestAccessGrid:
    async def test_the_overview_lists_every_group_and_area_in_words(self, admin: httpx.AsyncClient) -> None:
        html = (await admin.get("/admin/access")).text
        table = text_of(html[html.index("<table") : html.index("</table>")])
        assert "業務 事務 係長 保健師 参照のみ 所長 管理者 課長" in table
        assert "ユーザ管理 使用不可 使用不可 使用不可 使用不可 使用不可 更新 使用不可" in table
        assert "監査 使用不可 参照 使用不可 使用不可 参照 更新 参照" in table

    async def test_a_groups_grid_has_one_labelled_radio_group_per_area_and_saves_unchanged(
        self, admin: httpx.AsyncClient
    ) -> None:
        overview = (await admin.get("/admin/access")).text
        group_id = re.search(r'href="/admin/access/groups/([0-9a-f-]{36})">保健師の権限を変更', overview).group(1)  # type: ignore[union-attr]
        html = (await admin.get(f"/admin/access/groups/{group_id}")).text
        assert "グループ「保健師」の権限" in html
        for area in AREAS:
            assert html.count(f'name="{area}" value=') == 3, area
            assert f'aria-labelledby="grid-row-{area} grid-update"' in html
        assert re.search(r'name="patients" value="update"\s+aria-labelledby="[^"]+" checked', html)
        assert re.search(r'name="users" value="none"\s+aria-labelledby="[^"]+" checked', html)
        levels = dict(re.findall(r'name="(\w+)" value="(\w+)"\s+aria-labelledby="[^"]+" checked', html))
        assert set(levels) == set(AREAS)
        saved = await admin.post(f"/admin/access/groups/{group_id}", data={"csrf_token": csrf(html), **levels})
        assert saved.status_code == 303
        again = (await admin.get(saved.headers["location"])).text
        assert "保存しました。" in again
        assert dict(re.findall(r'name="(\w+)" value="(\w+)"\s+aria-labelledby="[^"]+" checked', again)) == levels

    async def test_a_users_grid_shows_where_a_level_comes_from_and_saving_gives_a_direct_level(
        self, admin: httpx.AsyncClient, made: list[str]
    ) -> None:
        user_id, username, _ = await create_account(admin, made)
        html = (await admin.get(f"/admin/access/users/{user_id}")).text
        rows = text_of(html[html.index("<tbody>") : html.index("</tbody>")])
        assert "患者管理 事務（参照） 参照 （事務から）" in rows
        assert "監査 なし 使用不可" in rows
        levels = dict(re.findall(r'name="(\w+)" value="(\w+)"\s+aria-labelledby="[^"]+" checked', html))
        assert levels == dict.fromkeys(AREAS, "none")
        saved = await admin.post(
            f"/admin/access/users/{user_id}", data={"csrf_token": csrf(html), **levels, "audit": "read"}
        )
        assert saved.status_code == 303
        after = (await admin.get(saved.headers["location"])).text
        rows = text_of(after[after.index("<tbody>") : after.index("</tbody>")])
        assert "保存しました。" in after and "監査 なし 参照" in rows
        assert re.search(r'name="audit" value="read"\s+aria-labelledby="[^"]+" checked', after)
        assert f"ユーザ「試験 三郎（{username}）」の権限" in main_of(after)


@pytest.mark.req("R32")
class TestWhatEachUserSees:
    async def test_the_menu_and_shortcuts_follow_each_users_levels(
        self, admin: httpx.AsyncClient, chief: httpx.AsyncClient
    ) -> None:
        admin_home = (await admin.get("/")).text
        assert (
            nav_of(admin_home)
            == "ホーム 予定 回議・供覧 患者一覧 接触者健診 依頼・回答 服薬支援 管理検診 診査会・公費 一括印刷 "
            "マスタ管理 ユーザ管理 権限設定 ログイン履歴 操作履歴"
        )
        assert "患者を登録する" not in main_of(admin_home) and "権限を設定する" in main_of(admin_home)
        chief_home = (await chief.get("/")).text
        assert (
            nav_of(chief_home)
            == "ホーム 予定 回議・供覧 患者登録 患者一覧 接触者健診 依頼・回答 服薬支援 管理検診 診査会・公費 "
            "一括印刷 マスタ管理 ログイン履歴 操作履歴"
        )
        assert "患者を登録する" in main_of(chief_home) and "ユーザを管理する" not in main_of(chief_home)

    async def test_pages_beyond_a_users_level_are_a_japanese_403(self, chief: httpx.AsyncClient) -> None:
        for path, reason in (
            ("/admin/users", "「ユーザ管理」の参照権限がありません。"),
            ("/admin/access", "「ユーザ管理」の更新権限がありません。"),
            ("/admin/users/new", "「ユーザ管理」の更新権限がありません。"),
        ):
            page = await chief.get(path)
            assert page.status_code == 403, path
            assert "権限がありません" in page.text and reason in page.text, path
        assert (await chief.get("/admin/audit")).status_code == 200, "監査 参照 is enough for the history"

    async def test_a_user_without_update_cannot_create_an_account_even_by_posting(
        self, chief: httpx.AsyncClient, keycloak_admin: KeycloakAdmin
    ) -> None:
        username = "gw-" + uuid.uuid4().hex[:8]
        token = csrf((await chief.get("/")).text)
        data = {"csrf_token": token, "username": username, "last_name": "侵入", "password_mode": "generate"}
        refused = await chief.post("/admin/users", data=data)
        assert refused.status_code == 403 and "「ユーザ管理」の更新権限がありません。" in refused.text
        assert not keycloak_admin.find(username)


@pytest.mark.req("R36")
class TestLoginHistory:
    async def test_logins_are_found_by_user_result_period_in_wareki_and_address(self, admin: httpx.AsyncClient) -> None:
        today = clock.today()
        query = {"user": "admin1", "type": "LOGIN", "from": format_wareki(today, "short"), "to": today.isoformat()}
        html = (await admin.get("/admin/logins", params={**query, "ip": "127.0.0.0/8"})).text
        rows = text_of(html[html.index("<tbody>") : html.index("</tbody>")])
        assert f"{format_wareki(today)}" in rows and "ログイン admin1 127.0.0.1" in rows
        assert "ログアウト" not in rows and "nurse1" not in rows
        assert f'value="{format_wareki(today, "short")}"' in html, "the typed date is kept as typed"
        elsewhere = main_of((await admin.get("/admin/logins", params={**query, "ip": "192.0.2.0/24"})).text)
        assert "条件に一致するログイン履歴はありません。" in elsewhere

    async def test_a_date_that_does_not_exist_is_shown_beside_the_field(self, admin: httpx.AsyncClient) -> None:
        page = await admin.get("/admin/logins", params={"from": "R8.2.30", "ip": "999.1.1.1"})
        assert page.status_code == 422
        html = page.text
        assert 'href="#h-from">開始日：' in html and 'href="#h-ip">端末IPアドレス：' in html
        assert re.search(r'id="h-from"[^>]*aria-invalid="true"[^>]*aria-describedby="h-from-error"', html)
        assert "「令和8年2月30日」は存在しない日付です。" in text_of(html)

    async def test_the_csv_export_is_relayed_with_the_same_filters(self, admin: httpx.AsyncClient) -> None:
        query = {"user": "admin1", "type": "LOGIN", "ip": "127.0.0.1"}
        response = await admin.get("/admin/logins/export.csv", params=query)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert "filename*=UTF-8''%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3" in response.headers["content-disposition"]
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:5] == ["日時（日本時間）", "種別", "ユーザID", "利用者番号", "端末IPアドレス"]
        assert len(rows) > 1 and all(r[1:3] == ["ログイン", "admin1"] and r[4] == "127.0.0.1" for r in rows[1:])
        none = await admin.get("/admin/logins/export.csv", params={**query, "ip": "192.0.2.0/24"})
        assert len(list(csv.reader(io.StringIO(none.content.decode("utf-8-sig"))))) == 1

    @pytest.mark.req("N26", partial=True)
    async def test_the_narrowed_export_can_be_had_in_shift_jis(self, admin: httpx.AsyncClient) -> None:
        query = {"user": "admin1", "type": "LOGIN", "ip": "127.0.0.1", "encoding": "cp932"}
        page = (await admin.get("/admin/logins", params={"user": "admin1"})).text
        response = await admin.get("/admin/logins/export.csv", params=query)
        assert 'href="/admin/logins/export.csv?user=admin1&amp;encoding=cp932"' in page
        assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=Shift_JIS"
        rows = list(csv.reader(io.StringIO(response.content.decode("cp932"))))
        assert rows[0][:2] == ["日時（日本時間）", "種別"] and all(r[1:3] == ["ログイン", "admin1"] for r in rows[1:])


@pytest.mark.req("R36")
class TestOperationHistory:
    async def test_a_search_by_the_administrator_is_found_and_exported(self, admin: httpx.AsyncClient) -> None:
        marker = "gw" + uuid.uuid4().hex[:8]
        await admin.get("/admin/users", params={"q": marker})
        query = {"user": "admin1", "operation": "search"}

        async def listed() -> str:
            return row_with((await admin.get("/admin/audit", params=query)).text, f"q={marker}")

        row = str(await wait_for(listed, timeout=15, interval=0.5))
        assert f"admin1 127.0.0.1 検索 成功 ユーザ q={marker} 利用者・監査" in row
        exported = await admin.get("/admin/audit/export.csv", params=query)
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][:6] == ["連番", "日時（日本時間）", "利用者番号", "ユーザID", "端末IPアドレス", "操作"]
        assert any(r[3] == "admin1" and r[5] == "検索" and r[10] == f"q={marker}" for r in rows[1:])

    async def test_the_disclosure_report_names_who_registered_and_read_a_person(
        self, chief: httpx.AsyncClient, admin: httpx.AsyncClient
    ) -> None:
        form = await chief.get("/patients/new")
        reading = "".join("アイウエオカキクケコサシスセソタ"[int(c, 16)] for c in uuid.uuid4().hex[:6])
        person = {  # a synthetic person no earlier run registered (else the duplicate check asks first)
            "csrf_token": csrf(form.text),
            "name": f"開示 {reading}",
            "name_kana": f"カイジ {reading}",
            "sex": "male",
            "birth_date": f"19{40 + uuid.uuid4().int % 50}-04-01",
            "district": "世田谷",
            "category": "patient",
            "step": "confirmed",
        }
        registered = await chief.post("/patients", data=person)
        assert registered.status_code == 303, main_of(registered.text)[:500]
        patient_id = registered.headers["location"].rsplit("/", 1)[-1]
        assert (await chief.get(f"/patients/{patient_id}")).status_code == 200

        async def disclosed() -> str:
            page = await admin.get("/admin/audit/disclosure", params={"person_id": patient_id})
            text = main_of(page.text)
            return text if "chief1" in text and "参照" in text and "登録" in text else ""

        report = str(await wait_for(disclosed, timeout=20, interval=0.5))
        assert "個人情報アクセス記録（本人開示）" in report and f"対象者ID {patient_id}" in report
        assert "admin1" not in report.split("この方の個人情報を扱った職員")[1], "auditors' reads are not accesses"
        assert "印刷する" in report

    async def test_the_tamper_check_reports_an_intact_chain(self, chief: httpx.AsyncClient) -> None:
        page = main_of((await chief.get("/admin/audit/verify")).text)
        assert "結果：異常なし" in page and "件の改ざんはありません。" in page
        checked = int(re.search(r"検査した件数 (\d+)件", page).group(1))  # type: ignore[union-attr]
        assert checked > 0


@pytest.mark.req("N04")
async def test_the_home_page_shows_the_previous_login_and_logout_and_the_banner(admin: httpx.AsyncClient) -> None:
    home = main_of((await admin.get("/")).text)
    assert "ようこそ、" in home and "前回ログイン" in home and "前回ログアウト" in home
    assert "前回ログイン情報を取得できませんでした" not in home
    assert "利用上の注意" in home


@pytest.mark.req("N03")
async def test_an_administrators_session_is_shorter_than_a_chiefs(
    admin: httpx.AsyncClient, chief: httpx.AsyncClient, app: FastAPI
) -> None:
    settings: Settings = app.state.settings
    remaining = {}
    for name, browser in (("admin", admin), ("chief", chief)):
        html = (await browser.get("/")).text
        remaining[name] = int(re.search(r'data-session-remaining="(\d+)"', html).group(1))  # type: ignore[union-attr]
    assert (
        settings.admin_session_idle_minutes * 60 - 10 <= remaining["admin"] <= settings.admin_session_idle_minutes * 60
    )
    assert remaining["chief"] > settings.admin_session_idle_minutes * 60, "係長 (監査 参照) is no administrator"


@pytest.mark.req("N03")
async def test_a_timed_out_session_also_ends_keycloaks_so_login_asks_for_the_password_again(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        httpx.AsyncClient(transport=transport, base_url=GATEWAY, timeout=60) as gateway,
        keycloak_browser() as keycloak,
    ):
        assert (await log_in(gateway, keycloak, "clerk1")).status_code == 303
        store = app.state.sessions
        session_id = gateway.cookies.get("tbms_session")
        session = await store.get(session_id)
        session.last_seen -= store.idle_seconds + 1
        await store.save(session_id, session)
        expired = await gateway.get("/patients")
        assert expired.status_code == 303 and expired.headers["location"] == "/login?next=/patients"
        again = await gateway.get(expired.headers["location"])
        login_page = await keycloak.get(again.headers["location"])
        assert login_page.status_code == 200 and 'name="password"' in login_page.text, "Keycloak logged in silently"
