"""The patient's deadlines are republished by any save of anything of theirs, and by the daily sweep (R11)."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.deadlines import PATIENT_DEADLINES, DeadlinesChanged
from tbms_core import clock
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for

PULMONARY = {"disease": {"form": "pulmonary"}, "nurse": "nurse1"}


async def changes(client: httpx.AsyncClient, patient_id: str) -> list[DeadlinesChanged]:
    """The patient's DeadlinesChanged events, oldest first, once the relay has published them to JetStream."""

    async def published() -> list[dict[str, Any]] | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = (
                await session.execute(
                    text(
                        "SELECT payload, published_at FROM outbox WHERE subject = :s "
                        "AND payload->>'aggregate_id' = :id ORDER BY created_at"
                    ),
                    {"s": PATIENT_DEADLINES, "id": patient_id},
                )
            ).all()
        return [row.payload for row in rows] if all(row.published_at for row in rows) else None

    payloads = await wait_for(published)
    return [DeadlinesChanged.model_validate(p["payload"]) for p in payloads]  # type: ignore[union-attr]


def kinds(change: DeadlinesChanged) -> set[str]:
    """The rules of a change's open deadlines."""
    return {d.kind for d in change.deadlines}


async def start_treatment(client: httpx.AsyncClient, patient_id: str, **data: str) -> dict[str, Any]:
    """Records a running treatment course."""
    body = {"regimen": "2HREZ/4HR", "institution": "試験病院", **data}
    response = await client.post(f"/patients/{patient_id}/treatments", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


class TestRepublishedOnAnySave:
    """A save of a result or a care record alone republishes the patient's deadlines in its own transaction."""

    @pytest.mark.req("R11", partial=True)
    async def test_a_sputum_result_saved_alone_closes_the_overdue_sputum_deadline(
        self, client: httpx.AsyncClient, make_patient: Any
    ) -> None:
        patient = await make_patient(**PULMONARY)
        await start_treatment(client, patient["id"], started_on=(today() - timedelta(days=90)).isoformat())
        overdue = (await changes(client, patient["id"]))[-1]
        assert "sputum_test_overdue" in kinds(overdue)  # the treatment record alone published it
        [deadline] = [d for d in overdue.deadlines if d.kind == "sputum_test_overdue"]
        assert deadline.record.service == "patients" and deadline.nurse == "nurse1" and deadline.team == "世田谷"

        smear = {"kind": "smear", "specimen": "喀痰", "collected_on": (today() - timedelta(days=2)).isoformat()}
        response = await client.post(
            f"/patients/{patient['id']}/lab-results",
            json={**smear, "details": {"grade": "-"}},
            headers=auth_headers("nurse1"),
        )
        assert response.status_code == 201, response.text

        after = await changes(client, patient["id"])
        assert "sputum_test_overdue" not in kinds(after[-1])
        assert after[-1].revision > overdue.revision and after[-1].record.id == patient["id"]

    @pytest.mark.req("R11", partial=True)
    async def test_a_save_that_changes_no_deadline_publishes_nothing(
        self, client: httpx.AsyncClient, make_patient: Any
    ) -> None:
        patient = await make_patient(**PULMONARY)
        before = await changes(client, patient["id"])
        note = {"noted_on": today().isoformat(), "kind": "phone", "text": "電話で体調を確認した。"}
        response = await client.post(f"/patients/{patient['id']}/notes", json=note, headers=auth_headers("nurse1"))
        assert response.status_code == 201, response.text
        assert await changes(client, patient["id"]) == before  # recomputed, the same: not published again

    @pytest.mark.req("R11", partial=True)
    async def test_a_refused_save_publishes_nothing(self, client: httpx.AsyncClient, make_patient: Any) -> None:
        patient = await make_patient(**PULMONARY)
        before = await changes(client, patient["id"])
        bad = {"regimen": "2HREZ/4HR", "started_on": "2026-13-40"}
        response = await client.post(f"/patients/{patient['id']}/treatments", json=bad, headers=auth_headers("nurse1"))
        assert response.status_code == 422
        assert await changes(client, patient["id"]) == before


class TestDailySweep:
    """A rule that becomes due with the passing of a day reaches the deadlines with no save at all."""

    @pytest.mark.req("R11", partial=True)
    async def test_the_sweep_after_the_day_turns_publishes_a_course_past_its_planned_end(
        self, client: httpx.AsyncClient, make_patient: Any
    ) -> None:
        patient = await make_patient(**PULMONARY)
        end = today()
        await start_treatment(
            client, patient["id"], started_on=(end - timedelta(days=20)).isoformat(), planned_end_on=end.isoformat()
        )
        saved = await changes(client, patient["id"])
        assert "treatment_overdue" not in kinds(saved[-1])  # due today: not yet past

        same_day = await client.post("/deadlines/sweep", headers=auth_headers("nurse1"))
        assert same_day.status_code == 200, same_day.text
        assert await changes(client, patient["id"]) == saved  # computed today already: nothing to publish
        again = await client.post("/deadlines/sweep", params={"all": "true"}, headers=auth_headers("nurse1"))
        assert again.status_code == 200 and again.json()["checked"] >= 1  # every patient recomputed …
        assert await changes(client, patient["id"]) == saved  # … and still nothing changed to publish

        clock.set_clock(clock.jst(end.year, end.month, end.day, 23, 59) + timedelta(minutes=2))  # 00:01 next day
        try:
            swept = await client.post("/deadlines/sweep", headers=auth_headers("nurse1"))
            assert swept.status_code == 200, swept.text
            assert swept.json()["checked"] >= 1 and swept.json()["republished"] >= 1
            after = await changes(client, patient["id"])
            assert "treatment_overdue" in kinds(after[-1]) and len(after) == len(saved) + 1
            again = await client.post("/deadlines/sweep", headers=auth_headers("nurse1"))
            assert again.json() == {"checked": 0, "republished": 0}  # the day is done: idempotent
        finally:
            clock.set_clock(None)

    @pytest.mark.req("R11", partial=True)
    async def test_a_reader_cannot_run_the_sweep(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/deadlines/sweep", headers=auth_headers("viewer1"))
        assert response.status_code == 403
