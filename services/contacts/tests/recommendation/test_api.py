"""17条 勧告, appointments and reception (受付) through the API: stored, corrected with optimistic concurrency,
cancelled (取消) and kept marked, in the history and the contact's snapshot, refused in Japanese when wrong; a 勧告 in
force is a deadline on its 受診期限 that its exams or its cancellation close."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.contacts import ContactUpdated
from tbms_contracts.deadlines import CONTACT_DEADLINES, DeadlinesChanged
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


async def household_contact(client: httpx.AsyncClient, index_id: uuid.UUID) -> dict[str, Any]:
    """A synthetic household contact."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "household",
        "last_contact_on": (today() - timedelta(days=20)).isoformat(),
        "infectiousness": "high",
    }
    body = {"name": "試験 花子", "name_kana": "シケン ハナコ", "birth_date": "1990-04-01", "exposures": [exposure]}
    response = await client.post("/contacts", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


async def last_snapshot(client: httpx.AsyncClient, contact_id: str) -> dict[str, Any]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id AND subject = :s "
                "ORDER BY created_at DESC, id DESC LIMIT 1"
            ),
            {"id": contact_id, "s": ContactUpdated.TYPE},
        )
        return next(iter(rows))["payload"]["contact"]


def recommendation(**changes: Any) -> dict[str, Any]:
    body = {
        "issued_on": today().isoformat(),
        "delivery": "mail",
        "exams": ["igra_qft", "xray"],
        "deadline_on": (today() + timedelta(days=30)).isoformat(),
    }
    return body | changes


class TestRecommendation:
    """POST/PATCH /contacts/{id}/recommendations."""

    @pytest.mark.req("R15", partial=True)
    async def test_a_recommendation_is_stored_listed_and_published(self, client, make_index_case) -> None:
        contact = await household_contact(client, await make_index_case())
        url = f"/contacts/{contact['id']}/recommendations"
        made = await client.post(url, json=recommendation(), headers=nurse())
        assert made.status_code == 201, made.text
        assert made.json()["delivery_label"] == "郵送"
        assert made.json()["exam_labels"] == ["IGRA（QFT）", "胸部X線"]
        listed = (await client.get(url, headers=auth_headers("viewer1"))).json()
        assert [r["id"] for r in listed] == [made.json()["id"]]
        published = await last_snapshot(client, contact["id"])
        assert published["recommendations"][0]["deadline_on"] == (today() + timedelta(days=30)).isoformat()
        assert published["version"] == 2

    @pytest.mark.req("R15", partial=True)
    async def test_wrong_input_is_refused_beside_each_field_and_nothing_is_stored(
        self, client, make_index_case
    ) -> None:
        contact = await household_contact(client, await make_index_case())
        url = f"/contacts/{contact['id']}/recommendations"
        body = recommendation(
            issued_on=(today() + timedelta(days=2)).isoformat(),
            deadline_on=today().isoformat(),
            exams=[],
            delivery="other",
        )
        response = await client.post(url, json=body, headers=nurse())
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert "未来" in errors["issued_on"] and "勧告日以降" in errors["deadline_on"]
        assert "1つ以上" in errors["exams"] and "その他" in errors["delivery_note"]
        assert (await client.get(url, headers=nurse())).json() == []

    @pytest.mark.req("R15", partial=True)
    async def test_a_correction_needs_the_version_seen_and_is_in_the_history(self, client, make_index_case) -> None:
        contact = await household_contact(client, await make_index_case())
        url = f"/contacts/{contact['id']}/recommendations"
        made = (await client.post(url, json=recommendation(), headers=nurse())).json()
        change = {"version": 1, "changes": {"delivery": "hand"}, "reason": "窓口で手渡し"}
        fixed = await client.patch(f"{url}/{made['id']}", json=change, headers=nurse())
        assert fixed.status_code == 200, fixed.text
        assert fixed.json()["delivery_label"] == "手渡し" and fixed.json()["version"] == 2
        stale = await client.patch(f"{url}/{made['id']}", json=change, headers=nurse())
        assert stale.status_code == 409 and "他の利用者" in stale.json()["detail"]
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["record_type"] == "recommendation" and history[0]["changes"]["delivery"] == ["mail", "hand"]

    async def test_a_viewer_may_not_issue_one(self, client, make_index_case) -> None:
        contact = await household_contact(client, await make_index_case())
        url = f"/contacts/{contact['id']}/recommendations"
        assert (await client.post(url, json=recommendation(), headers=auth_headers("viewer1"))).status_code == 403


