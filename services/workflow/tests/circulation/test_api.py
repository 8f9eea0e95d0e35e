"""回議 on a route (approve, send back, re-submit, 代決, withdraw), 供覧 with read receipts, stamps (R10, R16)."""

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish


def user_id(username: str) -> str:
    """The Keycloak user id (`sub`) of a demo user, read from their access token."""
    token = auth_headers(username)["Authorization"].split()[1]
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


async def submit(client: httpx.AsyncClient, user: str = "nurse1", **fields: Any) -> dict[str, Any]:
    """Puts a synthetic patient record into circulation and returns it."""
    body = {
        "kind": "decision",
        "document_type": "patient",
        "service": "patients",
        "record_kind": "patient",
        "record_id": str(uuid.uuid4()),
        "record_version": 1,
        "title": "患者登録の決裁",
        **fields,
    }
    response = await client.post("/circulations", json=body, headers=auth_headers(user))
    assert response.status_code == 201, response.text
    return response.json()


async def act(
    client: httpx.AsyncClient, circulation: dict[str, Any], verb: str, user: str, **body: Any
) -> httpx.Response:
    """Posts an action on the circulation as the user saw it (its version)."""
    return await client.post(
        f"/circulations/{circulation['id']}/{verb}",
        json={"version": circulation["version"], **body},
        headers=auth_headers(user),
    )


async def done(client: httpx.AsyncClient, circulation: dict[str, Any], verb: str, user: str, **body: Any) -> dict:
    """An action that must succeed; the circulation after it."""
    response = await act(client, circulation, verb, user, **body)
    assert response.status_code == 200, response.text
    return response.json()


async def stamps_of(client: httpx.AsyncClient, circulation: dict[str, Any], user: str = "nurse1") -> dict[str, Any]:
    """The stamp boxes a form of the circulation's record prints."""
    path = f"/stamps/{circulation['service']}/{circulation['record_kind']}/{circulation['record_id']}"
    response = await client.get(path, headers=auth_headers(user))
    assert response.status_code == 200, response.text
    return response.json()


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


class TestDecisionRoute:
    """担当 → 係長 → 課長 → 所長: the default route end to end."""

    @pytest.mark.req("R10", partial=True)
    async def test_send_back_resubmit_approve_and_decide_on_behalf_to_the_end(self, client: httpx.AsyncClient) -> None:
        circulation = await submit(client)
        assert circulation["status"] == "in_progress" and circulation["current_role"] == "係長"
        assert circulation["steps"][0]["decided_by_name"] == "試験 花子"  # the drafter's 担当 box
        waiting = (await client.get("/circulations/inbox", headers=auth_headers("chief1"))).json()["waiting"]
        assert circulation["id"] in ids(waiting)
        assert (await act(client, circulation, "approve", "nurse1")).status_code == 403  # not a 係長

        circulation = await done(client, circulation, "send-back", "chief1", comment="接触者の記載を確認してください。")
        assert circulation["status"] == "sent_back" and circulation["comment"].startswith("接触者")
        inbox = (await client.get("/circulations/inbox", headers=auth_headers("nurse1"))).json()
        assert circulation["id"] in ids(inbox["sent_back"]) and inbox["badge"] >= 1
        assert (await act(client, circulation, "approve", "chief1")).status_code == 422  # nothing to decide now

        circulation = await done(client, circulation, "resubmit", "nurse1", record_version=2)
        assert circulation["status"] == "in_progress" and circulation["record_version"] == 2
        circulation = await done(client, circulation, "approve", "chief1")
        assert circulation["current_role"] == "課長"
        assert (await act(client, circulation, "approve", "chief1")).status_code == 403  # a 係長 is no 課長
        circulation = await done(client, circulation, "on-behalf", "chief1", comment="課長不在のため代決")
        circulation = await done(client, circulation, "on-behalf", "chief1")
        assert circulation["status"] == "approved" and circulation["approved_at"]
        actions = [a["action"] for a in circulation["actions"]]
        assert actions == ["submitted", "sent_back", "resubmitted", "approved", "on_behalf", "on_behalf"]

    @pytest.mark.req("R10", partial=True)
    async def test_stamps_print_undecided_until_approved_then_names_and_dates(self, client: httpx.AsyncClient) -> None:
        circulation = await submit(client)
        draft = await stamps_of(client, circulation)
        assert not draft["approved"] and {box["text"] for box in draft["boxes"]} == {"未決裁"}
        assert [box["role"] for box in draft["boxes"]] == ["所長", "課長", "係長", "担当"]

        for verb in ("approve", "on-behalf", "on-behalf"):
            circulation = await done(client, circulation, verb, "chief1")
        stamped = await stamps_of(client, circulation)
        boxes = {box["role"]: box for box in stamped["boxes"]}
        assert stamped["approved"]
        assert boxes["担当"]["text"] == "試験 花子" and boxes["係長"]["text"] == "検証 一郎"
        assert boxes["所長"]["text"] == "代決 検証 一郎" and boxes["所長"]["on_behalf"]
        assert all(box["decided_at"] for box in boxes.values())

        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            payloads = (
                await session.scalars(
                    text("SELECT payload FROM outbox WHERE subject = 'tbms.workflow.circulation.changed.v1'")
                )
            ).all()
        events = [p["payload"] for p in payloads if p["payload"]["circulation_id"] == circulation["id"]]
        approved = [e for e in events if e["approved"]]
        assert approved and approved[-1]["stamps"][0]["text"] == "代決 検証 一郎"

    async def test_the_drafter_withdraws_before_the_end_and_nobody_else_may(self, client: httpx.AsyncClient) -> None:
        circulation = await submit(client)
        assert (await act(client, circulation, "withdraw", "chief1")).status_code == 403
        circulation = await done(client, circulation, "withdraw", "nurse1", comment="記載誤りのため")
        assert circulation["status"] == "withdrawn"
        assert (await act(client, circulation, "approve", "chief1")).status_code == 422
        stamps = await stamps_of(client, circulation)
        assert stamps["circulation_id"] is None and {box["text"] for box in stamps["boxes"]} == {"未決裁"}

    @pytest.mark.req("R10", partial=True)
    async def test_a_user_without_update_in_the_area_cannot_submit(self, client: httpx.AsyncClient) -> None:
        body = {
            "document_type": "patient",
            "service": "patients",
            "record_kind": "patient",
            "record_id": str(uuid.uuid4()),
            "record_version": 1,
            "title": "患者登録の決裁",
        }
        refused = await client.post("/circulations", json=body, headers=auth_headers("clerk1"))
        assert refused.status_code == 403 and "患者管理" in refused.json()["detail"]


