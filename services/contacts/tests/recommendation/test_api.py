"""17条 勧告, appointments and reception (受付) through the API: stored, corrected with optimistic concurrency,
in the history and the contact's snapshot, refused in Japanese when wrong."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.contacts import ContactUpdated
from tbms_core.clock import today
from tbms_testing import auth_headers


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
