"""Who is calling: access tokens from Keycloak verified against its JWKS, and per-area access levels (R32)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request

from tbms_core.errors import AccessDenied, NotAuthenticated

log = logging.getLogger(__name__)
RETRY_KEYS_SECONDS = 30  # how soon keys that could not be fetched again are asked for once more


class Area(StrEnum):
    """Business areas of DESIGN §4; each user has one access level per area."""

    PATIENTS = "patients"
    CONTACTS = "contacts"
    REVIEW = "review"
    FORMS = "forms"
    STATS = "stats"
    DOCUMENTS = "documents"
    MASTERS = "masters"
    USERS = "users"
    AUDIT = "audit"

    @property
    def label(self) -> str:
        """The area's Japanese name as users know it."""
        return AREA_LABELS[self]


AREA_LABELS = {
    Area.PATIENTS: "患者管理",
    Area.CONTACTS: "接触者管理",
    Area.REVIEW: "診査会・公費",
    Area.FORMS: "帳票",
    Area.STATS: "統計・出力",
    Area.DOCUMENTS: "資料",
    Area.MASTERS: "マスタ管理",
    Area.USERS: "ユーザ管理",
    Area.AUDIT: "監査",
}


class Access(IntEnum):
    """Access levels: 使用不可 < 参照 < 更新."""

    NONE = 0
    READ = 1
    UPDATE = 2

    @property
    def label(self) -> str:
        """The level's Japanese name."""
        return {Access.NONE: "使用不可", Access.READ: "参照", Access.UPDATE: "更新"}[self]


def levels_from_roles(roles: frozenset[str]) -> dict[Area, Access]:
    """Reads `<area>:update` / `<area>:read` roles into one level per area."""
    levels = {}
    for area in Area:
        if f"{area}:update" in roles:
            levels[area] = Access.UPDATE
        elif f"{area}:read" in roles:
            levels[area] = Access.READ
        else:
            levels[area] = Access.NONE
    return levels


@dataclass(frozen=True)
class Principal:
    """The logged-in user behind a request, with the access token to pass on."""

    user_id: str
    username: str
    display_name: str
    roles: frozenset[str] = frozenset()
    district: str = ""
    session_id: str = ""  # the Keycloak session (`sid`) this token belongs to
    client_ip: str = ""
    token: str = field(default="", repr=False)

    def level(self, area: Area) -> Access:
        """This user's access level in one business area."""
        return levels_from_roles(self.roles)[area]

    def can(self, area: Area, access: Access) -> bool:
        """True when the user has at least this level in the area."""
        return self.level(area) >= access

    def require(self, area: Area, access: Access) -> None:
        """Refuses with a Japanese message unless the user has at least this level."""
        if not self.can(area, access):
            raise AccessDenied(f"「{area.label}」の{access.label}権限がありません。管理者に確認してください。")

    @classmethod
    def from_claims(cls, claims: dict[str, Any], *, token: str = "", client_ip: str = "") -> Principal:
        """Builds a principal from verified access-token claims."""
        roles = frozenset(claims.get("realm_access", {}).get("roles", []))
        return cls(
            user_id=claims["sub"],
            username=claims.get("preferred_username", ""),
            display_name=display_name(claims),
            roles=roles,
            district=str(claims.get("district", "") or ""),
            session_id=str(claims.get("sid", "") or ""),
            client_ip=client_ip,
            token=token,
        )


def display_name(claims: dict[str, Any]) -> str:
    """The user's name the Japanese way, family name first (Keycloak's `name` puts the given name first)."""
    family, given = claims.get("family_name", ""), claims.get("given_name", "")
    if family or given:
        return f"{family} {given}".strip()
    return claims.get("name") or claims.get("preferred_username", "")


class TokenVerifier:
    """Verifies RS256 access tokens against the issuer's JWKS, refreshing keys when an unknown key id appears."""

    def __init__(self, issuer: str, audience: str, *, refresh_seconds: float = 300) -> None:
        self.issuer, self.audience, self.refresh_seconds = issuer, audience, refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; NotAuthenticated when it is invalid, expired or not for tbms."""
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            key = await self._key(kid)
            return jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub"]},
                leeway=5,
            )
        except (jwt.PyJWTError, KeyError, httpx.HTTPError) as exc:
            raise NotAuthenticated() from exc

    async def _key(self, kid: str) -> Any:
        """The signing key `kid`, the issuer's keys fetched again when it is unknown or they are old. A key already
        known stays in use when Keycloak cannot be asked just then (restarting, or slow under load): keys are not
        withdrawn by age, and a blip at Keycloak must not refuse every user's requests."""
        stale = time.monotonic() - self._fetched > self.refresh_seconds
        if kid not in self._keys or stale:
            async with self._lock:
                if kid not in self._keys or time.monotonic() - self._fetched > self.refresh_seconds:
                    try:
                        await self._fetch()
                    except (httpx.HTTPError, ValueError, KeyError):
                        if kid not in self._keys:
                            raise
                        log.warning("the issuer's keys could not be fetched again; the known ones stay in use")
                        self._fetched = time.monotonic() - self.refresh_seconds + RETRY_KEYS_SECONDS
        return self._keys[kid]

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            jwks = (await client.get(f"{self.issuer}/protocol/openid-connect/certs")).raise_for_status().json()
        self._keys = {
            k["kid"]: jwt.PyJWK(k).key for k in jwks["keys"] if k.get("use", "sig") == "sig" and k["kty"] == "RSA"
        }
        self._fetched = time.monotonic()


def client_ip(request: Request) -> str:
    """The user's terminal address, as the gateway (the only caller of a service) appended it to X-Forwarded-For.

    The last entry is the one the immediate caller wrote; anything to its left could come from a client.
    """
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else ""


async def get_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified user of this request."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated()
    verifier: TokenVerifier = request.app.state.verifier
    claims = await verifier.verify(token)
    principal = Principal.from_claims(claims, token=token, client_ip=client_ip(request))
    request.state.principal = principal  # a refusal later in the request is audited under this user
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
