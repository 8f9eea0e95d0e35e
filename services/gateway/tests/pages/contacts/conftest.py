"""contacts' answers as the real service gave them (contacts_api.json: recorded from the contacts API run
in-process on a fresh database, synthetic people only), and the routes that serve them to the gateway."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ...conftest import CONTACTS, PATIENT_ID

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "contacts_api.json").read_text(encoding="utf-8"))
INDEX_ID = PATIENT_ID  # the index patient 試験 太郎 of the recorded contacts


def recorded(name: str) -> Any:
    """A deep copy of one recorded answer, free for a test to change."""
    return copy.deepcopy(RECORDED[name])


CONTACT = recorded("contact")  # 試験 花子: two exposures, an IGRA positive, an X-ray cancelled, priority overridden
CONTACT_ID = CONTACT["id"]
CHILD = recorded("child")  # 試験 一郎 (3 years): ツ反 instead of IGRA
ENDED = recorded("ended")  # 同僚 三郎: follow-up ended
EXAM = CONTACT["exams"][0]
EXPOSURE = CONTACT["exposures"][0]


def mock_contact(backends: respx.MockRouter, contact: dict[str, Any] | None = None) -> dict[str, respx.Route]:
    """contacts answers the contact page: the contact and its history."""
    shown = contact or CONTACT
    return {
        "contact": backends.get(f"{CONTACTS}/contacts/{shown['id']}").mock(
            return_value=httpx.Response(200, json=shown)
        ),
        "history": backends.get(f"{CONTACTS}/contacts/{shown['id']}/history").mock(
            return_value=httpx.Response(200, json=RECORDED["history"] if shown is CONTACT else {"items": []})
        ),
    }


def mock_index(backends: respx.MockRouter, items: list[dict[str, Any]], total: int | None = None) -> respx.Route:
    """contacts knows the index patient and answers their contacts (the route named "contact-list")."""
    backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}").mock(
        return_value=httpx.Response(200, json=RECORDED["index_case"])
    )
    page = {"items": items, "total": len(items) if total is None else total}
    return backends.routes["contact-list"].mock(return_value=httpx.Response(200, json=page))


def error(name: str, status: int) -> httpx.Response:
    """A recorded refusal of contacts (422 or 409)."""
    return httpx.Response(status, json=RECORDED[name])


@pytest.fixture(autouse=True)
def no_duplicates(backends: respx.MockRouter) -> respx.Route:
    """contacts finds nobody like the person being registered (the route named "contact-duplicates")."""
    return backends.post(f"{CONTACTS}/contacts/duplicates", name="contact-duplicates").mock(
        return_value=httpx.Response(200, json=RECORDED["no_duplicates"])
    )
