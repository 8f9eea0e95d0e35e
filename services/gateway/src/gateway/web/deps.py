"""FastAPI dependencies: the logged-in user with a fresh access token, the guards, and each back end as them."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Annotated, TypeVar

import jwt
from fastapi import Depends, Request
from tbms_core.auth import Access, Area

from gateway.clients.base import ServiceClient
from gateway.clients.contacts import ContactsClient
from gateway.clients.identity import IdentityClient
from gateway.clients.masters import MastersClient
from gateway.clients.patients import PatientsClient
from gateway.clients.reports import ReportsClient
from gateway.clients.requests import RequestsClient
from gateway.clients.search import SearchClient
from gateway.clients.workflow import WorkflowClient
from gateway.web.errors import (
    CrossSiteNavigation,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    ServiceUnavailable,
    UnderMaintenance,
)
from gateway.web.oidc import LoginFailed, OidcClient, ProviderUnavailable
from gateway.web.permissions import allows, refusal, required_level
from gateway.web.security import CsrfRejected, check_csrf
from gateway.web.sessions import Session, SessionStore, User

C = TypeVar("C", bound=ServiceClient)


@dataclass(frozen=True)
class CurrentLogin:
    """A request by a logged-in user: their session and a usable access token."""

    session: Session
    user: User
    access_token: str


def terminal_address(request: Request) -> str:
    """The user's IP address: the peer, or the X-Forwarded-For entry the outermost trusted proxy appended."""
    peer = request.client.host if request.client else ""
    hops = request.app.state.settings.trusted_proxy_hops
    if hops == 0:
        return peer
    entries = [entry.strip() for entry in request.headers.get("x-forwarded-for", "").split(",") if entry.strip()]
    return entries[-hops] if len(entries) >= hops else peer  # fewer entries: a proxy was bypassed


async def require_login(request: Request) -> CurrentLogin:
    """The logged-in user; refreshes the access token when it is about to expire."""
    session: Session | None = request.state.session
    if session is None or session.tokens is None or session.user is None:
        raise LoginRequired()
    async with session.lock:
        tokens = session.tokens
        if time.time() >= tokens.expires_at:
            oidc: OidcClient = request.app.state.oidc
            try:
                tokens = session.tokens = await oidc.refresh(tokens)
                session.user = with_roles_of(session.user, tokens.access_token)
            except LoginFailed as exc:
                store: SessionStore = request.app.state.sessions
                await store.delete(request.state.session_id)
                raise LoginRequired() from exc
            except ProviderUnavailable as exc:
                raise ServiceUnavailable() from exc
    return CurrentLogin(session, session.user, tokens.access_token)


async def inbox_badge(request: Request) -> None:
    """The header's 回議・供覧 badge, read afresh for every whole page a logged-in user opens (not for a fragment,
    a JSON answer or a change); the layout shows it when it is there."""
    session: Session | None = request.state.session
    accept = request.headers.get("accept", "")
    if request.method != "GET" or request.headers.get("hx-request") or "application/json" in accept:
        return
    if session is None or not session.authenticated or session.user is None:
        return
    if not (allows(session.user, Area.PATIENTS, Access.READ) or allows(session.user, Area.CONTACTS, Access.READ)):
        return
    try:
        login = await require_login(request)
    except (LoginRequired, ServiceUnavailable):
        return  # the page itself decides what an ended login means (a help page still opens)
    workflow = _client(WorkflowClient, request, login, request.app.state.settings.workflow_url)
    request.state.inbox_badge = await workflow.inbox_count()


LoginDep = Annotated[CurrentLogin, Depends(require_login)]


def with_roles_of(user: User, access_token: str) -> User:
    """The user with the roles of a refreshed access token, so access changes show from then on (R32)."""
    claims = jwt.decode(access_token, options={"verify_signature": False})  # oidc.refresh has verified it
    return replace(user, roles=frozenset(claims.get("realm_access", {}).get("roles", [])))


async def csrf_guard(request: Request) -> None:
    """Checks every state-changing request for the session's CSRF token."""
    session = request.state.session
    if request.method == "POST" and (session is None or not session.authenticated):
        raise LoginRequired("/")
    try:
        await check_csrf(request, session, request.app.state.settings.public_url)
    except CsrfRejected as exc:
        raise CsrfFailed() from exc


