"""A contact and the registered patients (R12): the duplicate check at a contact's registration finds the patients
born the same day with the same name or カナ (folded as search folds them), a contact is registered as that patient
(linked, not copied), and a contact who fell ill and was registered as a patient from the contact page learns the
patient's id from the PatientRegistered event through the outbox, once, whatever the retries."""

import random
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.patients import PatientRegistered, PatientSnapshot
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


def birthday() -> date:
    """A birth date no other test uses (the duplicate check looks across every contact and patient)."""
    return date(1930, 1, 1) + timedelta(days=random.randrange(30000))


def body(index_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """A synthetic household contact of the index patient."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "household",
        "last_contact_on": (today() - timedelta(days=10)).isoformat(),
        "infectiousness": "high",
    }
    return {"name": "試験 花子", "name_kana": "シケン ハナコ", "exposures": [exposure], **changes}


async def last_snapshot(client: httpx.AsyncClient, contact_id: str) -> dict[str, Any]:
    """The contact's snapshot in its latest event of the outbox."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id "
                "AND subject LIKE 'tbms.contacts.contact.%' ORDER BY created_at DESC, id DESC LIMIT 1"
            ),
            {"id": contact_id},
        )
        return next(iter(rows))["payload"]["contact"]


def handed_over(contact: dict[str, Any], patient_id: uuid.UUID, **changes: Any) -> Envelope:
    """The PatientRegistered the patients service publishes when the contact is registered from the contact page."""
    snapshot = PatientSnapshot(
        id=str(patient_id),
        version=1,
        registration_no=f"9{patient_id.int % 10**8:08d}",
        registered_on=today(),
        category="patient",
        name=contact["name"],
        name_kana=contact["name_kana"],
        sex="female",
        birth_date=date.fromisoformat(contact["birth_date"]),
    )
    event = PatientRegistered(patient=snapshot, source_contact_id=contact["id"], **changes)
    return Envelope.of(event, aggregate_id=patient_id, version=1, actor="nurse-user-id")


class TestPatientDuplicates:
    """POST /contacts/duplicates answers the registered patients too."""

    @pytest.mark.req("R12", partial=True)
    async def test_a_patient_born_the_same_day_with_the_same_folded_name_or_kana_is_found(
        self, client, make_index_case
    ) -> None:
        born = birthday()
        patient = await make_index_case("髙橋 一郎", name_kana="タカハシ イチロウ", birth_date=born)
        await make_index_case("髙橋 一郎", name_kana="タカハシ イチロウ", birth_date=born, status="external")
        for typed in (
            {"name": "高橋　一郎", "birth_date": born.isoformat()},  # 異体字 and a full-width space
            {"name": "別名", "name_kana": "ﾀｶﾊｼ ｲﾁﾛｳ", "birth_date": born.isoformat()},  # half-width カナ
        ):
            answer = await client.post("/contacts/duplicates", json=typed, headers=nurse())
            assert answer.status_code == 200, answer.text
            found = answer.json()["patients"]
            assert [p["id"] for p in found] == [str(patient)]  # another area's external index is no patient here
            assert found[0]["registration_no"] and found[0]["birth_date"] == born.isoformat()
            assert found[0]["why"] in (["生年月日と氏名が同じ"], ["生年月日とカナが同じ"])
            assert answer.json()["items"] == []
        other_day = {"name": "髙橋 一郎", "birth_date": (born + timedelta(days=1)).isoformat()}
        assert (await client.post("/contacts/duplicates", json=other_day, headers=nurse())).json()["patients"] == []
        no_day = {"name": "髙橋 一郎"}
        assert (await client.post("/contacts/duplicates", json=no_day, headers=nurse())).json()["patients"] == []

    @pytest.mark.req("R12", partial=True)
    async def test_a_contact_registered_as_that_patient_names_them(self, client, make_index_case) -> None:
        born = birthday()
        index_id = await make_index_case()
        patient = await make_index_case("試験 患者", name_kana="シケン カンジャ", birth_date=born)
        registered = await client.post(
            "/contacts",
            json=body(index_id, name="試験 患者", birth_date=born.isoformat(), patient_id=str(patient)),
            headers=nurse(),
        )
        assert registered.status_code == 201, registered.text
        contact = registered.json()
        assert contact["patient_id"] == str(patient) and contact["patient_name"] == "試験 患者"
        assert (await last_snapshot(client, contact["id"]))["patient_id"] == str(patient)
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["changes"]["patient_id"] == [None, str(patient)]

        unknown = await client.post("/contacts", json=body(index_id, patient_id=str(uuid.uuid4())), headers=nurse())
        assert unknown.status_code == 422 and "患者が見つかりません" in unknown.json()["errors"]["patient_id"]
        external = await make_index_case("他県 患者", status="external")
        refused = await client.post("/contacts", json=body(index_id, patient_id=str(external)), headers=nurse())
        assert refused.status_code == 422 and "patient_id" in refused.json()["errors"]


class TestHandOver:
    """PatientRegistered carrying the contact's id (the registration opened from the contact page) links them."""

    @pytest.mark.req("R12", partial=True)
    async def test_the_contact_learns_the_patient_it_was_registered_as_once(
        self, client, make_index_case, claimed
    ) -> None:
        index_id = await make_index_case()
        registered = await client.post(
            "/contacts", json=body(index_id, birth_date=birthday().isoformat()), headers=nurse()
        )
        contact = registered.json()
        ill = {"version": 1, "changes": {"outcome": "disease"}}
        assert (await client.patch(f"/contacts/{contact['id']}", json=ill, headers=nurse())).status_code == 200
        patient_id = uuid.uuid4()
        event = handed_over(contact, patient_id)
        await publish(event)

        async def linked() -> dict[str, Any] | None:
            read = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
            return read if read["patient_id"] else None

        read = await wait_for(linked)
        assert read["patient_id"] == str(patient_id) and read["patient_name"] == "試験 花子" and read["version"] == 3
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["changes"] == {"patient_id": [None, str(patient_id)]}
        assert "引継ぎ" in history[0]["reason"] and history[0]["changed_by"] == "nurse-user-id"
        assert (await last_snapshot(client, contact["id"]))["patient_id"] == str(patient_id)

        again = Envelope.model_validate(event.model_dump() | {"event_id": uuid.uuid4()})  # delivered twice
        other = handed_over(contact, uuid.uuid4())  # a second registration of the same contact
        await publish(again, other)
        await wait_for(lambda: claimed(other.event_id), timeout=15)
        await wait_for(lambda: claimed(again.event_id), timeout=15)
        read = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        assert read["patient_id"] == str(patient_id) and read["version"] == 3  # the first link stands, unchanged

    async def test_an_unknown_contact_id_is_ignored(self, client, claimed) -> None:
        nobody = {"id": "not-a-uuid", "name": "試験 不明", "name_kana": "シケン フメイ", "birth_date": "1980-01-01"}
        for contact in (nobody, nobody | {"id": str(uuid.uuid4())}):
            event = handed_over(contact, uuid.uuid4())
            await publish(event)
            await wait_for(lambda event=event: claimed(event.event_id), timeout=15)
            found = await client.get(f"/index-cases/{event.aggregate_id}", headers=nurse())
            assert found.status_code == 200  # the patient itself is still learnt
