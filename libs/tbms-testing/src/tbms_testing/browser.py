"""Logs in through Keycloak's own pages (password, then TOTP) the way a browser does, for tests."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx

from tbms_testing.keycloak import DEMO_PASSWORD, fresh_totp


class FormReader(HTMLParser):
    """Collects each form's action and input names from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Notes forms and the inputs inside the latest one."""
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((html.unescape(values.get("action", "")), set()))
        elif tag == "input" and self.forms:
            self.forms[-1][1].add(values.get("name", ""))


def form_action(page: str, field: str) -> str:
    """The action of the page's form that has the given input."""
    reader = FormReader()
    reader.feed(page)
    for action, inputs in reader.forms:
        if field in inputs:
            return action
    raise AssertionError(f"no form with {field!r} on the page:\n{page[:2000]}")


def hidden_value(page: str, name: str) -> str:
    """The value of a hidden input, such as the CSRF token of a gateway form."""
    marker = f'name="{name}" value="'
    assert marker in page, f"no {name} on the page"
    return html.unescape(page.split(marker, 1)[1].split('"', 1)[0])


@asynccontextmanager
async def keycloak_browser() -> AsyncIterator[httpx.AsyncClient]:
    """A cookie jar for Keycloak's pages that, like Chromium on http://127.0.0.1, sends its Secure cookies."""
    async with httpx.AsyncClient(timeout=30) as browser:

        async def like_chromium(_: httpx.Response) -> None:
            for cookie in browser.cookies.jar:
                cookie.secure = False

        browser.event_hooks["response"].append(like_chromium)
        yield browser


async def submit_totp(keycloak: httpx.AsyncClient, page: str, username: str) -> httpx.Response:
    """Types a TOTP code no other test process has used into Keycloak's form."""
    for _ in range(2):
        code = await asyncio.to_thread(fresh_totp, username)
        response = await keycloak.post(form_action(page, "otp"), data={"otp": code})
        if response.status_code == 302:
            return response
        page = response.text
    raise AssertionError(f"TOTP refused twice: {page[:1000]}")


async def log_in(
    gateway: httpx.AsyncClient, keycloak: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD
) -> httpx.Response:
    """Walks the whole login: gateway → Keycloak password form → TOTP form → gateway callback."""
    started = await gateway.get("/login")
    assert started.status_code == 303, started.text[:500]
    login_page = await keycloak.get(started.headers["location"])
    assert login_page.status_code == 200, login_page.text[:500]
    password_step = await keycloak.post(
        form_action(login_page.text, "username"), data={"username": username, "password": password}
    )
    assert password_step.status_code == 200, "Keycloak should ask for the TOTP code next"
    back = await submit_totp(keycloak, password_step.text, username)
    callback = urlsplit(back.headers["location"])
    return await gateway.get(f"{callback.path}?{callback.query}")
