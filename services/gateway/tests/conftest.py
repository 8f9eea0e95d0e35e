"""Fixtures: the gateway in-process over ASGI, a fake Keycloak and fake back-ends (respx) for unit tests."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
import respx
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway.app import build_gateway
from gateway.main import ROUTERS
from gateway.settings import Settings
from gateway.web.oidc import code_challenge
from tbms_testing import auth_headers

from .chromium import Chromium, chromium, free_port

ISSUER = "http://kc.test/realms/tbms"
GATEWAY = "http://127.0.0.1:8000"
PATIENTS, SEARCH, IDENTITY, REPORTS, MASTERS, CONTACTS = (
    "http://patients.test",
    "http://search.test",
    "http://identity.test",
    "http://reports.test",
    "http://masters.test",
    "http://contacts.test",
)
WORKFLOW = "http://workflow.test"
DISTRICTS = ["世田谷", "北沢", "玉川", "砧", "烏山"]  # masters' districts as its migration seeds them
NURSE_ROLES = ["patients:update", "contacts:update", "forms:update", "documents:update"]

# Gateways built in these tests keep their sessions in this process unless a test says otherwise:
# web/test_shared_sessions.py runs the PostgreSQL store with two gateways on a database of its own.
os.environ.setdefault("TBMS_GATEWAY_SESSION_STORE", "memory")

Login = Callable[..., Awaitable[str]]
CsrfOf = Callable[[str], str]
SessionOf = Callable[[httpx.AsyncClient], str]
FakeKeycloakType = Any  # FakeKeycloak, for tests that change what it issues


@cache
def signing_key() -> rsa.RSAPrivateKey:
    """One RSA key for the fake Keycloak, made once per test run (key generation is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeKeycloak:
    """Keycloak's OIDC endpoints as respx routes: discovery, JWKS, token (code + PKCE, refresh)."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.key = signing_key()
        self.codes: dict[str, dict[str, str]] = {}
        self.token_forms: list[dict[str, str]] = []
        self.nonce_override: str | None = None
        self.refresh_fails = False
        self.expires_in = 300
        self.user = {"sub": "u-nurse1", "preferred_username": "nurse1", "family_name": "試験", "given_name": "花子"}
        discovery = {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
            "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
            "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout",
            "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
        }
        router.get(f"{ISSUER}/.well-known/openid-configuration").mock(return_value=httpx.Response(200, json=discovery))
        router.get(discovery["jwks_uri"]).mock(return_value=httpx.Response(200, json={"keys": [self._jwk()]}))
        self.token_route = router.post(discovery["token_endpoint"]).mock(side_effect=self._token)

    def _jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}

    def authorize(self, location: str) -> str:
        """What Keycloak does after a good password and TOTP: the callback URL with a one-time code."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        code = secrets.token_urlsafe(16)
        self.codes[code] = params
        return f"/auth/callback?{urlencode({'code': code, 'state': params['state']})}"

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.token_forms.append(form)
        if request.headers.get("authorization", "") != httpx.BasicAuth("tbms-gateway", "test-secret")._auth_header:
            return httpx.Response(401, json={"error": "unauthorized_client"})
        if form["grant_type"] == "refresh_token":
            return self._refresh()
        started = self.codes.pop(form.get("code", ""), None)
        if started is None or code_challenge(form.get("code_verifier", "")) != started["code_challenge"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        return httpx.Response(200, json=self.tokens(self.nonce_override or started["nonce"]))

    def _refresh(self) -> httpx.Response:
        if self.refresh_fails:
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": "Session not active"})
        return httpx.Response(200, json=self.tokens(None))

    def sign(self, claims: dict[str, Any]) -> str:
        """A token signed by this Keycloak's key."""
        now = int(time.time())
        body = {"iss": ISSUER, "iat": now, "exp": now + self.expires_in, **self.user, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def tokens(self, nonce: str | None) -> dict[str, Any]:
        """A token response as Keycloak sends it."""
        access = self.sign(
            {"aud": ["tbms-api", "account"], "azp": "tbms-gateway", "realm_access": {"roles": NURSE_ROLES}}
        )
        body: dict[str, Any] = {
            "access_token": access,
            "refresh_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_expires_in": 1800,
        }
        if nonce is not None:
            body["id_token"] = self.sign({"aud": "tbms-gateway", "azp": "tbms-gateway", "nonce": nonce})
        return body


def make_settings(**overrides: Any) -> Settings:
    """Gateway settings pointing at the fakes."""
    values: dict[str, Any] = {
        "environment": "local",
        "oidc_issuer": ISSUER,
        "public_url": GATEWAY,
        "oidc_secret": "test-secret",
        "patients_url": PATIENTS,
        "search_url": SEARCH,
        "identity_url": IDENTITY,
        "reports_url": REPORTS,
        "masters_url": MASTERS,
        "contacts_url": CONTACTS,
        "workflow_url": WORKFLOW,
        "span_file_dir": None,
        "backend_timeout_seconds": 2,
    }
    return Settings(**{**values, **overrides})


CARD_DEFAULTS = ("card-codes", "custom-fields", "care-records", "duplicates", "patient-record")
CARE_PATHS = ("treatments", "hospitalisations", "transfers", "notes", "public-expenses")
# patients' GET /reference/card as recorded; test_patient_card_pages checks it against the live service
CARD_CODES = json.loads((Path(__file__).parent / "card_codes.json").read_text(encoding="utf-8"))


def mock_card_defaults(router: respx.MockRouter) -> None:
    """What patients answers besides a test's own data: the code lists, no configurable fields, no care records
    and no possible duplicates. A test overrides one with a route of the same name."""
    empty = httpx.Response(200, json={"items": []})
    router.get(f"{PATIENTS}/reference/card", name="card-codes").mock(return_value=httpx.Response(200, json=CARD_CODES))
    router.get(url__regex=rf"^{PATIENTS}/custom-fields", name="custom-fields").mock(return_value=empty)
    care = rf"^{PATIENTS}/patients/[^/]+/({'|'.join(CARE_PATHS)})$"
    router.get(url__regex=care, name="care-records").mock(return_value=empty)
    router.post(f"{PATIENTS}/patients/duplicates", name="duplicates").mock(return_value=empty)
    router.get(url__regex=rf"^{PATIENTS}/patients/[^/]+/record$", name="patient-record").mock(
        side_effect=lambda request: patient_record(router, request)
    )


def patient_record(router: respx.MockRouter, request: httpx.Request) -> httpx.Response:
    """patients' GET /patients/{id}/record made of what a test mocked for its parts (the patient, /history,
    /lab-results, each care path), as the service would answer it; a part not mocked is empty."""
    base = str(request.url).removesuffix("/record")

    def part(url: str) -> httpx.Response | None:
        try:
            return router.handler(httpx.Request("GET", url))
        except (respx.models.AllMockedAssertionError, AssertionError):
            return None

    patient = part(base)
    if patient is None or patient.status_code != 200:
        return patient or httpx.Response(404, json={"detail": "該当する患者が見つかりません。"})

    def items(tail: str) -> list[Any]:
        answer = part(f"{base}/{tail}")
        return answer.json().get("items", []) if answer is not None and answer.status_code == 200 else []

    record = {
        "patient": patient.json(),
        "history": items("history"),
        "lab_results": items("lab-results"),
        "care": {path: items(path) for path in CARE_PATHS},
        "alerts": [],
        "measures": [],
    }
    return httpx.Response(200, json=record)


def mock_districts(router: respx.MockRouter) -> respx.Route:
    """masters answers GET /districts with the five districts; a test overrides the route named "districts"."""
    districts = [{"code": f"d{i}", "name": name} for i, name in enumerate(DISTRICTS, 1)]
    return router.get(f"{MASTERS}/districts", name="districts").mock(return_value=httpx.Response(200, json=districts))


def mock_staff(router: respx.MockRouter) -> respx.Route:
    """masters has no staff assignments (none proposed for any address) and patients names no 担当保健師 (the
    patient list's choices); a test overrides the routes named "staff", "nurse-lookup" and "nurse-loads"."""
    empty = httpx.Response(200, json={"items": [], "total": 0})
    router.get(f"{PATIENTS}/patients/nurses", name="nurse-loads").mock(
        return_value=httpx.Response(200, json={"items": []})
    )
    nobody = {"district_code": "", "district_name": "", "district_why": "", "proposed": None, "nurses": [], "basis": ""}
    router.get(f"{MASTERS}/masters/staff_assignment/lookup", name="nurse-lookup").mock(
        return_value=httpx.Response(200, json=nobody)
    )
    return router.get(f"{MASTERS}/masters/staff_assignment", name="staff").mock(return_value=empty)


def mock_gaiji(router: respx.MockRouter) -> respx.Route:
    """masters' 外字 master holds nothing; a test overrides the route named "gaiji"."""
    empty = httpx.Response(200, json={"items": [], "total": 0})
    return router.get(f"{MASTERS}/masters/gaiji", name="gaiji").mock(return_value=empty)


def mock_contact_list(router: respx.MockRouter) -> respx.Route:
    """contacts knows no contacts (the patient page counts an index patient's); a test overrides the route named
    "contact-list"."""
    empty = httpx.Response(200, json={"items": [], "total": 0})
    return router.get(f"{CONTACTS}/contacts", name="contact-list").mock(return_value=empty)


# contacts' GET /reference/codes as recorded from the live service (the built-in lists of its コード表)
CONTACT_CODES = json.loads(
    (Path(__file__).parent / "pages" / "contacts" / "contact_codes.json").read_text(encoding="utf-8")
)


def mock_contact_codes(router: respx.MockRouter) -> respx.Route:
    """contacts answers its forms' code lists (接触の場, 検査の種類, 続柄・関係); a test overrides the route named
    "contact-codes"."""
    answer = httpx.Response(200, json=CONTACT_CODES)
    return router.get(f"{CONTACTS}/reference/codes", name="contact-codes").mock(return_value=answer)


def mock_todos(router: respx.MockRouter) -> respx.Route:
    """workflow has no to-dos for the user (the home page counts them); a test overrides the route named "todos"."""
    empty = httpx.Response(200, json={"items": [], "total": 0})
    nothing = httpx.Response(200, json={"overdue": 0, "today": 0, "week": 0, "open": 0})
    router.get(f"{WORKFLOW}/todos/counts/mine", name="my_counts").mock(return_value=nothing)
    return router.get(f"{WORKFLOW}/todos", name="todos").mock(return_value=empty)


def mock_search_index(router: respx.MockRouter) -> respx.Route:
    """search's index is complete and was never rebuilt (運用状況 shows it); a test overrides the route named
    "search-index"."""
    complete = {"state": "complete", "documents": 1200, "detail": ""}
    return router.get(f"{SEARCH}/admin/reindex", name="search-index").mock(
        return_value=httpx.Response(200, json=complete)
    )


def mock_inbox_count(router: respx.MockRouter) -> respx.Route:
    """Nothing waits for the user in 回議・供覧 (every page's header shows the badge); a test overrides the route
    named "inbox-count"."""
    nothing = {"waiting": 0, "sent_back": 0, "to_read": 0, "badge": 0}
    return router.get(f"{WORKFLOW}/circulations/inbox/count", name="inbox-count").mock(
        return_value=httpx.Response(200, json=nothing)
    )


def mock_circulations(router: respx.MockRouter) -> respx.Route:
    """workflow knows no circulations of any record (the patient and contact pages list them); a test overrides the
    route named "record-circulations"."""
    return router.get(url__regex=rf"^{WORKFLOW}/circulations/of/", name="record-circulations").mock(
        return_value=httpx.Response(200, json=[])
    )


def mock_contact_groups(router: respx.MockRouter) -> respx.Route:
    """contacts knows no group of an index patient (the index patient's contacts page lists them); a test overrides
    the route named "contact-groups"."""
    empty = httpx.Response(200, json={"items": []})
    return router.get(f"{CONTACTS}/groups", name="contact-groups").mock(return_value=empty)


def mock_contact_counts(router: respx.MockRouter) -> respx.Route:
    """contacts counts no contacts of an index patient (the patient page's 接触者 section); a test overrides the
    route named "contact-counts"."""
    none = httpx.Response(200, json={"total": 0, "active": 0, "overdue": 0})
    return router.get(f"{CONTACTS}/contacts/counts", name="contact-counts").mock(return_value=none)


@pytest.fixture
def backends() -> Iterator[respx.MockRouter]:
    """Every outgoing HTTP call of the gateway; tests add the back-end answers they need."""
    with respx.mock(assert_all_called=False) as router:
        mock_card_defaults(router)
        mock_districts(router)
        mock_staff(router)
        mock_gaiji(router)
        mock_contact_list(router)
        mock_todos(router)
        mock_inbox_count(router)
        mock_search_index(router)
        mock_contact_counts(router)
        mock_contact_groups(router)
        mock_circulations(router)
        mock_contact_codes(router)
        yield router


@pytest.fixture
def keycloak(backends: respx.MockRouter) -> FakeKeycloak:
    """A fake Keycloak that really checks PKCE, and signs tokens with its own key."""
    return FakeKeycloak(backends)


@pytest.fixture
def settings() -> Settings:
    """Settings of the gateway under test (plain HTTP, like local development)."""
    return make_settings()


@pytest.fixture
async def client(settings: Settings, keycloak: FakeKeycloak) -> AsyncIterator[httpx.AsyncClient]:
    """A browser talking to the gateway in-process; redirects are not followed so tests can see them."""
    app = build_gateway(settings, ROUTERS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    base = settings.public_url
    async with httpx.AsyncClient(transport=transport, base_url=base, follow_redirects=False) as browser:
        yield browser


@pytest.fixture
async def https_client(keycloak: FakeKeycloak) -> AsyncIterator[httpx.AsyncClient]:
    """A browser talking to a gateway published over HTTPS."""
    settings = make_settings(public_url="https://tbms.example.test")
    transport = httpx.ASGITransport(app=build_gateway(settings, ROUTERS), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as browser:
        yield browser


@pytest.fixture
async def served(settings: Settings, keycloak: FakeKeycloak, backends: respx.MockRouter) -> AsyncIterator[str]:
    """The gateway served over real HTTP on loopback (Chromium needs a socket); its back ends stay fakes."""
    backends.route(host="127.0.0.1").pass_through()  # chromedriver, and the served gateway itself
    port = free_port()
    config = uvicorn.Config(build_gateway(settings, ROUTERS), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "the gateway did not start"
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


@pytest.fixture
def login(keycloak: FakeKeycloak) -> Login:
    """Logs the browser in through the fake Keycloak; returns the session cookie value."""

    async def _login(browser: httpx.AsyncClient, next_path: str = "/") -> str:
        started = await browser.get("/login", params={"next": next_path})
        assert started.status_code == 303, started.text
        finished = await browser.get(keycloak.authorize(started.headers["location"]))
        assert finished.status_code == 303, finished.text
        return session_cookie(browser)

    return _login


@asynccontextmanager
async def logged_in_chromium(served: str, login: Login, path: str) -> AsyncIterator[Chromium]:
    """Chromium with a nurse's session (logged in through the fake Keycloak), on a page of the served gateway."""
    async with httpx.AsyncClient(base_url=served) as http:
        await login(http)
        cookie = session_cookie(http)
    async with chromium() as browser:
        await browser.go(f"{served}/health/live")  # a page of the site, so its cookie can be set
        await browser.add_cookie("tbms_session", cookie)
        await browser.go(f"{served}{path}")
        yield browser


def session_cookie(browser: httpx.AsyncClient) -> str:
    """The session id the browser holds now."""
    for name in ("tbms_session", "__Host-tbms_session"):
        if value := browser.cookies.get(name):
            return value
    return ""


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.fixture
def session_of() -> Callable[[httpx.AsyncClient], str]:
    """Reads the session id a browser holds."""
    return session_cookie


@pytest.fixture
def csrf_of() -> Callable[[str], str]:
    """Reads the CSRF token from a page."""
    return csrf_token


@pytest.fixture
def no_last_login(backends: respx.MockRouter) -> respx.Route:
    """identity answers that there is no earlier login."""
    return backends.get(f"{IDENTITY}/logins/me/last").mock(
        return_value=httpx.Response(200, json={"last_login": None, "last_logout": None})
    )


PATIENTS_SERVICE = "http://127.0.0.1:8001"  # the stack's patients service (`tbms stack up`), over real HTTP
FORWARDED_HEADERS = ("content-type", "accept", "x-forwarded-for", "traceparent")
RELAYED_HEADERS = ("content-type", "content-disposition")


@pytest.fixture(scope="module")
async def patients_api() -> AsyncIterator[httpx.AsyncClient]:
    """The stack's patients service; tests use synthetic people of their own, so its shared database does not matter."""
    async with httpx.AsyncClient(base_url=PATIENTS_SERVICE, timeout=60) as api:
        yield api


@pytest.fixture
def real_patients(backends: respx.MockRouter, patients_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """Sends the gateway's calls to patients to the real service, as nurse1 (Keycloak itself is passed through)."""
    for name in CARD_DEFAULTS:
        backends.pop(name)
    backends.route(host="127.0.0.1", port=58080).pass_through()
    backends.route(host="127.0.0.1", port=8001).pass_through()

    async def forward(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        answer = await patients_api.request(
            request.method,
            request.url.raw_path.decode(),
            content=request.content,
            headers=headers | auth_headers("nurse1"),
        )
        relayed = {k: v for k, v in answer.headers.items() if k.lower() in RELAYED_HEADERS}
        return httpx.Response(answer.status_code, content=answer.content, headers=relayed)

    backends.route(host="patients.test").mock(side_effect=forward)
    return patients_api


PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
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


def usage_month(name: str, **counts: object) -> dict[str, object]:
    """One month of identity's 利用統計 answer (GET /usage/monthly), zero unless given."""
    empty = {"logins": 0, "users": 0, "reads": 0, "prints": 0, "downloads": 0, "exports": 0, "searches": 0}
    return {"month": name, **empty, "areas": {}, **counts}


def mock_usage(backends: respx.MockRouter) -> respx.Route:
    """identity counts twelve months of use (the last two busy, the others empty) and the month's search words."""
    months = [usage_month("2025-12")] + [usage_month(f"2026-{n:02d}") for n in range(1, 11)]
    months.append(usage_month("2026-11", logins=420, users=12, reads=3_100, prints=40, searches=260,
                              areas={"patients": 2_000, "contacts": 1_100}))  # fmt: skip
    months[-2] = usage_month("2026-10", logins=380, users=11, reads=2_500, prints=31, searches=201)
    words = [{"word": "○○", "count": 120}, {"word": "世田谷", "count": 40}, {"word": "S45", "count": 12}]
    backends.get(f"{IDENTITY}/usage/search-words").mock(
        return_value=httpx.Response(200, json={"searches": 260, "words": words})
    )
    return backends.get(f"{IDENTITY}/usage/monthly").mock(return_value=httpx.Response(200, json={"months": months}))


def mock_patient_page(backends: respx.MockRouter) -> respx.Route:
    """patients answers the patient page's calls: the patient, an empty history and no test results."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/history").mock(return_value=httpx.Response(200, json={"items": []}))
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}/lab-results").mock(
        return_value=httpx.Response(200, json={"items": []})
    )
    return backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login) -> httpx.AsyncClient:
    """A logged-in nurse's browser (test modules with other needs define their own)."""
    await login(client)
    return client


@pytest.fixture
def last_login(backends: respx.MockRouter) -> respx.Route:
    """identity knows no earlier login."""
    return backends.get(f"{IDENTITY}/logins/me/last").mock(
        return_value=httpx.Response(200, json={"previous_login": None, "last_logout": None})
    )


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def nav_of(html: str) -> str:
    """The text of the main menu."""
    start = html.index("<ul>", html.index('class="main-nav"'))
    return text_of(html[start : html.index("</nav>")]).strip()


def with_roles(keycloak: FakeKeycloakType, roles: list[str]) -> None:
    """Makes the fake Keycloak put these realm roles into the access tokens it issues from now on."""
    issue = type(keycloak).tokens

    def tokens(nonce: str | None) -> dict[str, Any]:
        body = issue(keycloak, nonce)
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        body["access_token"] = keycloak.sign({**claims, "realm_access": {"roles": roles}})
        return body

    keycloak.tokens = tokens  # type: ignore[method-assign]


def store_of(browser: httpx.AsyncClient) -> Any:
    """The gateway's session store behind a test browser."""
    return browser._transport.app.state.sessions  # type: ignore[attr-defined]


@asynccontextmanager
async def only_session(browser: httpx.AsyncClient) -> AsyncIterator[Any]:
    """The browser's session as the store holds it, for a test to change (stored again on leaving the block)."""
    store = store_of(browser)
    session_id = next(iter(browser.cookies.values()))
    session = await store.get(session_id, touch=False)
    assert session is not None
    yield session
    await store.save(session_id, session)


def changed(settings: Settings, **overrides: Any) -> Settings:
    """The test settings with some values changed (validated like environment values)."""
    return Settings(**{**settings.model_dump(), **overrides})


async def gateway_with(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on a gateway with these settings changed."""
    app = build_gateway(changed(settings, **overrides), ROUTERS)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as browser:
        yield browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    target = Path(os.environ.get("TBMS_SHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target
