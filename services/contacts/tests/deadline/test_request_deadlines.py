"""A request's reply-by date to another health centre is published as a deadline in the form every domain uses
(tbms_contracts.deadlines), so workflow makes it a to-do (R17): none while drafted, due on the reply-by date for
the index patient's nurse and district once sent, `danger` after the date by the daily sweep, gone once answered."""

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


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (接触者管理 更新)."""
    return auth_headers("nurse1")


async def index_case(client: httpx.AsyncClient) -> uuid.UUID:
    """A synthetic index patient of 北沢 with nurse1 as its nurse, as the patients service's event stores it."""
    patient_id = uuid.uuid4()
    fields = {"version": 1, "registration_no": f"9{patient_id.int % 10**8:08d}", "name": "試験 依頼元",
              "name_kana": "シケン イライモト", "birth_date": date(1970, 3, 1), "district": "北沢",
              "nurse": "nurse1", "status": "active"}  # fmt: skip
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        await IndexCaseRepository(session).apply(patient_id, fields)
    return patient_id


async def sent_request(client: httpx.AsyncClient, index_id: uuid.UUID, reply_in_days: int) -> dict[str, Any]:
    """A household contact living elsewhere, a request about them to 試験市保健所, drafted then sent on paper."""
    exposure = {"index_patient_id": str(index_id), "setting": "family", "hours": 20,
                "last_contact_on": (today() - timedelta(days=20)).isoformat(), "infectiousness": "high"}  # fmt: skip
    person = {"name": "試験 遠方", "name_kana": "シケン エンポウ", "birth_date": "1980-04-01",
              "residence": "elsewhere", "municipality": "試験市", "exposures": [exposure]}  # fmt: skip
    contact = (await client.post("/contacts", json=person, headers=nurse())).json()
    body = {"counterpart_code": "999999", "counterpart_name": "試験市保健所", "reference": "試保第7号",
            "reply_by": (today() + timedelta(days=reply_in_days)).isoformat(), "index_patient_id": str(index_id),
            "index": {"infectiousness": "high"}, "items": [{"contact_id": contact["id"]}]}  # fmt: skip
    drafted = await client.post("/requests", json=body, headers=nurse())
    assert drafted.status_code == 201, drafted.text
    assert all(c.deadlines == [] for c in await changes(client, drafted.json()["id"]))  # a draft awaits nothing
    sending = {"version": drafted.json()["version"], "method": "paper_mail", "sent_on": today().isoformat(),
               "documents": "依頼書"}  # fmt: skip
    sent = await client.post(f"/requests/{drafted.json()['id']}/send", json=sending, headers=nurse())
    assert sent.status_code == 200, sent.text
    return sent.json()


async def changes(client: httpx.AsyncClient, request_id: str) -> list[DeadlinesChanged]:
    """The request's DeadlinesChanged events, oldest first, once the relay has published them."""

    async def published() -> list[dict[str, Any]] | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = (
                await session.execute(
                    text(
                        "SELECT payload, published_at FROM outbox WHERE subject = :s "
                        "AND payload->>'aggregate_id' = :id ORDER BY created_at"
                    ),
                    {"s": CONTACT_DEADLINES, "id": request_id},
                )
            ).all()
        return [row.payload for row in rows] if rows and all(row.published_at for row in rows) else None

    payloads = await wait_for(published)
    return [DeadlinesChanged.model_validate(p["payload"]) for p in payloads]  # type: ignore[union-attr]


class TestRequestReplyBy:
    @pytest.mark.req("R17", partial=True)
    async def test_a_sent_request_awaits_its_reply_by_date_until_answered(self, client: httpx.AsyncClient) -> None:
        request = await sent_request(client, await index_case(client), reply_in_days=30)
        sent = (await changes(client, request["id"]))[-1]
        [deadline] = sent.deadlines
        assert deadline.kind == "request_reply" and deadline.due_on == today() + timedelta(days=30)
        assert (deadline.nurse, deadline.team, deadline.severity) == ("nurse1", "北沢", "warning")
        assert deadline.record.aggregate == "request" and deadline.record.id == request["id"]
        assert deadline.record.label == "他自治体への依頼 試験市保健所"
        assert "試験市保健所からの回答を確認する" in deadline.what and "試保第7号" in deadline.rule

        reply = {"version": request["version"], "replied_on": today().isoformat(), "document": "回答書"}
        answered = await client.post(f"/requests/{request['id']}/reply", json=reply, headers=nurse())
        assert answered.status_code == 200, answered.text
        last = (await changes(client, request["id"]))[-1]
        assert last.deadlines == [] and last.revision > sent.revision

    @pytest.mark.req("R17", partial=True)
    async def test_the_sweep_after_the_reply_by_date_publishes_it_overdue(self, client: httpx.AsyncClient) -> None:
        request = await sent_request(client, await index_case(client), reply_in_days=0)
        assert (await changes(client, request["id"]))[-1].deadlines[0].severity == "warning"
        day = today()
        clock.set_clock(clock.jst(day.year, day.month, day.day) + timedelta(days=1, minutes=1))
        try:
            swept = await client.post("/deadlines/sweep", headers=nurse())
            assert swept.status_code == 200, swept.text
            published = await changes(client, request["id"])
            [late] = published[-1].deadlines
            assert late.severity == "danger" and "（期限を過ぎています）" in late.what and late.due_on == day
            again = await client.post("/deadlines/sweep", headers=nurse())
            assert again.status_code == 200
            assert len(await changes(client, request["id"])) == len(published)  # the same day: nothing new
        finally:
            clock.set_clock(None)

    @pytest.mark.req("R17", partial=True)
    async def test_a_request_received_owes_its_answer_by_the_reply_by_date(self, client: httpx.AsyncClient) -> None:
        person = {"name": "試験 来訪", "birth_date": "1990-01-01", "setting": "workplace", "hours": 40,
                  "last_contact_on": (today() - timedelta(days=20)).isoformat()}  # fmt: skip
        body = {"counterpart_name": "試験区保健所", "reference": "試区保第8号", "requested_on": today().isoformat(),
                "reply_by": (today() + timedelta(days=20)).isoformat(), "index_label": "患者B",
                "index": {"infectiousness": "high"}, "people": [person]}  # fmt: skip
        received = await client.post("/requests/incoming", json=body, headers=nurse())
        assert received.status_code == 201, received.text
        [owed] = (await changes(client, received.json()["id"]))[-1].deadlines
        assert owed.kind == "request_answer" and owed.due_on == today() + timedelta(days=20)
        assert "試験区保健所へ接触者健診の結果を回答する" in owed.what and "試区保第8号" in owed.rule
        assert owed.record.label == "他自治体からの依頼 試験区保健所" and owed.team == ""  # an external index: any team
