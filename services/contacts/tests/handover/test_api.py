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
from tbms_core.clock import today
from tbms_testing import auth_headers


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
