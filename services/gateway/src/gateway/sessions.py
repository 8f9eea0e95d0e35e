"""Server-side sessions: tokens stay in the gateway, the browser holds only a random id (N13)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

MAX_PENDING_LOGINS = 5


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


class SessionStore:
    """In-process sessions keyed by an HMAC of the cookie value, so the store never holds usable ids."""

    def __init__(self, secret: str, *, idle_seconds: float, max_seconds: float, login_wait_seconds: float) -> None:
        self._secret = secret.encode()
        self._sessions: dict[str, Session] = {}
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds
        self.login_wait_seconds = login_wait_seconds

    def _key(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    def create(self, session: Session | None = None) -> tuple[str, Session]:
        """Stores a session under a new random id and returns both."""
        self.purge()
        session_id = secrets.token_urlsafe(32)
        session = session or Session()
        self._sessions[self._key(session_id)] = session
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        """The live session behind a cookie value, or None when unknown or timed out."""
        if not session_id:
            return None
        key = self._key(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        if self._expired(session, time.time()):
            del self._sessions[key]
            return None
        session.last_seen = time.time()
        return session

    def rotate(self, old_id: str | None, session: Session) -> str:
        """Drops the old id and stores the session under a fresh id with a fresh CSRF token."""
        self.delete(old_id)
        session.csrf_token = secrets.token_urlsafe(32)
        session.pending.clear()
        return self.create(session)[0]

    def delete(self, session_id: str | None) -> None:
        """Forgets a session (logout, or before rotation)."""
        if session_id:
            self._sessions.pop(self._key(session_id), None)

    def purge(self) -> None:
        """Drops timed-out sessions."""
        now = time.time()
        for key in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[key]

    def _expired(self, session: Session, now: float) -> bool:
        if not session.authenticated:
            return now - session.created > self.login_wait_seconds
        return now - session.last_seen > self.idle_seconds or now - session.created > self.max_seconds

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
