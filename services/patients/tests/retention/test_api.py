"""Retention after 登録除外 (N17): the due list, the deletion with its record, refusals, access. Real PostgreSQL and
NATS in-process; the clock is Japan's, frozen per test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_core import clock
from tbms_testing import auth_headers

pytestmark = pytest.mark.req("N17", partial=True)
ADMIN, NURSE = "admin1", "nurse1"
MakePatient = Callable[..., Awaitable[dict[str, Any]]]


async def excluded(client: httpx.AsyncClient, make_patient: MakePatient, on: str) -> dict[str, Any]:
    """A patient registered long ago with a progress note and a result, excluded on `on`."""
    patient = await make_patient(registered_on="2023-04-01")
    pid = patient["id"]
    note = {"noted_on": "2023-05-01", "kind": "visit", "text": "初回訪問"}
    assert (await client.post(f"/patients/{pid}/notes", json=note, headers=auth_headers(NURSE))).status_code == 201
    body = {"version": patient["version"], "excluded_on": on, "reason": "other", "note": "試験"}
    answer = await client.post(f"/patients/{pid}/exclusion", json=body, headers=auth_headers(NURSE))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def due_ids(client: httpx.AsyncClient) -> set[str]:
    answer = await client.get("/retention/due", headers=auth_headers(ADMIN))
    assert answer.status_code == 200, answer.text
    return {row["patient_id"] for row in answer.json()["due"]}


async def test_the_setting_shows_two_years_and_its_basis(client: httpx.AsyncClient) -> None:
    answer = await client.get("/retention/settings", headers=auth_headers(ADMIN))
    assert answer.status_code == 200
    assert answer.json()["years"] == 2 and "施行規則第27条の8第3項" in answer.json()["basis"]


async def test_due_the_day_after_two_years_have_passed(client: httpx.AsyncClient, make_patient: MakePatient) -> None:
    patient = await excluded(client, make_patient, "2024-01-10")
    with clock.frozen_at(clock.jst(2026, 1, 10, 9)):
        assert patient["id"] not in await due_ids(client)
    with clock.frozen_at(clock.jst(2026, 1, 11, 9)):
        listed = (await client.get("/retention/due", headers=auth_headers(ADMIN))).json()
    row = next(r for r in listed["due"] if r["patient_id"] == patient["id"])
    assert row == {
        "patient_id": patient["id"],
        "registration_no": patient["registration_no"],
        "excluded_on": "2024-01-10",
        "exclusion_reason": "other",
        "expires_on": "2026-01-11",
    }


async def test_deletion_removes_the_record_and_keeps_only_the_deletion_record(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    old = await excluded(client, make_patient, "2024-01-10")
    recent = await excluded(client, make_patient, "2025-06-01")
    with clock.frozen_at(clock.jst(2026, 3, 1, 9)):
        assert old["id"] in await due_ids(client) and recent["id"] not in await due_ids(client)
        refused = await client.post(
            "/retention/deletions",
            json={"patient_ids": [old["id"], recent["id"]], "reason": "保存期間満了"},
            headers=auth_headers(ADMIN),
        )
        assert refused.status_code == 422 and "何も削除していません" in refused.text
        assert (await client.get(f"/patients/{old['id']}", headers=auth_headers(NURSE))).status_code == 200
        deleted = await client.post(
            "/retention/deletions",
            json={"patient_ids": [old["id"]], "reason": "保存期間満了（令和8年3月分）"},
            headers=auth_headers(ADMIN),
        )
    assert deleted.status_code == 201, deleted.text
    (record,) = deleted.json()
    assert record["patient_id"] == old["id"] and record["registration_no"] == old["registration_no"]
    assert record["excluded_on"] == "2024-01-10" and record["deleted_on"] == "2026-03-01"
    assert record["deleted_by_name"] and record["reason"] == "保存期間満了（令和8年3月分）"
    assert record["rows_deleted"] >= 4  # the patient, the note, their edit history
    assert old["name"] not in deleted.text and old["address"] not in deleted.text
    for path in (f"/patients/{old['id']}", f"/patients/{old['id']}/history"):
        assert (await client.get(path, headers=auth_headers(NURSE))).status_code == 404, path
    assert (await client.get(f"/patients/{recent['id']}", headers=auth_headers(NURSE))).status_code == 200
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        query = text("SELECT deadlines FROM published_deadlines WHERE record_id = :id")
        held = (await session.execute(query, {"id": old["id"]})).scalars().all()
    assert all(deadlines == [] for deadlines in held), "the to-dos close and no name stays"
    listed = await client.get("/retention/deletions", headers=auth_headers(ADMIN))
    assert any(d["id"] == record["id"] for d in listed.json())
    with clock.frozen_at(clock.jst(2026, 3, 1, 9)):
        again = await client.post(
            "/retention/deletions",
            json={"patient_ids": [old["id"]], "reason": "二度目"},
            headers=auth_headers(ADMIN),
        )
    assert again.status_code == 422


async def test_only_audit_users_list_or_delete(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/retention/due"), ("GET", "/retention/deletions"), ("GET", "/retention/settings")):
        assert (await client.request(method, path, headers=auth_headers(NURSE))).status_code == 403
    body = {"patient_ids": ["00000000-0000-0000-0000-000000000001"], "reason": "x"}
    answer = await client.post("/retention/deletions", json=body, headers=auth_headers(NURSE))
    assert answer.status_code == 403
