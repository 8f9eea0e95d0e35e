"""The contact's deadlines (screening due after the last contact, overdue, result missing) are published in the
form the patients service uses, on any save and by the daily sweep, for the index patient's nurse (R17)."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from contacts.index_case.repository import IndexCaseRepository
from sqlalchemy import text
from tbms_contracts.deadlines import CONTACT_DEADLINES, DeadlinesChanged
from tbms_core import clock
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


async def index_case(client: httpx.AsyncClient, nurse_name: str = "nurse1") -> uuid.UUID:
    """A synthetic index patient of 北沢 with its nurse, as the patients service's event stores it."""
    patient_id = uuid.uuid4()
    fields = {
        "version": 1,
        "registration_no": f"9{patient_id.int % 10**8:08d}",
        "name": "試験 発端",
        "name_kana": "シケン ホッタン",
        "birth_date": date(1970, 3, 1),
        "district": "北沢",
        "nurse": nurse_name,
        "status": "active",
    }
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        await IndexCaseRepository(session).apply(patient_id, fields)
    return patient_id


async def contact_of(client: httpx.AsyncClient, index_id: uuid.UUID, days_since_last: int) -> dict[str, Any]:
    """An adult workplace contact of a low-infectiousness index (no baseline test), last met that many days ago."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "workplace",
        "hours": 2,
        "last_contact_on": (today() - timedelta(days=days_since_last)).isoformat(),
        "infectiousness": "low",
    }
    body = {"name": "試験 三郎", "name_kana": "シケン サブロウ", "birth_date": "1985-06-01", "exposures": [exposure]}
    response = await client.post("/contacts", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


async def changes(client: httpx.AsyncClient, contact_id: str) -> list[DeadlinesChanged]:
    """The contact's DeadlinesChanged events, oldest first, once the relay has published them to JetStream."""

    async def published() -> list[dict[str, Any]] | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = (
                await session.execute(
                    text(
                        "SELECT payload, published_at FROM outbox WHERE subject = :s "
                        "AND payload->>'aggregate_id' = :id ORDER BY created_at"
                    ),
                    {"s": CONTACT_DEADLINES, "id": contact_id},
                )
            ).all()
        return [row.payload for row in rows] if rows and all(row.published_at for row in rows) else None

    payloads = await wait_for(published)
    return [DeadlinesChanged.model_validate(p["payload"]) for p in payloads]  # type: ignore[union-attr]


class TestScreeningDeadlines:
    """The plan's open items and the results missing travel as deadlines; a result entered closes them."""

    @pytest.mark.req("R17", partial=True)
    async def test_the_igra_due_after_the_last_contact_then_its_missing_result_then_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        contact = await contact_of(client, await index_case(client), days_since_last=10)
        [registered] = await changes(client, contact["id"])
        igra = next(d for d in registered.deadlines if d.kind == "screening_igra")
        assert igra.due_on == today() - timedelta(days=10) + timedelta(weeks=8)  # the setting's 8 weeks
        assert "8週後" in igra.rule and igra.nurse == "nurse1" and igra.team == "北沢"
        assert igra.record.service == "contacts" and igra.record.aggregate == "contact"
        assert igra.record.id == contact["id"] and igra.record.label == "試験 三郎" and igra.severity == "warning"

        later = await contact_of(client, await index_case(client), days_since_last=60)  # the window has passed
        url = f"/contacts/{later['id']}/exams"
        exam = await client.post(url, json={"kind": "igra_qft", "done_on": today().isoformat()}, headers=nurse())
        assert exam.status_code == 201, exam.text
        done = (await changes(client, later["id"]))[-1]
        assert "screening_igra" not in {d.kind for d in done.deadlines}
        [missing] = [d for d in done.deadlines if d.kind == "screening_result_missing"]
        assert missing.due_on == today() + timedelta(days=14) and "結果を入力" in missing.what

        body = {"version": exam.json()["version"], "changes": {"result": "negative"}}
        entered = await client.patch(f"{url}/{exam.json()['id']}", json=body, headers=nurse())
        assert entered.status_code == 200, entered.text
        last = (await changes(client, later["id"]))[-1]
        assert {d.kind for d in last.deadlines} == {"screening_xray"} and last.revision > done.revision

    @pytest.mark.req("R17", partial=True)
    async def test_the_sweep_after_the_due_day_publishes_the_item_as_overdue(self, client: httpx.AsyncClient) -> None:
        contact = await contact_of(client, await index_case(client), days_since_last=56)  # due today
        saved = await changes(client, contact["id"])
        igra = next(d for d in saved[-1].deadlines if d.kind == "screening_igra")
        assert igra.due_on == today() and igra.severity == "warning"

        day = today()
        clock.set_clock(clock.jst(day.year, day.month, day.day) + timedelta(days=1, minutes=1))
        try:
            swept = await client.post("/deadlines/sweep", headers=nurse())
            assert swept.status_code == 200, swept.text
            after = await changes(client, contact["id"])
            late = next(d for d in after[-1].deadlines if d.kind == "screening_igra")
            assert len(after) == len(saved) + 1 and late.severity == "danger" and "過ぎています" in late.what
            assert late.key == igra.key  # the same deadline: its to-do is kept, not a second one
        finally:
            clock.set_clock(None)

    @pytest.mark.req("R17", partial=True)
    async def test_a_new_nurse_of_the_index_patient_moves_the_contacts_deadlines(
        self, client: httpx.AsyncClient
    ) -> None:
        index_id = await index_case(client)
        contact = await contact_of(client, index_id, days_since_last=10)
        before = await changes(client, contact["id"])
        await publish(patient_event(index_id, 2, "試験 発端", district="北沢", nurse="nurse2"))

        async def moved() -> bool:
            found = await changes(client, contact["id"])
            return len(found) > len(before) and all(d.nurse == "nurse2" for d in found[-1].deadlines)

        assert await wait_for(moved)
