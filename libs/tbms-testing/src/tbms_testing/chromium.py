"""Headless Chromium for tests, driven through chromedriver's W3C WebDriver protocol over httpx, and axe-core's
accessibility checks in it (WCAG 2.0 A/AA at 1280 px and at 683 px: JIS X 8341-3 AA).

Debian's `chromium` and `chromium-driver` packages are what `scripts/bootstrap.sh` installs; no browser
library is needed. Calls are async so a server under test can answer the browser in the same event loop. Here
rather than in the gateway's tests because Keycloak's login pages (tests/test_login_theme.py) are checked the
same way as the gateway's own.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tbms_testing.scratch import free_port
from tbms_testing.stack import REPO

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference
KEYS = {"ArrowDown": "\ue015", "ArrowUp": "\ue013", "Enter": "\ue007", "Escape": "\ue00c"}
WIDTH, NARROW = 1280, 683  # an office screen, and a 1366 px screen at 200 % (text zoomed, nothing cut off)


class Chromium:
    """One headless Chromium window: go to pages, set cookies, type, click, press keys, read the DOM, screenshots."""

    def __init__(self, driver: httpx.AsyncClient, session_id: str) -> None:
        self.driver, self.session_id = driver, session_id
        # what the published accessibility results call the page shown now, where its address and title do not
        # tell (Keycloak's pages share them); None: the report names it from them
        self.report_as: str | None = None

    async def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One WebDriver command of this session; its `value`, or an AssertionError with the driver's message."""
        response = await self.driver.request(method, f"/session/{self.session_id}{path}", json=body)
        value = response.json()["value"]
        assert response.status_code == 200, f"WebDriver {method} {path}: {value}"
        return value

    async def go(self, url: str) -> None:
        """Opens a page and waits until it has loaded."""
        await self.command("POST", "/url", {"url": url})

    async def url(self) -> str:
        """The address of the page shown now."""
        return await self.command("GET", "/url")

    async def add_cookie(self, name: str, value: str) -> None:
        """Sets a cookie for the site of the page shown now."""
        await self.command("POST", "/cookie", {"cookie": {"name": name, "value": value, "path": "/"}})

    async def run(self, script: str, *args: Any) -> Any:
        """Runs JavaScript in the page (`arguments[0]`… are the args) and returns its result."""
        return await self.command("POST", "/execute/sync", {"script": script, "args": list(args)})

    async def element(self, css: str) -> str:
        """The reference of the first element matching a CSS selector."""
        found = await self.command("POST", "/element", {"using": "css selector", "value": css})
        assert ELEMENT in found, f"no {css} on {await self.url()}: {found}"
        return found[ELEMENT]

    async def type(self, css: str, text: str) -> None:
        """Types into an element as a user would: focus, then one key event per character."""
        await self.command("POST", f"/element/{await self.element(css)}/value", {"text": text})

    async def click(self, css: str) -> None:
        """Clicks an element as a user would."""
        await self.command("POST", f"/element/{await self.element(css)}/click", {})

    async def screenshot(self, path: Path | str) -> Path:
        """Saves what the window shows now as a PNG file."""
        png = base64.b64decode(await self.command("GET", "/screenshot"))
        target = Path(path)
        await asyncio.to_thread(target.write_bytes, png)
        return target

    async def press(self, key: str) -> None:
        """Presses and releases a key (ArrowDown, ArrowUp, Enter, Escape) in the focused element."""
        code = KEYS[key]
        actions = [{"type": "keyDown", "value": code}, {"type": "keyUp", "value": code}]
        await self.command("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})

    async def wait_for(self, script: str, *args: Any, timeout: float = 10.0) -> Any:
        """Polls a JavaScript expression until it is truthy; returns it (fails after `timeout` seconds)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.run(f"return ({script});", *args)
            if value:
                return value
            assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for: {script}"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def chromium() -> AsyncIterator[Chromium]:
    """A fresh headless Chromium, closed with its chromedriver afterwards."""
    driver_path, browser_path = shutil.which("chromedriver"), shutil.which("chromium")
    assert driver_path and browser_path, "Chromium is missing: run `make bootstrap` (apt chromium chromium-driver)"
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, stopped in finally
        [driver_path, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as driver:
            await _wait_until_ready(driver)
            options = {"binary": browser_path, "args": CHROMIUM_ARGS}
            capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
            started = await driver.post("/session", json={"capabilities": capabilities})
            assert started.status_code == 200, started.text
            browser = Chromium(driver, started.json()["value"]["sessionId"])
            try:
                yield browser
            finally:
                await driver.delete(f"/session/{browser.session_id}")
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _wait_until_ready(driver: httpx.AsyncClient) -> None:
    for _ in range(100):
        try:
            if (await driver.get("/status")).json()["value"]["ready"]:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("chromedriver did not start")


def _axe_path() -> Path:
    """axe-core's axe.min.js: $TBMS_AXE, else where `make bootstrap` unpacks the version it pins."""
    if chosen := os.environ.get("TBMS_AXE"):
        return Path(chosen)
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    version = re.search(r'^AXE_CORE_VERSION="([^"]+)"', bootstrap, re.MULTILINE)
    assert version, "scripts/bootstrap.sh names no AXE_CORE_VERSION"
    cache = Path(os.environ.get("TBMS_CACHE") or Path.home() / ".cache" / "tbms")
    return cache / f"axe-core-{version.group(1)}" / "package" / "axe.min.js"


# axe-core, read once outside any event loop; a check without it fails (run `make bootstrap`).
AXE = _axe_path()
AXE_SOURCE = AXE.read_text(encoding="utf-8") if AXE.exists() else ""
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}})
  .then(r => done(r.violations.map(v => v.id + ": " + v.help + " " + JSON.stringify(v.nodes.map(n => n.target)))))
  .catch(e => done(["axe failed: " + e]));