async def same_site_only(request: Request) -> None:
    """Refuses a cross-site navigation to a page that searches or exports, since each visit writes an audit row.

    Browsers say where a navigation came from in Sec-Fetch-Site: a typed address or a bookmark is "none", a link
    inside tbms "same-origin"; only a link or form on another site is "cross-site".
    """
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CrossSiteNavigation()


# What stays open in maintenance mode: logging in and out, help, notices and the accessibility page.
OPEN_IN_MAINTENANCE = (
    "/static/",
    "/health/",
    "/help",
    "/notices",
    "/accessibility",
    "/login",
    "/logout",
    "/logged-out",
)
OPEN_IN_MAINTENANCE += ("/auth/", "/welcome", "/session/")


async def fresh_help_texts(request: Request) -> None:
    """Reloads the texts administrators edit (N25) when this process's copy may be out of date (not for the health
    checks: the liveness of a process does not depend on its database)."""
    if not request.url.path.startswith("/health"):
        await request.app.state.help_texts.refresh()


async def maintenance_guard(request: Request) -> None:
    """In maintenance mode (N07) every page but login, help and notices answers 503 with the reason, except to
    user administrators, who check the system before it is opened again."""
    if not request.app.state.settings.maintenance_mode or request.url.path.startswith(OPEN_IN_MAINTENANCE):
        return
    session: Session | None = request.state.session
    if session is not None and session.user is not None and allows(session.user, Area.USERS, Access.UPDATE):
        return
    raise UnderMaintenance()


async def write_guard(request: Request) -> None:
    """Refuses, with the Japanese 403 page, a change the user's level does not allow (services refuse too)."""
    session: Session | None = request.state.session
    needed = required_level(request.method, request.url.path)
    if needed is None or session is None or session.user is None:
        return
    if not allows(session.user, *needed):
        raise Forbidden(refusal(*needed))


def require_access(area: Area, level: Access) -> Callable[..., Awaitable[CurrentLogin]]:
    """A dependency: the logged-in user, or the 403 page below this level in the area."""

    async def allowed_login(login: LoginDep) -> CurrentLogin:
        if not allows(login.user, area, level):
            raise Forbidden(refusal(area, level))
        return login

    return allowed_login


def _client(kind: type[C], request: Request, login: CurrentLogin, base_url: str) -> C:
    """A back end's client calling with this user's token and terminal address."""
    state = request.app.state
    return kind(
        state.http, base_url, token=login.access_token, client_ip=terminal_address(request), cache=state.reference
    )


def get_patients(request: Request, login: LoginDep) -> PatientsClient:
    """patients as the logged-in user."""
    return _client(PatientsClient, request, login, request.app.state.settings.patients_url)


def get_workflow(request: Request, login: LoginDep) -> WorkflowClient:
    """workflow as the logged-in user."""
    return _client(WorkflowClient, request, login, request.app.state.settings.workflow_url)


def get_requests(request: Request, login: LoginDep) -> RequestsClient:
    """contacts' requests between municipalities, group contacts and the cluster picture, for this user."""
    return _client(RequestsClient, request, login, request.app.state.settings.contacts_url)


def get_contacts(request: Request, login: LoginDep) -> ContactsClient:
    """contacts as the logged-in user."""
    return _client(ContactsClient, request, login, request.app.state.settings.contacts_url)


def get_search(request: Request, login: LoginDep) -> SearchClient:
    """search as the logged-in user."""
    return _client(SearchClient, request, login, request.app.state.settings.search_url)


def get_reports(request: Request, login: LoginDep) -> ReportsClient:
    """reports as the logged-in user."""
    return _client(ReportsClient, request, login, request.app.state.settings.reports_url)


def get_identity(request: Request, login: LoginDep) -> IdentityClient:
    """identity as the logged-in user."""
    return _client(IdentityClient, request, login, request.app.state.settings.identity_url)


def get_masters(request: Request, login: LoginDep) -> MastersClient:
    """masters as the logged-in user."""
    return _client(MastersClient, request, login, request.app.state.settings.masters_url)


PatientsDep = Annotated[PatientsClient, Depends(get_patients)]
ContactsDep = Annotated[ContactsClient, Depends(get_contacts)]
RequestsDep = Annotated[RequestsClient, Depends(get_requests)]
WorkflowDep = Annotated[WorkflowClient, Depends(get_workflow)]
SearchDep = Annotated[SearchClient, Depends(get_search)]
ReportsDep = Annotated[ReportsClient, Depends(get_reports)]
IdentityDep = Annotated[IdentityClient, Depends(get_identity)]
MastersDep = Annotated[MastersClient, Depends(get_masters)]
