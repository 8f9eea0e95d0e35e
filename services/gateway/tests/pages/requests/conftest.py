"""contacts' answers to the request, group and cluster pages as the real service gave them (requests_api.json:
recorded from the contacts API run in-process on a fresh database, synthetic people only)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import respx

from ...conftest import CONTACTS, MASTERS, PATIENT_ID

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "requests_api.json").read_text(encoding="utf-8"))
INDEX_ID = PATIENT_ID


def recorded(name: str) -> Any:
    """A deep copy of one recorded answer."""
    return copy.deepcopy(RECORDED[name])


def mock_request(backends: respx.MockRouter, shown: dict[str, Any]) -> respx.Route:
    """contacts answers a request's page: the request and its history."""
    backends.get(f"{CONTACTS}/requests/{shown['id']}/history").mock(
        return_value=httpx.Response(200, json=RECORDED["request_history"])
    )
    return backends.get(f"{CONTACTS}/requests/{shown['id']}").mock(return_value=httpx.Response(200, json=shown))


def mock_board(backends: respx.MockRouter) -> respx.Route:
    """contacts answers the board."""
    return backends.get(f"{CONTACTS}/requests").mock(return_value=httpx.Response(200, json=RECORDED["board"]))


def mock_new(backends: respx.MockRouter) -> None:
    """contacts knows the index patient and their contacts; masters has no municipality list."""
    backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}").mock(
        return_value=httpx.Response(200, json=RECORDED["index_case"])
    )
    backends.routes["contact-list"].mock(return_value=httpx.Response(200, json=RECORDED["contacts_of_index"]))
    backends.get(f"{MASTERS}/masters/municipality").mock(return_value=httpx.Response(200, json={"items": []}))


def mock_group(backends: respx.MockRouter, group: dict[str, Any]) -> respx.Route:
    """contacts answers a group's page."""
    return backends.get(f"{CONTACTS}/groups/{group['id']}").mock(return_value=httpx.Response(200, json=group))


def mock_preview(backends: respx.MockRouter, preview: dict[str, Any]) -> respx.Route:
    """contacts answers a member import's preview."""
    path = f"{CONTACTS}/groups/{preview['group_id']}/imports/{preview['id']}"
    return backends.get(path).mock(return_value=httpx.Response(200, json=preview))
