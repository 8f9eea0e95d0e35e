"""Server-side sessions: tokens stay in the gateway, the browser holds only a random id (N13)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

MAX_PENDING_LOGINS = 5
# Sessions of browsers that have not logged in (yet) are kept up to this many, the oldest forgotten first: an
# anonymous client that requests /login in a loop cannot fill the gateway's memory.
MAX_ANONYMOUS_SESSIONS = 10_000
PURGE_INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class PendingLogin:
    """One login started at Keycloak: the values the callback must match (state, nonce, PKCE verifier)."""

    state: str
    nonce: str
    code_verifier: str
    return_to: str
    started: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Tokens:
    """What Keycloak issued for this login; never sent to the browser."""

    access_token: str
    refresh_token: str
    id_token: str
    expires_at: float
    refresh_expires_at: float


@dataclass(frozen=True)
class User:
    """The logged-in member of staff, as the pages show them."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[str] = frozenset()
    district: str = ""


@dataclass
class Session:
    """A browser's session: pending logins before login, tokens and user after."""

    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    created: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    pending: dict[str, PendingLogin] = field(default_factory=dict)
    tokens: Tokens | None = None
    user: User | None = None
    flash: str = ""  # what the last change did, shown once on the next page (「保存しました」)
    flash_target: str = ""  # the id of the heading of the section it is about (the message stands under it)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def authenticated(self) -> bool:
        """True once a login has completed in this session."""
        return self.tokens is not None and self.user is not None

    def add_pending(self, login: PendingLogin) -> None:
        """Remembers a started login, keeping only the newest few (one per open tab)."""
        self.pending[login.state] = login
        while len(self.pending) > MAX_PENDING_LOGINS:
            self.pending.pop(next(iter(self.pending)))


@dataclass(frozen=True)
class SessionLimits:
    """How long a session may stay idle, and how long it may last at most."""

    idle_seconds: float
    max_seconds: float


@dataclass(frozen=True)
class SessionTimeLeft:
    """How long a session has left; `extendable` when activity would push the end further out."""

    seconds: float
    extendable: bool


class SessionStore:
    """In-process sessions keyed by an HMAC of the cookie value, so the store never holds usable ids.

    Administrators' sessions end sooner (N03); `is_privileged` tells from the roles who they are.
    """

    def __init__(
        self,
        secret: str,
        *,
        idle_seconds: float,
        max_seconds: float,
        login_wait_seconds: float,
        privileged: SessionLimits | None = None,
        is_privileged: Callable[[frozenset[str]], bool] = lambda _: False,
        max_anonymous: int = MAX_ANONYMOUS_SESSIONS,
    ) -> None:
        self._secret = secret.encode()
        self._sessions: dict[str, Session] = {}
        self._anonymous: OrderedDict[str, None] = OrderedDict()  # keys of sessions created before a login, oldest first
        self.max_anonymous = max_anonymous
        self._purged_at = 0.0
        self._ended: list[Tokens] = []
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds
        self.login_wait_seconds = login_wait_seconds
        self.privileged = privileged or SessionLimits(idle_seconds, max_seconds)
        self.is_privileged = is_privileged

    def _key(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    def create(self, session: Session | None = None) -> tuple[str, Session]:
        """Stores a session under a new random id and returns both; forgets the oldest anonymous ones over the cap."""
        if time.time() - self._purged_at > PURGE_INTERVAL_SECONDS:
            self.purge()
        session_id = secrets.token_urlsafe(32)
        session = session or Session()
        key = self._key(session_id)
        self._sessions[key] = session
        if not session.authenticated:
            self._anonymous[key] = None
            while len(self._anonymous) > self.max_anonymous:
                oldest, _ = self._anonymous.popitem(last=False)
                if (kept := self._sessions.get(oldest)) is not None and not kept.authenticated:
                    del self._sessions[oldest]
        return session_id, session

    def get(self, session_id: str | None, *, touch: bool = True) -> Session | None:
        """The live session behind a cookie value, or None when unknown or timed out.

        Every request counts as activity, except a look at the time left (`touch=False`).
        """
        if not session_id:
            return None
        key = self._key(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        if self._expired(session, time.time()):
            self._drop(key)
            return None
        if touch:
            session.last_seen = time.time()
        return session

    def rotate(self, old_id: str | None, session: Session) -> str:
        """Drops the old id and stores the session under a fresh id with a fresh CSRF token (at login).

        The session's time limits count from here.
        """
        self.delete(old_id)
        session.csrf_token = secrets.token_urlsafe(32)
        session.created = session.last_seen = time.time()
        session.pending.clear()
        return self.create(session)[0]

    def delete(self, session_id: str | None) -> None:
        """Forgets a session (logout, or before rotation)."""
        if session_id:
            key = self._key(session_id)
            self._sessions.pop(key, None)
            self._anonymous.pop(key, None)

    def purge(self) -> None:
        """Drops timed-out sessions."""
        now = self._purged_at = time.time()
        for key in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            self._drop(key)

    def limits(self, session: Session) -> SessionLimits:
        """The idle and total limits of this session: shorter for administrators."""
        if session.user is not None and self.is_privileged(session.user.roles):
            return self.privileged
        return SessionLimits(self.idle_seconds, self.max_seconds)

    def remaining(self, session: Session, now: float | None = None) -> SessionTimeLeft:
        """Seconds until the session times out, and whether activity would extend it."""
        now = time.time() if now is None else now
        limits = self.limits(session)
        idle_left = limits.idle_seconds - (now - session.last_seen)
        total_left = limits.max_seconds - (now - session.created)
        return SessionTimeLeft(
            seconds=max(0.0, min(idle_left, total_left)), extendable=total_left > limits.idle_seconds
        )

    def take_ended(self) -> list[Tokens]:
        """The tokens of logins that timed out since the last call, so their Keycloak sessions can be ended."""
        ended, self._ended = self._ended, []
        return ended

    def _drop(self, key: str) -> None:
        session = self._sessions.pop(key)
        self._anonymous.pop(key, None)
        if session.tokens is not None:
            self._ended.append(session.tokens)

    def _expired(self, session: Session, now: float) -> bool:
        if not session.authenticated:
            return now - session.created > self.login_wait_seconds
        limits = self.limits(session)
        return now - session.last_seen > limits.idle_seconds or now - session.created > limits.max_seconds

    def __len__(self) -> int:
        return len(self._sessions)


class SessionCookie:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS (then with the __Host- prefix)."""

    def __init__(self, *, secure: bool) -> None:
        self.secure = secure
        self.name = "__Host-tbms_session" if secure else "tbms_session"

    def read(self, request: Request) -> str | None:
        """The session id the browser sent, if any."""
        return request.cookies.get(self.name)

    def write(self, response: Response, session_id: str) -> None:
        """Sets the session id on a response (a session cookie: gone when the browser closes)."""
        response.set_cookie(self.name, session_id, httponly=True, samesite="lax", secure=self.secure, path="/")

    def clear(self, response: Response) -> None:
        """Removes the session cookie from the browser."""
        response.delete_cookie(self.name, httponly=True, samesite="lax", secure=self.secure, path="/")
