"""`POST /admin/backfill/patients`: the patient read model rebuilt from the patients service's current snapshots
(`tbms replay reports`), never over a newer version an event brought (R28)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from reports.patient_summary.models import PatientSummary
from tbms_contracts.patients import PatientSnapshot
from tbms_core.events import Envelope
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
