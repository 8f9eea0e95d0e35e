"""`POST /admin/backfill/patients`: the patient read model rebuilt from the patients service's current snapshots
(`tbms replay reports`), never over a newer version an event brought (R28)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from reports.patient_summary.models import PatientSummary
from sqlalchemy import select
from tbms_contracts.audit import OperationsKind, OperationsLogged
from tbms_contracts.patients import PatientSnapshot
from tbms_core import operations_log
from tbms_core.events import Envelope
from tbms_core.outbox import OutboxMessage
from tbms_testing import auth_headers, wait_for

SummaryOf = Callable[[str], Awaitable[PatientSummary | None]]
MakePatient = Callable[..., PatientSnapshot]
Publish = Callable[[PatientSnapshot], Awaitable[Envelope]]


def page_of(*snapshots: PatientSnapshot) -> dict[str, object]:
    return {"items": [snapshot.model_dump(mode="json") for snapshot in snapshots]}


@pytest.mark.req("R28", partial=True)
class TestBackfill:
    async def test_missing_and_older_summaries_are_stored_and_newer_ones_kept(
        self, client: httpx.AsyncClient, make_patient: MakePatient, publish_patient: Publish, summary_of: SummaryOf
    ) -> None:
        lost = make_patient(version=3, name="試験 一郎")  # its events never arrived
        behind = make_patient(version=1)
        ahead = make_patient(version=1)
        await publish_patient(behind)
        await publish_patient(ahead.model_copy(update={"version": 5, "name": "試験 五郎"}))
        await wait_for(lambda: summary_of(behind.id), timeout=15)
        await wait_for(lambda: _at(summary_of, ahead.id, 5), timeout=15)
        newer_behind = behind.model_copy(update={"version": 2, "name": "試験 次郎"})
        older_ahead = ahead.model_copy(update={"version": 4, "name": "試験 四郎"})

        answer = await client.post(
            "/admin/backfill/patients", json=page_of(lost, newer_behind, older_ahead), headers=auth_headers("admin1")
        )

        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": 3, "applied": 2, "current": 1}
        assert [(s.version, s.name) for s in [await summary_of(p.id) for p in (lost, behind, ahead)] if s] == [
            (3, "試験 一郎"),
            (2, "試験 次郎"),
            (5, "試験 五郎"),
        ]

    async def test_only_an_administrator_may_backfill(
        self, client: httpx.AsyncClient, make_patient: MakePatient, summary_of: SummaryOf
    ) -> None:
        snapshot = make_patient(version=1)
        refused = await client.post("/admin/backfill/patients", json=page_of(snapshot), headers=auth_headers("nurse1"))
        assert refused.status_code == 403
        assert await summary_of(snapshot.id) is None

    async def test_a_malformed_page_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, make_patient: MakePatient, summary_of: SummaryOf
    ) -> None:
        good = make_patient(version=1)
        body = {"items": [good.model_dump(mode="json"), {"id": str(uuid.uuid4()), "version": "x"}]}
        refused = await client.post("/admin/backfill/patients", json=body, headers=auth_headers("admin1"))
        assert refused.status_code == 422
        assert await summary_of(good.id) is None


async def _at(summary_of: SummaryOf, patient_id: str, version: int) -> PatientSummary | None:
    summary = await summary_of(patient_id)
    return summary if summary is not None and summary.version >= version else None


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N18", partial=True)
class TestReconcile:
    async def test_the_versions_held_come_page_by_page_in_id_order(
        self, client: httpx.AsyncClient, make_patient: MakePatient, publish_patient: Publish, summary_of: SummaryOf
    ) -> None:
        made = [make_patient(version=version) for version in (1, 2, 3)]
        for patient in made:
            await publish_patient(patient)
        for patient in made:
            await wait_for(lambda patient=patient: summary_of(patient.id), timeout=15)
        held, after = [], None
        while True:
            params = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get("/admin/backfill/patients", params=params, headers=auth_headers("admin1"))
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert len(page["items"]) <= 2
            held += [(item["id"], item["version"]) for item in page["items"]]
            if not (after := page["next_after"]):
                break
        assert [key for key, _ in held] == sorted(key for key, _ in held), "in id order (uuid order is text order)"
        assert {(patient.id, patient.version) for patient in made} <= set(held)
        refused = await client.get("/admin/backfill/patients", headers=auth_headers("nurse1"))
        assert refused.status_code == 403

    async def test_a_reconciliation_repair_is_kept_in_the_operations_log_without_a_person(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        lost = make_patient(version=2, name="試験 修復")
        run = uuid.uuid4()
        body = page_of(lost) | {"reconciliation": str(run)}
        answer = await client.post("/admin/backfill/patients", json=body, headers=auth_headers("admin1"))
        assert answer.json()["applied"] == 1
        again = await client.post("/admin/backfill/patients", json=body, headers=auth_headers("admin1"))
        assert again.json()["applied"] == 0, "nothing stored the second time: nothing logged"
        plain_page = page_of(make_patient(version=1))
        plain = await client.post("/admin/backfill/patients", json=plain_page, headers=auth_headers("admin1"))
        assert plain.json()["applied"] == 1
        rows = await _operations_entries(client)
        entries = [OperationsLogged.model_validate(row.payload["payload"]) for row in rows]
        mine = [entry for entry in entries if entry.details.get("run") == str(run)]
        assert [(e.kind, e.component, e.details["repaired"]) for e in mine] == [
            (OperationsKind.RECONCILIATION_REPAIR, "reports", "1")
        ]
        assert all("試験" not in str(row.payload) for row in rows), "ids and counts only, never a name"
        assert not [e for e in entries if e.kind == OperationsKind.RECONCILIATION_REPAIR and "run" not in e.details]


async def _operations_entries(client: httpx.AsyncClient) -> list[OutboxMessage]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        statement = select(OutboxMessage).where(OutboxMessage.subject == operations_log.subject("reports"))
        return list(await session.scalars(statement))