class TestChangedSinceApproval:
    """A newer version of the record after approval shows on the circulation and its stamps."""

    @pytest.mark.req("R10", partial=True)
    async def test_a_newer_snapshot_marks_the_approval_changed(self, client: httpx.AsyncClient) -> None:
        patient_id = uuid.uuid4()
        circulation = await submit(client, record_id=str(patient_id), record_version=2)
        for verb in ("approve", "on-behalf", "on-behalf"):
            circulation = await done(client, circulation, verb, "chief1")
        await publish(patient_event(patient_id, 2, "試験 同版"))  # the approved version itself: no change
        await publish(patient_event(patient_id, 3, "試験 変更", changed_fields=["address"]))

        async def changed() -> dict[str, Any] | None:
            stamps = await stamps_of(client, circulation)
            return stamps if stamps["changed_since_approval"] else None

        assert (await wait_for(changed))["approved"]
        detail = (await client.get(f"/circulations/{circulation['id']}", headers=auth_headers("nurse1"))).json()
        assert detail["latest_record_version"] == 3 and detail["record_version"] == 2


class TestRoutes:
    """Administrators set a route per document type; 代決 only where the route allows it."""

    @pytest.mark.req("R10", partial=True)
    async def test_an_administrator_sets_a_route_and_a_circulation_follows_it(self, client: httpx.AsyncClient) -> None:
        steps = [{"role": "担当"}, {"role": "係長"}, {"role": "所長"}]
        route = {"name": "短縮ルート", "steps": steps, "version": 0}
        assert (await client.put("/routes/F99", json=route, headers=auth_headers("nurse1"))).status_code == 403
        saved = await client.put("/routes/F99", json=route, headers=auth_headers("admin1"))
        assert saved.status_code == 200, saved.text
        unknown = {**route, "steps": [{"role": "部長"}], "version": saved.json()["version"]}
        assert (await client.put("/routes/F99", json=unknown, headers=auth_headers("admin1"))).status_code == 422

        circulation = await submit(client, document_type="F99")
        assert [step["role"] for step in circulation["steps"]] == ["担当", "係長", "所長"]
        circulation = await done(client, circulation, "approve", "chief1")
        assert (await act(client, circulation, "on-behalf", "chief1")).status_code == 403  # no 代決 on this route


