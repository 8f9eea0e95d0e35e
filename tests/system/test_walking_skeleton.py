"""One patient through all seven services: login, registration, search, F03, audit, and one trace across NATS."""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
import time
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tbms_testing import auth_headers, wait_for
from tbms_testing.browser import hidden_value, keycloak_browser, log_in
from tbms_tools import config

GATEWAY = "http://127.0.0.1:8000"
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def half_width(text: str) -> str:
    """Half-width katakana, as some terminals still type it (the inverse of NFKC for kana)."""
    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    return "".join(table.get(ch, ch) for ch in text)


def visible_text(page: str) -> str:
    """The page as a user reads it: tags (such as the <mark> of a highlighted match) removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def spans(service: str, since: float) -> list[dict]:  # type: ignore[type-arg]
    """The spans a running service wrote to its span file since a moment (epoch seconds)."""
    path = config.state_dir() / "logs" / f"spans-{service}.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row["start"] / 1e9 >= since]


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A logged-in nurse's browser on the gateway (password + TOTP through Keycloak's pages)."""
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=30) as gateway, keycloak_browser() as keycloak:
        finished = await log_in(gateway, keycloak, "nurse1")
        assert finished.status_code == 303 and finished.headers["location"] == "/"
        yield gateway


@pytest.mark.req("R03")
@pytest.mark.req("R18", partial=True)
@pytest.mark.req("R22", partial=True)
@pytest.mark.req("R36")
@pytest.mark.req("N01")
@pytest.mark.req("N20", partial=True)
async def test_one_patient_through_every_service(browser: httpx.AsyncClient, tmp_path: Path) -> None:
    started = time.time()
    home = await browser.get("/")
    assert "ようこそ、試験 花子さん" in home.text and "前回" in home.text

    given = "".join(random.choice(KATAKANA) for _ in range(4))
    form = await browser.get("/patients/new")
    registered = await browser.post(
        "/patients",
        data={
            "csrf_token": hidden_value(form.text, "csrf_token"),
            "name": f"系統 {given}",
            "name_kana": f"けいとう {given}",
            "sex": "female",
            "birth_date": "S45.3.1",
            "postal_code": "1540017",
            "address": "東京都世田谷区試験町9-9-9",
            "district": "世田谷",
            "category": "patient",
            "step": "confirmed",  # past the confirmation page
        },
    )
    assert registered.status_code == 303, registered.text[:2000]
    patient_path = registered.headers["location"]
    committed = time.time()
    page = await browser.get(patient_path)
    assert f"系統 {given}" in page.text and "ケイトウ" in page.text and "昭和45年3月1日" in page.text

    async def found(query: str) -> bool:
        result = await browser.get("/search", params={"q": query})
        return result.status_code == 200 and f"系統 {given}" in visible_text(result.text)

    await wait_for(lambda: found(half_width(f"ケイトウ {given}")), timeout=10)
    searchable_after = time.time() - committed
    assert await found(f"けいとう{given} s45") and await found(f"ケイトウ {given} 昭和45")
    assert not await found(f"けいとう{given} s46")

    printed = await browser.post(
        f"{patient_path}/documents", data={"csrf_token": hidden_value(page.text, "csrf_token"), "form": "F03"}
    )
    assert printed.status_code == 303, printed.text[:2000]
    pdf = await browser.get(printed.headers["location"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    (tmp_path / "f03.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "f03.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"系統 {given}" in text and "昭和45年3月1日" in text

    patient_id = patient_path.rsplit("/", 1)[1]
    await _audit_trail_is_complete(patient_id, given)
    _one_trace_crosses_nats(started)
    assert searchable_after < 5, f"search saw the patient only after {searchable_after:.2f} s"


async def _audit_trail_is_complete(patient_id: str, given: str) -> None:
    identity = httpx.AsyncClient(base_url=config.service_url("identity"), headers=auth_headers("admin1"))

    async def operations() -> set[str] | None:
        events = (await identity.get("/audit/events", params={"person_id": patient_id})).json()["items"]
        seen = {e["operation"] for e in events}
        return seen if {"create", "read", "print", "download"} <= seen else None

    await wait_for(operations, timeout=15)
    searches = (await identity.get("/audit/events", params={"operation": "search", "limit": 200})).json()["items"]
    assert any(given in (e.get("query") or "") and e["username"] == "nurse1" for e in searches)
    logins = (await identity.get("/logins", params={"type": "LOGIN"})).json()["items"]
    assert any(e.get("username") == "nurse1" for e in logins)
    assert (await identity.get("/audit/verify", timeout=120)).json()["ok"] is True  # walks the whole chain
    await identity.aclose()


def _one_trace_crosses_nats(since: float) -> None:
    gateway_traces = {s["trace_id"] for s in spans("gateway", since) if s["name"] == "POST /patients"}
    patient_spans = [s for s in spans("patients", since) if s["trace_id"] in gateway_traces]
    published = {s["trace_id"] for s in patient_spans if s["kind"] == "PRODUCER"}
    consumed = {s["trace_id"] for s in spans("search", since) if s["kind"] == "CONSUMER"}
    assert gateway_traces, "the gateway recorded no registration span"
    assert {s["trace_id"] for s in patient_spans if s["kind"] == "SERVER"} & gateway_traces
    assert published & consumed, "no trace links gateway → patients → NATS → search"