"""


async def axe_violations(browser: Chromium) -> list[str]:
    """axe's WCAG 2.0 A and AA violations on the page shown now.

    With $TBMS_A11Y_RESULTS set, each check is also appended there as a JSON line (page, title, width, findings):
    scripts/accessibility_report.py turns them into the published test results (N31)."""
    assert AXE_SOURCE, f"axe-core is missing ({AXE}): run `make bootstrap`"
    assert await browser.run(AXE_SOURCE + "\nreturn typeof axe;") == "object"
    found = await browser.command("POST", "/execute/async", {"script": AXE_RUN, "args": []})
    if results := os.environ.get("TBMS_A11Y_RESULTS"):
        page = await browser.run("return [location.pathname, document.title, window.innerWidth];")
        line = {"path": page[0], "title": page[1], "width": page[2], "violations": found}
        if browser.report_as:
            line["name"] = browser.report_as
        await asyncio.to_thread(_append, Path(results), json.dumps(line, ensure_ascii=False) + "\n")
    return found


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


async def at_width(browser: Chromium, width: int) -> None:
    """Makes the window this wide (900 px high); the page shown is laid out again, not reloaded."""
    await browser.command("POST", "/window/rect", {"width": width, "height": 900})


WIDE = "return document.documentElement.scrollWidth <= window.innerWidth + 1;"
# The widest elements that widen the page (not those inside a box that scrolls by itself), to say what to fix.
WIDEST = """
const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
  if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
const wide = [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(e));
return wide.slice(-3).map(e => e.outerHTML.slice(0, 200)).join(' | ');
"""


async def sideways(browser: Chromium) -> list[str]:
    """Nothing when the page shown fits the window's width; else that it scrolls sideways, and what widens it."""
    if await browser.run(WIDE):
        return []
    width = await browser.run("return window.innerWidth;")
    return [f"scrolls sideways at {width} px", await browser.run(WIDEST)]


async def narrow_findings(browser: Chromium) -> list[str]:
    """axe's findings on the page shown at 683 px, and whether it scrolls sideways there; the window is 1280 px
    wide again afterwards, for the test's next steps."""
    await at_width(browser, NARROW)
    try:
        return [*await axe_violations(browser), *await sideways(browser)]
    finally:
        await at_width(browser, WIDTH)
