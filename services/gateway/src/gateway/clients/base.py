"""What every back-end client shares: one call with the user's token, failures as error pages, save outcomes."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from gateway.forms import GENERAL_ERROR
from gateway.web.errors import BadRequest, Forbidden, LoginRequired, PageNotFound, ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SaveResult:
    """The outcome of a change: the stored record, a Japanese message per field, or why it was refused (409)."""

    record: dict[str, Any] | None = None
    errors: dict[str, str] | None = None
    conflict: str | None = None


@dataclass
class ReferenceCache:
    """Reference data a gateway process keeps for a while (code lists, districts), one value per key."""

    entries: dict[str, tuple[float, Any]] = field(default_factory=dict)

    async def get(self, key: str, ttl_seconds: float, load: Callable[[], Awaitable[T]]) -> T:
        """The kept value while it is fresh, else a newly loaded one (kept for `ttl_seconds`)."""
        kept = self.entries.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        value = await load()
        self.entries[key] = (time.monotonic() + ttl_seconds, value)
        return value


class ServiceClient:
    """One back-end service as one user sees it: its base URL, the user's token and terminal address."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        token: str,
        client_ip: str,
        cache: ReferenceCache | None = None,
    ) -> None:
        self.http, self.base_url = http, base_url.rstrip("/")
        self.cache = cache if cache is not None else ReferenceCache()
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if client_ip:
            self.headers["X-Forwarded-For"] = client_ip

    async def send(self, method: str, path: str, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        """One call; 401, 403, 404, 5xx and network failures become the matching error page."""
        url = f"{self.base_url}{path}"
        request = self.http.build_request(method, url, headers=self.headers, **kwargs)
        try:
            response = await self.http.send(request, stream=stream)
        except httpx.HTTPError as exc:
            log.warning("back-end call failed: %s %s: %s", method, url, type(exc).__name__)
            raise ServiceUnavailable() from exc
        if response.status_code in (401, 403, 404) or response.status_code >= 500:
            await response.aread()
            await response.aclose()
            raise page_error(response)
        return response

    async def get_json(self, path: str, **params: Any) -> Any:
        """A GET that must succeed; any other answer becomes an error page with the service's message."""
        response = await self.send("GET", path, params=params or None)
        if response.status_code != 200:
            raise BadRequest(detail(response) or None)
        return response.json()


def created(response: httpx.Response, failure: str) -> dict[str, Any]:
    """The created record; a refusal (4xx) is shown with the service's own message."""
    if response.status_code not in (200, 201):
        raise BadRequest(detail(response) or failure)
    return response.json()


def saved(response: httpx.Response, failure: str, *, prefix: str = "") -> SaveResult:
    """A save's outcome: field messages on 422 (keys without `prefix`), the service's message on 409."""
    if response.status_code == 422:
        return SaveResult(errors=field_errors(response.json(), prefix=prefix))
    if response.status_code == 409:
        return SaveResult(conflict=detail(response) or failure)
    return SaveResult(record=created(response, failure))


def field_errors(body: dict[str, Any], *, prefix: str = "") -> dict[str, str]:
    """A 422 answer's messages per field (keys without `prefix`), or its general message under "_"."""
    errors = {key.removeprefix(prefix): message for key, message in (body.get("errors") or {}).items()}
    return errors or {GENERAL_ERROR: body.get("detail", "入力内容に誤りがあります。")}


def detail(response: httpx.Response) -> str:
    """The service's Japanese message ("detail"), or "" when it sent none."""
    try:
        return str(response.json().get("detail") or "")
    except ValueError:
        return ""


def page_error(response: httpx.Response) -> Exception:
    """The error page for a back end's 401, 403, 404 or 5xx."""
    if response.status_code == 401:
        return LoginRequired()
    if response.status_code == 403:
        return Forbidden(detail(response) or None)
    if response.status_code == 404:
        return PageNotFound(detail(response) or None)
    return ServiceUnavailable()
