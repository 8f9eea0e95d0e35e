"""CSRF tokens on every POST and security headers on every response (IPA checklist, N09)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx

from ..conftest import only_session

Login = Callable[..., Awaitable[str]]
CsrfOf = Callable[[str], str]
PATIENTS = "http://patients.test"
REGISTERED = {"id": "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"}
EXPECTED_STATUS = {"/logged-out": 200, "/no-such-page": 404, "/login": 303, "/health/live": 200, "/static/app.css": 200}


@pytest.fixture
def register_route(backends: respx.MockRouter) -> respx.Route:
    """patients registers whatever it is sent."""
    return backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=REGISTERED))


@pytest.mark.req("N09", partial=True)
class TestCsrf:
    async def test_a_form_post_with_the_sessions_token_is_accepted(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, register_route: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/patients/new")).text)
        confirmed = {"csrf_token": token, "name": "試験 太郎", "step": "confirmed"}  # past the confirmation step
        response = await client.post("/patients", data=confirmed)
        assert response.status_code == 303
        assert register_route.called

    async def test_a_post_without_a_token_is_refused_and_nothing_is_sent_on(
        self, client: httpx.AsyncClient, login: Login, register_route: respx.Route
    ) -> None:
        await login(client)
        response = await client.post("/patients", data={"name": "試験 太郎"})
        assert response.status_code == 403
        assert "この操作は受け付けられませんでした" in response.text
        assert not register_route.called

    async def test_a_wrong_token_is_refused(
        self, client: httpx.AsyncClient, login: Login, register_route: respx.Route
    ) -> None:
        await login(client)
        response = await client.post("/patients", data={"csrf_token": "guessed", "name": "試験 太郎"})
        assert response.status_code == 403
        assert not register_route.called

    async def test_the_token_of_another_session_is_refused(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, register_route: respx.Route
    ) -> None:
        await login(client)
        old_token = csrf_of((await client.get("/patients/new")).text)
        client.cookies.clear()
        await login(client)
        response = await client.post("/patients", data={"csrf_token": old_token, "name": "試験 太郎"})
        assert response.status_code == 403

    async def test_the_token_is_renewed_with_the_session_at_login(
        self, client: httpx.AsyncClient, csrf_of: CsrfOf, keycloak: object
    ) -> None:
        started = await client.get("/login")
        async with only_session(client) as session:
            pre_login_token = session.csrf_token
        await client.get(keycloak.authorize(started.headers["location"]))  # type: ignore[attr-defined]
        async with only_session(client) as session:
            assert session.authenticated and session.csrf_token != pre_login_token

    async def test_htmx_requests_carry_the_token_in_a_header(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, register_route: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/patients/new")).text)
        response = await client.post(
            "/patients",
            data={"name": "試験 太郎", "step": "confirmed"},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert response.status_code == 303

    async def test_every_page_sets_the_htmx_header_from_the_session_token(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, no_last_login: respx.Route
    ) -> None:
        await login(client)
        page = (await client.get("/")).text
        assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf_of(page)}"}}\'' in page

    async def test_a_post_from_another_origin_is_refused(
        self, client: httpx.AsyncClient, login: Login, csrf_of: CsrfOf, register_route: respx.Route
    ) -> None:
        await login(client)
        token = csrf_of((await client.get("/patients/new")).text)
        response = await client.post(
            "/patients", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert not register_route.called

    async def test_logout_needs_the_token_too(self, client: httpx.AsyncClient, login: Login) -> None:
        await login(client)
        assert (await client.post("/logout")).status_code == 403


def assert_security_headers(response: httpx.Response) -> None:
    """The headers every response must carry."""
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.req("N09", partial=True)
class TestSecurityHeaders:
    async def test_pages_with_personal_data_are_never_cached(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter
    ) -> None:
        await login(client)
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(200, json={"items": [], "total": 0}))
        response = await client.get("/patients")
        assert response.status_code == 200
        assert_security_headers(response)
        assert response.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize("path", ["/logged-out", "/no-such-page", "/login", "/health/live", "/static/app.css"])
    async def test_every_response_carries_them(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)
        assert response.status_code == EXPECTED_STATUS[path]
        assert_security_headers(response)

    async def test_an_unexpected_failure_shows_a_japanese_page_without_a_stack_trace(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter
    ) -> None:
        await login(client)
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(200, text="not json"))
        response = await client.get("/patients")
        assert response.status_code == 500
        assert "エラーが発生しました" in response.text
        assert "Traceback" not in response.text and "JSONDecodeError" not in response.text
        assert_security_headers(response)
        assert response.headers["cache-control"] == "no-store"

    async def test_no_inline_script_on_any_page(
        self, client: httpx.AsyncClient, login: Login, no_last_login: respx.Route
    ) -> None:
        await login(client)
        for path in ("/", "/patients/new", "/logged-out"):
            response = await client.get(path)
            assert response.status_code == 200, path
            html = response.text
            assert "<script>" not in html and "onclick" not in html and "style=" not in html
            assert html.count("<script") == html.count('<script src="/static/')


@pytest.mark.req("N09", partial=True)
class TestHeaderInjectionAndPathTraversal:
    """IPA 1.3 (path traversal) and 1.7 (HTTP header injection): input never becomes a file path or a header."""

    @pytest.mark.parametrize(
        "next_path",
        [
            "/%0d%0aSet-Cookie:%20evil=1",
            "/patients%0aLocation:%20https://evil.example",
            "/%E5%98%8A%E5%98%8DSet-Cookie:x",
        ],
    )
    async def test_a_line_break_in_a_return_path_never_becomes_a_header(
        self, client: httpx.AsyncClient, login: Login, next_path: str
    ) -> None:
        await login(client)
        response = await client.get(f"/login?next={next_path}")
        assert response.status_code in (303, 400)
        assert "evil" not in "".join(response.headers.get_list("set-cookie"))
        location = response.headers.get("location", "")
        assert "\r" not in location and "\n" not in location and "evil.example" not in location.split("?")[0][:40]

    @pytest.mark.parametrize(
        "path",
        [
            "/static/../../../../etc/passwd",
            "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/static/..%2f..%2f..%2fetc%2fpasswd",
            "/static/%252e%252e/%252e%252e/etc/passwd",
            "/static/....//....//etc/passwd",
            "/static/app.css/../../settings.py",
        ],
    )
    async def test_a_static_path_cannot_climb_out_of_the_static_folder(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code in (400, 404)
        assert "root:" not in response.text and "BaseSettings" not in response.text
