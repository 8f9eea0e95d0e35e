"""Headless Chromium for gateway tests: the browser and axe-core's checks of tbms_testing.chromium (shared with
the tests of Keycloak's login pages), and screenshots of the gateway's pages to be looked at.

Calls are async so the gateway under test can answer the browser in the same event loop.
"""

from __future__ import annotations

import os
from pathlib import Path

from tbms_testing.chromium import (
    NARROW,
    WIDTH,
    Chromium,
    at_width,
    axe_violations,
    chromium,
    narrow_findings,
    sideways,
)
from tbms_testing.scratch import free_port

__all__ = [
    "NARROW",
    "WIDTH",
    "Chromium",
    "at_width",
    "axe_violations",
    "chromium",
    "free_port",
    "look",
    "look_narrow",
    "narrow_findings",
    "sideways",
]


async def look(browser: Chromium, shots: Path, name: str) -> list[str]:
    """A full-page screenshot of the page shown now, then axe's findings on it."""
    height = await browser.run("return document.documentElement.scrollHeight;")
    await browser.command("POST", "/window/rect", {"width": WIDTH, "height": min(int(height) + 120, 12000)})
    await browser.screenshot(shots / f"tbms-shot-{name}.png")
    await at_width(browser, WIDTH)
    if os.environ.get("TBMS_SHOTS"):  # readable pieces of a long page, one window each, for looking at it
        for part, top in enumerate(range(0, int(height), 800), 1):
            await browser.run("window.scrollTo(0, arguments[0]);", top)
            await browser.screenshot(shots / f"tbms-shot-{name}-{part}.png")
        await browser.run("window.scrollTo(0, 0);")
    return await axe_violations(browser)


async def look_narrow(browser: Chromium, shots: Path, name: str) -> list[str]:
    """The page shown now at 683 px (a 1366 px screen at 200 %): a screenshot of its top, axe's findings and
    whether it scrolls sideways; the window is 1280 px wide again afterwards."""
    await at_width(browser, NARROW)
    await browser.screenshot(shots / f"tbms-shot-{name}-{NARROW}.png")
    return await narrow_findings(browser)
