"""The 診査会 pages in headless Chromium: the session page opens with the focus on the first case's decision, a
decision entered from the keyboard alone (arrow key, Enter) is sent and the focus moves to the next case; axe
(WCAG 2.0 A/AA) finds nothing on the session, case, patient and list pages. Screenshots
go to $TBMS_SHOTS (else the test's temporary directory) to be looked at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import PATIENTS, FakeKeycloakType, Login, logged_in_chromium, with_roles
from .conftest import BOARD_ROLES, FIRST, PATIENT, SECOND, SESSION_ID, answer, mock_board

pytestmark = pytest.mark.req("R05", partial=True)
SESSION = f"/board/sessions/{SESSION_ID}"


class TestInChromium:
    async def test_decisions_are_entered_from_the_keyboard_and_every_page_passes_axe(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        shots: Path,
        settings: Settings,
        keycloak: FakeKeycloakType,
    ) -> None:
        with_roles(keycloak, BOARD_ROLES)
        routes = mock_board(backends)
        decided = backends.post(f"{PATIENTS}/board/cases/{FIRST}/decision").mock(return_value=answer("decided"))
        settings.public_url = served
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, SESSION) as browser:
            assert await browser.run("return document.activeElement.id;") == f"d-{FIRST}-decision"
            found["session"] = await look(browser, shots, "board-session")
            await browser.run(f"document.getElementById('d-{FIRST}-decision').focus();")
            await browser.press("ArrowDown")  # the first choice: 承認
            routes["session"].mock(return_value=answer("session_one_decided"))
            await browser.run(f"document.getElementById('d-{FIRST}-comments').focus();")
            await browser.run(f"document.getElementById('d-{FIRST}-decided_on').focus();")
            await browser.press("Enter")
            await browser.wait_for(f"document.location.search.includes('focus={SECOND}')")
            sent = json.loads(decided.calls.last.request.content)
            assert sent["decision"] == "approved" and sent["decided_on"] == "2026-11-10"  # the meeting's day
            found["session-after"] = await look(browser, shots, "board-session-after")
            await browser.go(f"{served}/board/cases/{FIRST}")
            found["case"] = await look(browser, shots, "board-case")
            await browser.go(f"{served}/board/patients/{PATIENT['id']}")
            found["patient"] = await look(browser, shots, "board-patient")
            await browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
            found["patient-forms-open"] = await look(browser, shots, "board-patient-forms")
            await browser.go(f"{served}/board")
            found["worklist"] = await look(browser, shots, "board-worklist")
            await browser.go(f"{served}/board/numbers")
            found["numbers"] = await look(browser, shots, "board-numbers")
        assert found == {page: [] for page in found}, found