class TestAppointmentAndReception:
    """PUT /contacts/{id}/exams/{exam}/appointment, POST …/reception."""

    async def planned_exam(self, client: httpx.AsyncClient, contact: dict[str, Any]) -> dict[str, Any]:
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "igra_qft", "planned_on": (today() + timedelta(days=7)).isoformat()}
        response = await client.post(url, json=body, headers=nurse())
        assert response.status_code == 201, response.text
        return response.json()

    @pytest.mark.req("R13", partial=True)
    async def test_an_appointment_then_the_reception_number_the_contacts_of_a_day(
        self, client, make_index_case
    ) -> None:
        index = await make_index_case()
        place = f"試験保健所{uuid.uuid4().hex[:6]}"
        numbers = []
        for _ in range(2):
            contact = await household_contact(client, index)
            exam = await self.planned_exam(client, contact)
            url = f"/contacts/{contact['id']}/exams/{exam['id']}"
            body = {
                "version": exam["version"],
                "appointment_on": today().isoformat(),
                "appointment_time": "10:30",
                "appointment_place": place,
            }
            booked = await client.put(f"{url}/appointment", json=body, headers=nurse())
            assert booked.status_code == 200, booked.text
            assert booked.json()["appointment_time"] == "10:30:00"
            received = await client.post(
                f"{url}/reception", json={"version": booked.json()["version"]}, headers=nurse()
            )
            assert received.status_code == 200, received.text
            assert received.json()["received_on"] == today().isoformat() and received.json()["received_by"]
            numbers.append(received.json()["receipt_no"])
        assert numbers == [1, 2]
        published = await last_snapshot(client, contact["id"])
        assert published["exams"][0]["receipt_no"] == 2 and published["exams"][0]["reception_place"] == place

    @pytest.mark.req("R13", partial=True)
    async def test_a_taken_receipt_number_or_a_missing_place_is_refused(self, client, make_index_case) -> None:
        index = await make_index_case()
        place = f"試験保健所{uuid.uuid4().hex[:6]}"
        first = await household_contact(client, index)
        exam = await self.planned_exam(client, first)
        url = f"/contacts/{first['id']}/exams/{exam['id']}"
        nowhere = await client.post(f"{url}/reception", json={"version": 1}, headers=nurse())
        assert nowhere.status_code == 422 and "予約" in nowhere.json()["errors"]["appointment_place"]
        body = {
            "version": 1,
            "appointment_on": today().isoformat(),
            "appointment_time": "09:00",
            "appointment_place": place,
        }
        booked = (await client.put(f"{url}/appointment", json=body, headers=nurse())).json()
        assert (
            await client.post(f"{url}/reception", json={"version": booked["version"], "receipt_no": 5}, headers=nurse())
        ).status_code == 200
        second = await household_contact(client, index)
        other = await self.planned_exam(client, second)
        other_url = f"/contacts/{second['id']}/exams/{other['id']}"
        booked = (await client.put(f"{other_url}/appointment", json=body, headers=nurse())).json()
        taken = await client.post(
            f"{other_url}/reception", json={"version": booked["version"], "receipt_no": 5}, headers=nurse()
        )
        assert taken.status_code == 409 and "受付番号" in taken.json()["detail"]
        stale = await client.put(f"{other_url}/appointment", json=body, headers=nurse())
        assert stale.status_code == 409

    async def test_an_appointment_without_a_place_is_refused_in_japanese(self, client, make_index_case) -> None:
        contact = await household_contact(client, await make_index_case())
        exam = await self.planned_exam(client, contact)
        url = f"/contacts/{contact['id']}/exams/{exam['id']}/appointment"
        body = {"version": 1, "appointment_on": today().isoformat(), "appointment_time": "", "appointment_place": ""}
        response = await client.put(url, json=body, headers=nurse())
        assert response.status_code == 422
        assert set(response.json()["errors"]) >= {"appointment_place", "appointment_time"}


