"""OpenID Connect with Keycloak: authorization code + PKCE (S256), state, nonce, refresh and logout (N01)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from tbms_core.auth import TokenVerifier, display_name
from tbms_core.errors import NotAuthenticated

from gateway.settings import Settings
from gateway.web.sessions import PendingLogin, Tokens, User

REFRESH_MARGIN_SECONDS = 30


class LoginFailed(Exception):
    """Keycloak's answer to a login could not be trusted or used; the user must log in again."""


class ProviderUnavailable(Exception):
    """Keycloak could not be reached; the user's session stays as it is."""


def code_verifier() -> str:
    """A fresh PKCE code verifier (RFC 7636: 43–128 characters of the URL-safe alphabet)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """The S256 challenge of a verifier: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pending_login(return_to: str) -> PendingLogin:
    """Starts a login: random state, nonce and PKCE verifier bound to where the user was going."""
    return PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=code_verifier(),
        return_to=return_to,
    )


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints Keycloak announces in its discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str


class OidcClient:
    """The gateway as a confidential OIDC client of Keycloak."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.settings, self.http = settings, http
        self.issuer = settings.oidc_issuer.rstrip("/")
        self._metadata: ProviderMetadata | None = None
        self.id_tokens = TokenVerifier(self.issuer, settings.oidc_client_id)
        self.access_tokens = TokenVerifier(self.issuer, settings.oidc_audience)

    async def metadata(self, *, fresh: bool = False) -> ProviderMetadata:
        """Keycloak's endpoints, read once from its discovery document."""
        if self._metadata is None or fresh:
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                doc = (await self.http.get(url, timeout=5)).raise_for_status().json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ProviderUnavailable(f"discovery failed: {type(exc).__name__}") from exc
            if doc.get("issuer", "").rstrip("/") != self.issuer:
                raise LoginFailed("issuer mismatch in discovery document")
            self._metadata = ProviderMetadata(
                doc["issuer"], doc["authorization_endpoint"], doc["token_endpoint"], doc["end_session_endpoint"]
            )
        return self._metadata

    async def authorization_url(self, login: PendingLogin) -> str:
        """The Keycloak login page for this pending login."""
        params = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": self.settings.callback_url,
            "scope": "openid profile",
            "state": login.state,
            "nonce": login.nonce,
            "code_challenge": code_challenge(login.code_verifier),
            "code_challenge_method": "S256",
            "ui_locales": "ja",
        }
        return f"{(await self.metadata()).authorization_endpoint}?{urlencode(params)}"

    async def exchange(self, code: str, login: PendingLogin) -> tuple[Tokens, User]:
        """Trades the authorization code for tokens, checking the ID token and its nonce."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.settings.callback_url,
            "code_verifier": login.code_verifier,
        }
        body = await self._token_request(form)
        id_claims = await self._verify(self.id_tokens, body.get("id_token", ""))
        if not hmac.compare_digest(str(id_claims.get("nonce", "")), login.nonce):
            raise LoginFailed("nonce mismatch")
        access_claims = await self._verify(self.access_tokens, body.get("access_token", ""))
        if access_claims.get("sub") != id_claims.get("sub"):
            raise LoginFailed("ID token and access token name different users")
        return _tokens(body), user_from_claims(id_claims, access_claims)

    async def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens from the refresh token; LoginFailed when Keycloak's session has ended."""
        if tokens.refresh_expires_at and time.time() >= tokens.refresh_expires_at:
            raise LoginFailed("refresh token expired")
        body = await self._token_request({"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})
        await self._verify(self.access_tokens, body.get("access_token", ""))
        return _tokens(body, previous=tokens)

    async def end_session_url(self, id_token: str) -> str:
        """Keycloak's logout page, which ends its session and returns to the gateway."""
        params = {
            "client_id": self.settings.oidc_client_id,
            "post_logout_redirect_uri": self.settings.logged_out_url,
            "ui_locales": "ja",
        }
        if id_token:
            params["id_token_hint"] = id_token
        return f"{(await self.metadata()).end_session_endpoint}?{urlencode(params)}"

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        auth = (self.settings.oidc_client_id, self.settings.oidc_secret.get_secret_value())
        try:
            response = await self.http.post((await self.metadata()).token_endpoint, data=form, auth=auth)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"token endpoint answered {response.status_code}")
        if response.status_code != 200:
            raise LoginFailed(f"token endpoint answered {response.status_code}")
        return response.json()

    @staticmethod
    async def _verify(verifier: TokenVerifier, token: str) -> dict[str, Any]:
        try:
            return await verifier.verify(token)
        except NotAuthenticated as exc:
            raise LoginFailed("token did not verify") from exc


def _tokens(body: dict[str, Any], previous: Tokens | None = None) -> Tokens:
    now = time.time()
    refresh_in = float(body.get("refresh_expires_in") or 0)
    return Tokens(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token") or (previous.refresh_token if previous else ""),
        id_token=body.get("id_token") or (previous.id_token if previous else ""),
        expires_at=now + float(body.get("expires_in", 60)) - REFRESH_MARGIN_SECONDS,
        refresh_expires_at=now + refresh_in if refresh_in else 0.0,
    )


def user_from_claims(id_claims: dict[str, Any], access_claims: dict[str, Any]) -> User:
    """The staff member named by the tokens; names in Japanese order (姓 名)."""
    username = id_claims.get("preferred_username") or access_claims.get("preferred_username", "")
    return User(
        user_id=id_claims["sub"],
        username=username,
        display_name=display_name({"preferred_username": username, **id_claims}),
        roles=frozenset(access_claims.get("realm_access", {}).get("roles", [])),
        district=str(access_claims.get("district") or id_claims.get("district") or ""),
    )
