"""To-dos follow the deadlines the records publish: one per deadline, moved and closed by newer revisions only."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tbms_contracts.deadlines import Deadline, DeadlineRecord
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

Claimed = Callable[..., Awaitable[bool]]


async def todos_of(client: httpx.AsyncClient, patient_id: uuid.UUID, user: str = "chief1") -> list[dict[str, Any]]:
    """The open to-dos of one record that the user sees in the list of every to-do they may read."""
    response = await client.get("/todos", params={"scope": "all", "limit": 500}, headers=auth_headers(user))
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["record_id"] == str(patient_id)]


class TestTodosFromSnapshots:
    """Deadline revisions in any order and twice give exactly one to-do per open deadline."""

    @pytest.mark.req("R11", "R17", partial=True)
    async def test_created_moved_and_closed_by_snapshots_out_of_order_and_twice(
        self, client: httpx.AsyncClient, claimed: Claimed, deadline: Any, snapshot: Any
    ) -> None:
        patient_id = uuid.uuid4()
        first_due, moved_due = today() + timedelta(days=3), today() + timedelta(days=10)
        v1 = snapshot(patient_id, 1, deadline(patient_id, "public_expense_expiring", first_due))
        v2 = snapshot(patient_id, 2, deadline(patient_id, "public_expense_expiring", moved_due))
        v3 = snapshot(patient_id, 3)  # the renewal was recorded: no deadline any more
        await publish(v2, v2)  # the newer one first, and twice (the second is a duplicate message)

        async def moved() -> list[dict[str, Any]]:
            found = await todos_of(client, patient_id)
            return found if found and found[0]["due_on"] == moved_due.isoformat() else []

        assert len(await wait_for(moved)) == 1
        await publish(v1)  # older, arriving late: ignored
        await wait_for(lambda: claimed(v1.event_id))
        found = await todos_of(client, patient_id)
        assert [t["due_on"] for t in found] == [moved_due.isoformat()]

        redelivered = snapshot(patient_id, 2, deadline(patient_id, "public_expense_expiring", first_due))
        await publish(v3, redelivered)  # the same version again under a new event id: ignored too
        await wait_for(lambda: claimed(redelivered.event_id))

        async def closed() -> bool:
            return not await todos_of(client, patient_id)

        assert await wait_for(closed)

    @pytest.mark.req("R17", partial=True)
    async def test_done_stays_done_until_the_due_date_moves(
        self, client: httpx.AsyncClient, claimed: Claimed, deadline: Any, snapshot: Any
    ) -> None:
        patient_id = uuid.uuid4()
        due = today() - timedelta(days=1)
        await publish(snapshot(patient_id, 1, deadline(patient_id, "sputum_test_overdue", due)))
        todo = (await wait_for(lambda: todos_of(client, patient_id)))[0]
        assert todo["status"] == "open"
        done = await client.post(
            f"/todos/{todo['id']}/done", json={"version": todo["version"]}, headers=auth_headers("nurse1")
        )
        assert done.status_code == 200, done.text

        same = snapshot(patient_id, 2, deadline(patient_id, "sputum_test_overdue", due))
        await publish(same)
        await wait_for(lambda: claimed(same.event_id))
        assert await todos_of(client, patient_id) == []  # still done: the deadline did not move

        later = due + timedelta(days=60)
        await publish(snapshot(patient_id, 3, deadline(patient_id, "sputum_test_overdue", later)))
        reopened = await wait_for(lambda: todos_of(client, patient_id))
        assert reopened[0]["id"] == todo["id"] and reopened[0]["due_on"] == later.isoformat()


class TestContactDeadlines:
    """The contacts service's deadlines become to-dos of the contact, in the same form as the patients'."""

    @pytest.mark.req("R17", partial=True)
    async def test_a_screening_deadline_is_a_to_do_of_the_contact_until_its_result_closes_it(
        self, client: httpx.AsyncClient, claimed: Claimed, snapshot: Any
    ) -> None:
        contact_id = uuid.uuid4()
        due = today() + timedelta(days=20)
        screening = Deadline(
            key=f"contacts:contact:{contact_id}:screening_igra:after_window",
            kind="screening_igra",
            rule="最終接触日から8週後にIGRAを行う（接触者健診の手引き）",
            what="IGRA（最終接触から8週後）を実施する",
            due_on=due,
            nurse="nurse1",
            team="世田谷",
            record=DeadlineRecord(service="contacts", aggregate="contact", id=str(contact_id), label="試験 接触"),
        )
        await publish(snapshot(contact_id, 2, screening, service="contacts", aggregate="contact"))
        [todo] = await wait_for(lambda: todos_of(client, contact_id))
        assert todo["service"] == "contacts" and todo["aggregate"] == "contact" and todo["due_on"] == due.isoformat()
        assert [t["id"] for t in await todos_of(client, contact_id, user="nurse1")] == [todo["id"]]  # hers

        older = snapshot(contact_id, 1, service="contacts", aggregate="contact")  # arrives late: ignored
        await publish(older)
        await wait_for(lambda: claimed(older.event_id))
        assert [t["id"] for t in await todos_of(client, contact_id)] == [todo["id"]]

        await publish(snapshot(contact_id, 3, service="contacts", aggregate="contact"))  # the result was entered

        async def closed() -> bool:
            return not await todos_of(client, contact_id)

        assert await wait_for(closed)