async def issued(client: httpx.AsyncClient, make_index_case: Any, **changes: Any) -> tuple[dict, dict]:
    """A household contact and a 勧告 issued to them."""
    contact = await household_contact(client, await make_index_case())
    made = await client.post(
        f"/contacts/{contact['id']}/recommendations", json=recommendation(**changes), headers=nurse()
    )
    assert made.status_code == 201, made.text
    return contact, made.json()


async def deadlines(client: httpx.AsyncClient, contact_id: str, count: int) -> list[DeadlinesChanged]:
    """The contact's DeadlinesChanged events, oldest first, once at least `count` were written."""

    async def written() -> list[dict[str, Any]] | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = await session.scalars(
                text(
                    "SELECT payload FROM outbox WHERE subject = :s AND payload->>'aggregate_id' = :id "
                    "ORDER BY created_at, id"
                ),
                {"s": CONTACT_DEADLINES, "id": contact_id},
            )
            found = list(rows)
        return found if len(found) >= count else None

    payloads = await wait_for(written)
    return [DeadlinesChanged.model_validate(p["payload"]) for p in payloads]  # type: ignore[union-attr]


def of_recommendation(changed: DeadlinesChanged) -> list[Any]:
    return [d for d in changed.deadlines if d.kind == "recommendation_deadline"]


