"""The header search box driven in headless Chromium: the ARIA combobox as a keyboard user meets it (R22)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from ...chromium import Chromium
from ...conftest import PATIENT_ID, SEARCH, Login, logged_in_chromium, mock_patient_page

OTHER_ID = "7d1e8f3a-9c2b-4d6e-8f10-2a3b4c5d6e7f"
HITS = [
    {
        "record_type": "patient",
        "id": OTHER_ID,
        "name": "田中 一郎",
        "name_kana": "タナカ イチロウ",
        "birth_date": "1961-05-02",
    },
    {
        "record_type": "patient",
        "id": PATIENT_ID,
        "name": "試験 太郎",
        "name_kana": "シケン タロウ",
        "birth_date": "1970-03-01",
    },
]
# What a screen reader is told: which option is chosen, which one the box points at, whether the list is open.
COMBOBOX_STATE = """
const box = document.getElementById("global-search-q");
const options = document.querySelectorAll('#search-listbox [role="option"]');
return {
  selected: Array.from(options, (option) => option.getAttribute("aria-selected")),
  active: box.getAttribute("aria-activedescendant"),
  expanded: box.getAttribute("aria-expanded"),
  focused: document.activeElement === box,
  typed: box.value,
};
"""
OPTIONS_SHOWN = "document.querySelectorAll('#search-listbox [role=\"option\"]').length === 2"


@pytest.fixture
async def nurse_in_chromium(served: str, login: Login) -> AsyncIterator[Chromium]:
    """Chromium with a nurse's session (logged in through the fake Keycloak), on the search page."""
    async with logged_in_chromium(served, login, "/search") as browser:
        yield browser


@pytest.mark.req("R22", partial=True)
class TestSearchBoxInChromium:
    async def test_arrows_choose_a_suggestion_escape_closes_the_list_and_enter_opens_the_chosen_one(
        self, nurse_in_chromium: Chromium, backends: respx.MockRouter
    ) -> None:
        browser = nurse_in_chromium
        backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(200, json={"items": HITS}))
        mock_patient_page(backends)

        await browser.type("#global-search-q", "tanaka")
        await browser.wait_for(OPTIONS_SHOWN)
        state = await browser.run(COMBOBOX_STATE)
        assert state["selected"] == ["false", "false"] and state["active"] is None and state["expanded"] == "true"

        await browser.press("ArrowDown")
        state = await browser.run(COMBOBOX_STATE)
        assert state["selected"] == ["true", "false"] and state["active"] == "search-option-1"
        assert state["focused"], "the focus stays in the box while the options are chosen"
        await browser.press("ArrowDown")
        state = await browser.run(COMBOBOX_STATE)
        assert state["selected"] == ["false", "true"] and state["active"] == "search-option-2"
        await browser.press("ArrowUp")
        assert (await browser.run(COMBOBOX_STATE))["active"] == "search-option-1"

        await browser.press("Escape")
        state = await browser.run(COMBOBOX_STATE)
        assert state["selected"] == [] and state["active"] is None and state["expanded"] == "false"
        assert state["typed"] == "tanaka" and state["focused"], "Escape closes the list, not the search"

        await browser.type("#global-search-q", "s")
        await browser.wait_for(OPTIONS_SHOWN)
        await browser.press("ArrowDown")
        await browser.press("ArrowDown")
        await browser.press("Enter")
        await browser.wait_for("location.pathname === arguments[0]", f"/patients/{PATIENT_ID}")
        assert await browser.run("return document.querySelector('h1').textContent.trim();") == "試験 太郎"
