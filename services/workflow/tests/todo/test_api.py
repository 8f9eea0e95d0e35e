"""The to-do list: mine, my team's, by due date, counts per team, actions, and who sees what (R11, R17)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish
from tbms_testing.keycloak_users import AccessUser, log_in_all

Claimed = Callable[..., Awaitable[bool]]


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every to-do of the list the user asks for."""
    response = await client.get("/todos", params={"limit": 500, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def of(items: list[dict[str, Any]], patient_id: uuid.UUID) -> list[dict[str, Any]]:
    return [item for item in items if item["record_id"] == str(patient_id)]


class TestAccess:
    """A user sees only to-dos of areas they may read, within their district unless they are a chief."""

    @pytest.mark.req("R11", "R17", partial=True)
    async def test_area_and_district_decide_who_sees_a_to_do(
        self, client: httpx.AsyncClient, deadline: Any, snapshot: Any
    ) -> None:
        setagaya, kitazawa = uuid.uuid4(), uuid.uuid4()
        due = today() + timedelta(days=2)
        await publish(
            snapshot(setagaya, 1, deadline(setagaya, "transfer_card_not_sent", due)),
            snapshot(kitazawa, 1, deadline(kitazawa, "transfer_card_not_sent", due, team="北沢")),
        )
        chief = auth_headers("chief1")

        async def both() -> bool:
            items = await listed(client, chief, scope="all")
            return bool(of(items, setagaya) and of(items, kitazawa))

        await wait_for(both)  # a 係長 sees every team
        nurse = await listed(client, auth_headers("nurse1"), scope="all")
        assert of(nurse, setagaya) and not of(nurse, kitazawa)  # nurse1 is of 世田谷
        assert not of(await listed(client, auth_headers("viewer1"), scope="all"), setagaya)  # viewer1 is of 大田

        contacts_only = AccessUser.of({Area.CONTACTS: Access.UPDATE})
        token = (await asyncio.to_thread(log_in_all, [contacts_only]))[contacts_only]
        assert not of(await listed(client, {"Authorization": f"Bearer {token}"}, scope="all"), setagaya)

        todo = of(nurse, setagaya)[0]
        refused = await client.post(
            f"/todos/{todo['id']}/done", json={"version": todo["version"]}, headers=auth_headers("viewer1")
        )
        assert refused.status_code == 404  # another district's to-do does not exist for viewer1
        refused = await client.post(
            f"/todos/{todo['id']}/done", json={"version": todo["version"]}, headers=auth_headers("clerk1")
        )
        assert refused.status_code == 403  # 患者管理 参照 only


class TestLists:
    """Mine, my team's, overdue / today / this week, and the counts per team."""

    @pytest.mark.req("R17", partial=True)
    async def test_mine_team_and_due_buckets(self, client: httpx.AsyncClient, deadline: Any, snapshot: Any) -> None:
        patient_id = uuid.uuid4()
        day = today()
        await publish(
            snapshot(
                patient_id,
                1,
                deadline(patient_id, "overdue_rule", day - timedelta(days=1), nurse="nurse1"),
                deadline(patient_id, "today_rule", day, nurse="試験 花子"),
                deadline(patient_id, "week_rule", day + timedelta(days=6)),
                deadline(patient_id, "later_rule", day + timedelta(days=30)),
            )
        )
        nurse = auth_headers("nurse1")
        await wait_for(lambda: _count(client, nurse, patient_id, 4, scope="team"))

        def kinds(items: list[dict[str, Any]]) -> set[str]:
            return {item["kind"] for item in of(items, patient_id)}

        assert kinds(await listed(client, nurse, scope="mine")) == {"overdue_rule", "today_rule"}
        assert kinds(await listed(client, nurse, scope="team", due="overdue")) == {"overdue_rule"}
        assert kinds(await listed(client, nurse, scope="team", due="today")) == {"today_rule"}
        assert kinds(await listed(client, nurse, scope="team", due="week")) == {"today_rule", "week_rule"}

        counts = (await client.get("/todos/counts", headers=auth_headers("chief1"))).json()
        setagaya = next(row for row in counts if row["team"] == "世田谷")
        assert setagaya["overdue"] >= 1 and setagaya["today"] >= 1 and setagaya["open"] >= 4

        mine = (await client.get("/todos/counts/mine", headers=nurse)).json()
        for due in ("overdue", "today", "week", "all"):
            listed_total = (await client.get("/todos", params={"scope": "mine", "due": due}, headers=nurse)).json()
            assert mine["open" if due == "all" else due] == listed_total["total"], due
        assert mine["overdue"] >= 1 and mine["today"] >= 1

    @pytest.mark.req("R17", partial=True)
    async def test_snooze_reassign_and_dismiss(self, client: httpx.AsyncClient, deadline: Any, snapshot: Any) -> None:
        patient_id = uuid.uuid4()
        day = today()
        await publish(
            snapshot(
                patient_id,
                1,
                deadline(patient_id, "snoozed_rule", day, nurse="nurse1"),
                deadline(patient_id, "reassigned_rule", day, nurse="nurse1"),
                deadline(patient_id, "dismissed_rule", day, nurse="nurse1"),
            )
        )
        nurse = auth_headers("nurse1")
        await wait_for(lambda: _count(client, nurse, patient_id, 3, scope="mine"))
        todos = {t["kind"]: t for t in of(await listed(client, nurse, scope="mine"), patient_id)}

        async def post(kind: str, verb: str, **body: Any) -> httpx.Response:
            todo = todos[kind]
            return await client.post(
                f"/todos/{todo['id']}/{verb}", json={"version": todo["version"], **body}, headers=nurse
            )

        until = (day + timedelta(days=3)).isoformat()
        assert (await post("snoozed_rule", "snooze", until=until)).status_code == 200
        assert (await post("reassigned_rule", "reassign", user_id="someone-else", name="見本 桜")).status_code == 200
        assert (await post("dismissed_rule", "dismiss", reason="")).status_code == 422  # a reason is required
        assert (await post("dismissed_rule", "dismiss", reason="転出済みのため対応不要")).status_code == 200
        assert (await post("dismissed_rule", "done")).status_code == 409  # an old version
        assert of(await listed(client, nurse, scope="mine"), patient_id) == []
        team = of(await listed(client, nurse, scope="team"), patient_id)
        assert [t["assignee_name"] for t in team] == ["見本 桜"]

    @pytest.mark.req("R17", partial=True)
    async def test_a_to_do_reassigned_by_login_name_moves_to_that_users_list(
        self, client: httpx.AsyncClient, deadline: Any, snapshot: Any
    ) -> None:
        patient_id = uuid.uuid4()
        await publish(snapshot(patient_id, 1, deadline(patient_id, "handed_over_rule", today(), nurse="nurse1")))
        nurse, chief = auth_headers("nurse1"), auth_headers("chief1")
        await wait_for(lambda: _count(client, nurse, patient_id, 1, scope="mine"))
        (todo,) = of(await listed(client, nurse, scope="mine"), patient_id)
        shown = await client.get(f"/todos/{todo['id']}", headers=nurse)
        assert shown.status_code == 200 and shown.json()["what"] == todo["what"]
        assert (await client.get(f"/todos/{uuid.uuid4()}", headers=nurse)).status_code == 404
        assert of(await listed(client, chief, scope="mine"), patient_id) == []
        body = {"version": todo["version"], "user_id": "chief1", "name": "検証 一郎"}
        moved = await client.post(f"/todos/{todo['id']}/reassign", json=body, headers=nurse)
        assert moved.status_code == 200, moved.text
        assert of(await listed(client, nurse, scope="mine"), patient_id) == []
        assert [t["assignee_name"] for t in of(await listed(client, chief, scope="mine"), patient_id)] == ["検証 一郎"]
        again = await client.post(f"/todos/{todo['id']}/reassign", json=body, headers=nurse)
        assert again.status_code == 409  # the version seen is old


async def _count(
    client: httpx.AsyncClient, headers: dict[str, str], patient_id: uuid.UUID, n: int, **params: Any
) -> bool:
    return len(of(await listed(client, headers, **params), patient_id)) == n