class TestCancelRecommendation:
    """POST /contacts/{id}/recommendations/{rec}/cancel."""

    @pytest.mark.req("R15", partial=True)
    async def test_a_cancelled_recommendation_stays_marked_with_who_when_and_why(self, client, make_index_case) -> None:
        contact, made = await issued(client, make_index_case)
        url = f"/contacts/{contact['id']}/recommendations/{made['id']}"
        body = {"version": made["version"], "reason": "接触者ではないと判明したため"}
        cancelled = await client.post(f"{url}/cancel", json=body, headers=nurse())
        assert cancelled.status_code == 200, cancelled.text
        read = cancelled.json()
        assert read["status"] == "cancelled" and read["cancelled_on"] == today().isoformat()
        assert read["cancel_reason"] == "接触者ではないと判明したため" and read["cancelled_by_name"]
        assert read["cancelled_at"] and read["version"] == made["version"] + 1
        listed = (await client.get(f"/contacts/{contact['id']}/recommendations", headers=nurse())).json()
        assert [(r["id"], r["status"]) for r in listed] == [(made["id"], "cancelled")]  # still listed
        published = await last_snapshot(client, contact["id"])
        assert published["recommendations"][0]["status"] == "cancelled"
        assert published["recommendations"][0]["cancel_reason"] == "接触者ではないと判明したため"
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["record_type"] == "recommendation" and history[0]["record_id"] == made["id"]
        assert history[0]["changes"]["status"] == ["issued", "cancelled"]
        assert history[0]["reason"] == "接触者ではないと判明したため"

    @pytest.mark.req("R15", partial=True)
    async def test_stale_repeated_or_wrong_cancellations_are_refused_and_change_nothing(
        self, client, make_index_case
    ) -> None:
        contact, made = await issued(client, make_index_case, issued_on=(today() - timedelta(days=3)).isoformat())
        url = f"/contacts/{contact['id']}/recommendations/{made['id']}"
        empty = await client.post(f"{url}/cancel", json={"version": 1, "reason": ""}, headers=nurse())
        assert empty.status_code == 422 and "reason" in empty.json()["errors"]
        early = {"version": 1, "reason": "誤登録", "cancelled_on": (today() - timedelta(days=4)).isoformat()}
        refused = await client.post(f"{url}/cancel", json=early, headers=nurse())
        assert refused.status_code == 422 and "勧告日以降" in refused.json()["errors"]["cancelled_on"]
        future = early | {"cancelled_on": (today() + timedelta(days=1)).isoformat()}
        refused = await client.post(f"{url}/cancel", json=future, headers=nurse())
        assert refused.status_code == 422 and "未来" in refused.json()["errors"]["cancelled_on"]
        viewer = await client.post(
            f"{url}/cancel", json={"version": 1, "reason": "誤登録"}, headers=auth_headers("viewer1")
        )
        assert viewer.status_code == 403
        listed = (await client.get(f"/contacts/{contact['id']}/recommendations", headers=nurse())).json()
        assert listed[0]["status"] == "issued" and listed[0]["version"] == 1  # nothing changed so far

        fixed = await client.patch(url, json={"version": 1, "changes": {"delivery": "hand"}}, headers=nurse())
        assert fixed.status_code == 200
        stale = await client.post(f"{url}/cancel", json={"version": 1, "reason": "誤登録"}, headers=nurse())
        assert stale.status_code == 409 and "他の利用者" in stale.json()["detail"]
        done = await client.post(f"{url}/cancel", json={"version": 2, "reason": "誤登録"}, headers=nurse())
        assert done.status_code == 200
        again = await client.post(f"{url}/cancel", json={"version": 3, "reason": "誤登録"}, headers=nurse())
        assert again.status_code == 409 and "すでに取り消されています" in again.json()["detail"]
        corrected = await client.patch(url, json={"version": 3, "changes": {"delivery": "mail"}}, headers=nurse())
        assert corrected.status_code == 409 and "すでに取り消されています" in corrected.json()["detail"]

    async def test_an_unknown_recommendation_is_not_found(self, client, make_index_case) -> None:
        contact, _ = await issued(client, make_index_case)
        url = f"/contacts/{contact['id']}/recommendations/{uuid.uuid4()}/cancel"
        response = await client.post(url, json={"version": 1, "reason": "誤登録"}, headers=nurse())
        assert response.status_code == 404 and "勧告" in response.json()["detail"]


class TestRecommendationDeadline:
    """A 勧告 in force is a deadline on its 受診期限 until its exams are done; a cancelled one is none."""

    @pytest.mark.req("R15", partial=True)
    async def test_the_deadline_goes_away_when_the_recommendation_is_cancelled(self, client, make_index_case) -> None:
        contact, made = await issued(client, make_index_case, exams=["igra_tspot"])
        before = await deadlines(client, contact["id"], 2)
        [due] = of_recommendation(before[-1])
        assert due.due_on == today() + timedelta(days=30) and due.key.endswith(f":recommendation:{made['id']}")
        assert "第17条" in due.rule and "IGRA（T-SPOT）" in due.what and due.severity == "warning"
        url = f"/contacts/{contact['id']}/recommendations/{made['id']}/cancel"
        body = {"version": made["version"], "reason": "他の保健所で健診済み"}
        assert (await client.post(url, json=body, headers=nurse())).status_code == 200
        after = await deadlines(client, contact["id"], len(before) + 1)
        assert of_recommendation(after[-1]) == [] and after[-1].revision > before[-1].revision

    @pytest.mark.req("R15", partial=True)
    async def test_the_deadline_goes_away_once_the_recommended_exams_are_done(self, client, make_index_case) -> None:
        contact, _ = await issued(client, make_index_case, exams=["igra_tspot"])
        before = await deadlines(client, contact["id"], 2)
        assert of_recommendation(before[-1])
        exam = {"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}  # another IGRA counts
        response = await client.post(f"/contacts/{contact['id']}/exams", json=exam, headers=nurse())
        assert response.status_code == 201, response.text
        after = await deadlines(client, contact["id"], len(before) + 1)
        assert of_recommendation(after[-1]) == []