class TestReadCirculation:
    """供覧: to people and teams, with who read it and when."""

    @pytest.mark.req("R10", partial=True)
    async def test_read_receipts_of_addressed_people_and_of_a_team(self, client: httpx.AsyncClient) -> None:
        clerk = user_id("clerk1")
        circulation = await submit(
            client,
            kind="reading",
            title="研修資料の供覧",
            readers=[{"user_id": clerk, "name": "試験 太郎"}],
            teams=["世田谷"],
        )
        assert circulation["status"] == "reading"
        for user in ("clerk1", "chief1"):  # clerk1 by name, chief1 as one of 世田谷
            inbox = (await client.get("/circulations/inbox", headers=auth_headers(user))).json()
            assert circulation["id"] in ids(inbox["to_read"]), user
        refused = await client.post(f"/circulations/{circulation['id']}/read", headers=auth_headers("admin1"))
        assert refused.status_code == 403  # 目黒, not addressed

        read = await client.post(f"/circulations/{circulation['id']}/read", headers=auth_headers("clerk1"))
        assert read.status_code == 200, read.text
        await client.post(f"/circulations/{circulation['id']}/read", headers=auth_headers("clerk1"))  # twice: one
        detail = (await client.get(f"/circulations/{circulation['id']}", headers=auth_headers("nurse1"))).json()
        receipts = {reader["user_id"]: reader for reader in detail["readers"]}
        assert receipts[clerk]["read_at"] and receipts[clerk]["addressed"]
        assert [a["action"] for a in detail["actions"]].count("read") == 1
        inbox = (await client.get("/circulations/inbox", headers=auth_headers("clerk1"))).json()
        assert circulation["id"] not in ids(inbox["to_read"])

        await client.post(f"/circulations/{circulation['id']}/read", headers=auth_headers("chief1"))
        detail = (await client.get(f"/circulations/{circulation['id']}", headers=auth_headers("nurse1"))).json()
        chief = next(reader for reader in detail["readers"] if not reader["addressed"])
        assert chief["name"] == "検証 一郎" and chief["read_at"]


class TestContactRecords:
    """Contact records go through the same 回議, stamps and change tracking as patient records."""

    @pytest.mark.req("R16", partial=True)
    async def test_a_contact_record_is_approved_stamped_and_seen_changed(self, client: httpx.AsyncClient) -> None:
        contact_id = str(uuid.uuid4())
        circulation = await submit(
            client, service="contacts", record_kind="contact", record_id=contact_id, document_type="contact"
        )
        assert {box["text"] for box in (await stamps_of(client, circulation))["boxes"]} == {"未決裁"}
        for verb in ("approve", "on-behalf", "on-behalf"):
            circulation = await done(client, circulation, verb, "chief1")
        assert (await stamps_of(client, circulation))["approved"]
        updated = Envelope(
            type="tbms.contacts.contact.updated.v1",
            aggregate_id=contact_id,
            aggregate_version=2,
            payload={"changed_fields": ["exposures"]},
        )
        await publish(updated)

        async def changed() -> dict[str, Any] | None:
            stamps = await stamps_of(client, circulation)
            return stamps if stamps["changed_since_approval"] else None

        await wait_for(changed)
        detail = (await client.get(f"/circulations/{circulation['id']}", headers=auth_headers("nurse1"))).json()
        assert detail["changed_fields"] == ["exposures"]
        viewer = await client.get(f"/circulations/{circulation['id']}", headers=auth_headers("viewer1"))
        assert viewer.status_code == 200  # 接触者管理 参照


class TestInboxCount:
    """The counts of the badge every page shows: waiting for me and sent back to me, as the inbox lists them."""

    @pytest.mark.req("R10", partial=True)
    async def test_the_badge_counts_what_waits_for_me_and_what_came_back(self, client: httpx.AsyncClient) -> None:
        async def count(user: str) -> dict[str, int]:
            response = await client.get("/circulations/inbox/count", headers=auth_headers(user))
            assert response.status_code == 200, response.text
            return response.json()

        chief, nurse = await count("chief1"), await count("nurse1")
        circulation = await submit(client)
        assert (await count("chief1"))["waiting"] == chief["waiting"] + 1
        assert (await count("chief1"))["badge"] == chief["badge"] + 1
        await done(client, circulation, "send-back", "chief1", comment="記載を確認してください。")
        after = await count("nurse1")
        assert after["sent_back"] == nurse["sent_back"] + 1 and after["badge"] == nurse["badge"] + 1
        assert (await count("chief1"))["waiting"] == chief["waiting"]
        inbox = (await client.get("/circulations/inbox", headers=auth_headers("nurse1"))).json()
        assert after["sent_back"] == len(inbox["sent_back"]) and after["to_read"] == len(inbox["to_read"])
