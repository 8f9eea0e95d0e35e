"""SQL injection (IPA 安全なウェブサイトの作り方 1.1) through the search boxes of the running stack (N09).

Every query is built with bound parameters (SQLAlchemy, and the embedded search engine's SQLite statements),
so a classic injection string is only text to look for: it finds nothing it does not literally contain, and
afterwards every table is still there. Were a query built by pasting the text in, `' OR '1'='1` would match
every row and the tests would fail.
"""

from __future__ import annotations

import random
import time

import httpx
import pytest
from tbms_testing import auth_headers
from tbms_tools import config

PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "') OR ('a'='a",
    "%' OR '%'='",
    "' UNION SELECT NULL, NULL --",
    "x'; DROP TABLE master_records; --",
    'x"; DROP TABLE documents; --',
]
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def get(service: str, path: str, *, user: str, **params: str) -> dict:  # type: ignore[type-arg]
    response = httpx.get(config.service_url(service) + path, params=params, headers=auth_headers(user), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.req("N09", partial=True)
def test_an_injection_string_in_a_master_search_matches_nothing_and_drops_nothing() -> None:
    before = get("masters", "/masters/district", user="admin1")["total"]
    assert before >= 5  # the districts the migration seeds
    for payload in PAYLOADS:
        assert get("masters", "/masters/district", user="admin1", q=payload)["total"] == 0, payload
    assert get("masters", "/masters/district", user="admin1")["total"] == before


@pytest.mark.req("N09", partial=True)
def test_an_injection_string_in_the_search_box_finds_only_what_it_literally_contains() -> None:
    given = "".join(random.choice(KATAKANA) for _ in range(5))
    registered = httpx.post(
        config.service_url("patients") + "/patients",
        json={
            "name": f"注入 {given}",
            "name_kana": f"ﾁｭｳﾆｭｳ {given}",
            "sex": "male",
            "birth_date": "S50.5.5",
            "postal_code": "1540017",
            "address": "東京都世田谷区試験町7-7-7",
            "district": "世田谷",
        },
        headers=auth_headers("nurse1"),
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
    ours = registered.json()["id"]

    def searchable() -> bool:
        return any(item["id"] == ours for item in get("search", "/search", user="nurse1", q=given)["items"])

    deadline = time.monotonic() + 30
    while not searchable():
        assert time.monotonic() < deadline, "the new patient never became searchable"
        time.sleep(0.2)
    for payload in PAYLOADS:
        found = get("search", "/search", user="nurse1", q=f"{given} {payload}", limit="100")
        assert {item["id"] for item in found["items"]} <= {ours}, payload  # never anyone else
        assert get("search", "/search", user="nurse1", q=payload, limit="100")["total_is_lower_bound"] is False
    assert searchable()  # the index and the patients' tables are still there
