"""Server-side sessions: tokens stay in the gateway, the browser holds only a random id (N13)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.requests import Request
from starlette.responses import Response

from gateway.repository import RowTimes

MAX_PENDING_LOGINS = 5
# Sessions of browsers that have not logged in (yet) are kept up to this many, the oldest forgotten first: an
# anonymous client that requests /login in a loop cannot fill the gateway's memory.
MAX_ANONYMOUS_SESSIONS = 10_000
PURGE_INTERVAL_SECONDS = 10.0
# A request this soon after the last one is not stored as new activity (saves a write per request in a burst).
TOUCH_SECONDS = 1.0


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
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False, compare=False)
    stored: bytes = field(default=b"", repr=False, compare=False)  # as last loaded or saved, to see changes

    @property
    def authenticated(self) -> bool:
        """True once a login has completed in this session."""
        return self.tokens is not None and self.user is not None

    def add_pending(self, login: PendingLogin) -> None:
        """Remembers a started login, keeping only the newest few (one per open tab)."""
        self.pending[login.state] = login
        while len(self.pending) > MAX_PENDING_LOGINS:
            self.pending.pop(next(iter(self.pending)))


def _plain(session: Session) -> bytes:
    """What a session keeps, as JSON (the lock and the change marker are this process's own)."""
    content = {
        "csrf_token": session.csrf_token,
        "created": session.created,
        "last_seen": session.last_seen,
        "pending": [asdict(login) for login in session.pending.values()],
        "tokens": asdict(session.tokens) if session.tokens is not None else None,
        "user": {**asdict(session.user), "roles": sorted(session.user.roles)} if session.user is not None else None,
        "flash": session.flash,
        "flash_target": session.flash_target,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True).encode()


def _session_from(plain: bytes) -> Session:
    content = json.loads(plain)
    user = content["user"]
    session = Session(
        csrf_token=content["csrf_token"],
        created=content["created"],
        last_seen=content["last_seen"],
        pending={login["state"]: PendingLogin(**login) for login in content["pending"]},
        tokens=Tokens(**content["tokens"]) if content["tokens"] is not None else None,
        user=User(**{**user, "roles": frozenset(user["roles"])}) if user is not None else None,
        flash=content["flash"],
        flash_target=content["flash_target"],
    )
    session.stored = plain
    return session


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


class SessionBackend(Protocol):
    """Where sessions are kept, as opaque encrypted blobs under the HMAC of their id."""

    async def load(self, key: str) -> bytes | None:
        """The stored blob, or None."""
        ...

    async def insert(self, key: str, data: bytes, row: RowTimes) -> None:
        """Stores a new session."""
        ...

    async def update(self, key: str, data: bytes, row: RowTimes) -> None:
        """Replaces a session's blob; nothing when it is gone (a logout elsewhere is never undone)."""
        ...

    async def delete(self, key: str) -> bytes | None:
        """Removes a session; its blob when this call removed it (only one caller ever gets it)."""
        ...

    async def delete_expired(self, now: float) -> list[tuple[str, bytes]]:
        """Removes the sessions past their end and returns their keys and blobs."""
        ...

    async def trim_anonymous(self, keep: int) -> None:
        """Forgets the oldest sessions without a login beyond the newest `keep`."""
        ...

    async def count(self) -> int:
        """How many sessions are stored."""
        ...

    async def close(self) -> None:
        """Releases connections."""
        ...


class MemoryBackend:
    """Sessions in this process only (tests of one gateway; never two processes)."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[bytes, RowTimes]] = {}

    async def load(self, key: str) -> bytes | None:
        """The stored blob, or None."""
        row = self._rows.get(key)
        return row[0] if row else None

    async def insert(self, key: str, data: bytes, row: RowTimes) -> None:
        """Stores a new session."""
        self._rows[key] = (data, row)

    async def update(self, key: str, data: bytes, row: RowTimes) -> None:
        """Replaces a session's blob when it still exists."""
        if key in self._rows:
            self._rows[key] = (data, row)

    async def delete(self, key: str) -> bytes | None:
        """Removes a session, returning its blob."""
        row = self._rows.pop(key, None)
        return row[0] if row else None

    async def delete_expired(self, now: float) -> list[tuple[str, bytes]]:
        """Removes the sessions past their end."""
        gone = [key for key, (_, row) in self._rows.items() if row.expires_at < now]
        return [(key, self._rows.pop(key)[0]) for key in gone]

    async def trim_anonymous(self, keep: int) -> None:
        """Forgets the oldest sessions without a login beyond the newest `keep`."""
        anonymous = sorted((row.created, key) for key, (_, row) in self._rows.items() if not row.authenticated)
        for _, key in anonymous[: max(0, len(anonymous) - keep)]:
            del self._rows[key]

    async def count(self) -> int:
        """How many sessions are stored."""
        return len(self._rows)

    async def close(self) -> None:
        """Nothing to release."""


class SessionStore:
    """Sessions keyed by an HMAC of the cookie value, so the store never holds usable ids; their content
    encrypted (AES-GCM, bound to that key), so the store never holds usable tokens either.

    Every gateway process that shares the backend (PostgreSQL) and the secret sees the same sessions: a login made
    through one is accepted by the others, a logout or a timeout on one ends it on all, and a restart keeps them.
    Administrators' sessions end sooner (N03); `is_privileged` tells from the roles who they are.
    """

    def __init__(
        self,
        secret: str,
        *,
        idle_seconds: float,
        max_seconds: float,
        login_wait_seconds: float,
        backend: SessionBackend | None = None,
        privileged: SessionLimits | None = None,
        is_privileged: Callable[[frozenset[str]], bool] = lambda _: False,
        max_anonymous: int = MAX_ANONYMOUS_SESSIONS,
    ) -> None:
        self._secret = secret.encode()
        self._cipher = AESGCM(hmac.new(self._secret, b"tbms-gateway-session-data", hashlib.sha256).digest())
        self.backend: SessionBackend = backend or MemoryBackend()
        self.max_anonymous = max_anonymous
        self._purged_at = 0.0
        self._ended: list[Tokens] = []
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds
        self.login_wait_seconds = login_wait_seconds
        self.privileged = privileged or SessionLimits(idle_seconds, max_seconds)
        self.is_privileged = is_privileged

    def _key(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    async def create(self, session: Session | None = None) -> tuple[str, Session]:
        """Stores a session under a new random id and returns both; forgets the oldest anonymous ones over the cap."""
        await self._purge_now_and_then()
        session_id = secrets.token_urlsafe(32)
        session = session or Session()
        key = self._key(session_id)
        await self.backend.insert(key, self._seal(key, session), self._row(session))
        if not session.authenticated:
            await self.backend.trim_anonymous(self.max_anonymous)
        return session_id, session

    async def get(self, session_id: str | None, *, touch: bool = True) -> Session | None:
        """The live session behind a cookie value, or None when unknown or timed out.

        Every request counts as activity, except a look at the time left (`touch=False`); the activity is stored
        with the session's other changes by `save`.
        """
        await self._purge_now_and_then()
        if not session_id:
            return None
        key = self._key(session_id)
        data = await self.backend.load(key)
        session = self._open(key, data) if data is not None else None
        if session is None:
            return None
        now = time.time()
        if self._expired(session, now):
            await self._drop(key)
            return None
        if touch and now - session.last_seen >= TOUCH_SECONDS:
            session.last_seen = now
        return session

    async def save(self, session_id: str | None, session: Session) -> None:
        """Stores what a request changed in the session (nothing when unchanged; nothing when it ended meanwhile)."""
        if not session_id or _plain(session) == session.stored:
            return
        key = self._key(session_id)
        await self.backend.update(key, self._seal(key, session), self._row(session))

    async def rotate(self, old_id: str | None, session: Session) -> str:
        """Drops the old id and stores the session under a fresh id with a fresh CSRF token (at login).

        The session's time limits count from here.
        """
        await self.delete(old_id)
        session.csrf_token = secrets.token_urlsafe(32)
        session.created = session.last_seen = time.time()
        session.pending.clear()
        return (await self.create(session))[0]

    async def delete(self, session_id: str | None) -> None:
        """Forgets a session (logout, or before rotation), in every gateway process."""
        if session_id:
            await self.backend.delete(self._key(session_id))

    async def purge(self) -> None:
        """Drops timed-out sessions, noting their tokens so their Keycloak sessions can be ended."""
        now = self._purged_at = time.time()
        for key, data in await self.backend.delete_expired(now):
            self._note_ended(key, data)

    async def count(self) -> int:
        """How many sessions are stored (logged in or not)."""
        return await self.backend.count()

    async def close(self) -> None:
        """Releases the backend's connections."""
        await self.backend.close()

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

    async def _purge_now_and_then(self) -> None:
        if time.time() - self._purged_at > PURGE_INTERVAL_SECONDS:
            await self.purge()

    async def _drop(self, key: str) -> None:
        data = await self.backend.delete(key)
        if data is not None:  # this process removed it: it alone ends the login at Keycloak
            self._note_ended(key, data)

    def _note_ended(self, key: str, data: bytes) -> None:
        session = self._open(key, data)
        if session is not None and session.tokens is not None:
            self._ended.append(session.tokens)

    def _expired(self, session: Session, now: float) -> bool:
        return now > self._ends_at(session)

    def _ends_at(self, session: Session) -> float:
        if not session.authenticated:
            return session.created + self.login_wait_seconds
        limits = self.limits(session)
        return min(session.last_seen + limits.idle_seconds, session.created + limits.max_seconds)

    def _row(self, session: Session) -> RowTimes:
        return RowTimes(session.authenticated, session.created, session.last_seen, self._ends_at(session))

    def _seal(self, key: str, session: Session) -> bytes:
        plain = _plain(session)
        session.stored = plain
        nonce = secrets.token_bytes(12)
        return nonce + self._cipher.encrypt(nonce, plain, key.encode())

    def _open(self, key: str, data: bytes) -> Session | None:
        """The session in a blob; None when it does not decrypt (another secret, or a blob moved to another key)."""
        try:
            plain = self._cipher.decrypt(data[:12], data[12:], key.encode())
        except (InvalidTag, ValueError):
            return None
        return _session_from(plain)


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
