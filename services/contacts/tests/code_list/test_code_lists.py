"""The contact forms' 接触の場, 検査の種類, 続柄・関係 and 終了の理由 come from masters' コード表 (R25): contacts
keeps them from MasterChanged, offers the codes in force with their labels and the rule each has (a code added
without a rule gets the default, with its basis), refuses an unknown or ended code beside the field, and an ended
code stays readable on old records.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from contacts.code_list.repository import CodeEntryRepository
from contacts.contact.rules import BASIS_EXAM_DEFAULT, BASIS_SETTING_DEFAULT
from contacts.deadline.service import compute
from tbms_contracts.code_lists import SEEDED, SEEDED_CONTACT_ENDS, SEEDED_CONTACTS
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish


def nurse() -> dict[str, str]:
    """The demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


def new_value(stem: str) -> str:
    """A code value no other run uses (other runs may receive the same events)."""
    return f"{stem}_{uuid.uuid4().hex[:8]}"


def code_event(
    name: str, value: str, label: str, version: int = 1, valid_from: date = date(2000, 4, 1), **more: Any
) -> Envelope:
    """MasterChanged of a コード表 entry as masters sends it after a create, change or end."""
    code = f"{name}:{value}"
    data = {"list": name, "value": value, "label": label, "sort_order": 999}
    snapshot = MasterSnapshot(
        kind="code", code=code, version=version, name=label, valid_from=valid_from, data=data, **more
    )
    payload = MasterChanged(kind="code", code=code, snapshot=snapshot)
    return Envelope.of(payload, aggregate_id=record_id("code", code), version=version, actor="test")


async def kept(client: httpx.AsyncClient, name: str, value: str, version: int = 1) -> None:
    """Waits until the service holds this version of the code."""

    async def _held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = await CodeEntryRepository(session).every()
        return any(r.list == name and r.value == value and r.version >= version for r in rows)

    await wait_for(_held, timeout=15)


async def codes(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/reference/codes", params=params, headers=nurse())
    assert response.status_code == 200, response.text
    return response.json()


def contact_body(index_id: uuid.UUID, setting: str, **more: Any) -> dict[str, Any]:
    exposure = {
        "index_patient_id": str(index_id),
        "setting": setting,
        "hours": 2,
        "last_contact_on": (today() - timedelta(days=20)).isoformat(),
        "infectiousness": "low",
    }
    return {
        "name": "試験 三郎",
        "name_kana": "シケン サブロウ",
        "birth_date": "1980-01-01",
        "exposures": [exposure],
    } | more


class TestBuiltIn:
    """Before masters sends anything, the lists are the seeded ones."""

    @pytest.mark.req("R25", partial=True)
    async def test_the_seeded_lists_are_offered_with_their_labels_and_rules(self, client) -> None:
        found = await codes(client)
        seeded_lists = (("contact_setting", SEEDED["contact_setting"]), *SEEDED_CONTACTS.items())
        for name, seeded in (*seeded_lists, *SEEDED_CONTACT_ENDS.items()):
            offered = {v: label for v, label in found["lists"][name].items() if v in seeded}
            assert offered == seeded, name
        assert found["rules"]["contact_setting"]["household"]["rule"] == "close"
        assert found["rules"]["contact_setting"]["workplace"]["basis"] == BASIS_SETTING_DEFAULT
        assert found["rules"]["screening_exam"]["igra_tspot"]["rule"] == "igra"


class TestFromMasters:
    """Codes added and ended in マスタ管理."""

    @pytest.mark.req("R25", partial=True)
    async def test_a_setting_added_in_masters_is_offered_with_the_default_rule_and_accepted(
        self, client, make_index_case
    ) -> None:
        value = new_value("ship")
        await publish(code_event("contact_setting", value, "船舶"))
        await kept(client, "contact_setting", value)

        found = await codes(client)
        assert found["lists"]["contact_setting"][value] == "船舶"
        rule = found["rules"]["contact_setting"][value]
        assert rule["rule"] == "" and rule["basis"] == BASIS_SETTING_DEFAULT

        response = await client.post("/contacts", json=contact_body(await make_index_case(), value), headers=nurse())
        assert response.status_code == 201, response.text
        [exposure] = response.json()["exposures"]
        assert exposure["setting"] == value and exposure["setting_label"] == "船舶"
        assert exposure["exposure_class"]["value"] == "other"  # 2 hours, not closed: the default rule

    @pytest.mark.req("R25", partial=True)
    async def test_an_unknown_setting_is_refused_beside_the_field_and_nothing_is_stored(
        self, client, make_index_case
    ) -> None:
        index_id = await make_index_case()
        response = await client.post("/contacts", json=contact_body(index_id, "nowhere_x"), headers=nurse())
        assert response.status_code == 422
        assert "コード表にありません" in response.json()["errors"]["exposures.0.setting"]
        listed = await client.get("/contacts", params={"index_patient_id": str(index_id)}, headers=nurse())
        assert listed.json()["total"] == 0

    @pytest.mark.req("R25", partial=True)
    async def test_an_ended_setting_stays_readable_on_an_old_record_and_is_refused_for_a_new_one(
        self, client, make_index_case
    ) -> None:
        value = new_value("bus")
        await publish(code_event("contact_setting", value, "バス"))
        await kept(client, "contact_setting", value)
        index_id = await make_index_case()
        found_on = (today() - timedelta(days=10)).isoformat()
        old = await client.post("/contacts", json=contact_body(index_id, value, found_on=found_on), headers=nurse())
        assert old.status_code == 201, old.text

        ended = today() - timedelta(days=5)
        await publish(code_event("contact_setting", value, "バス", version=2, valid_to=ended))
        await kept(client, "contact_setting", value, version=2)

        again = await client.get(f"/contacts/{old.json()['id']}", headers=nurse())
        assert again.json()["exposures"][0]["setting_label"] == "バス"
        found = await codes(client)
        assert value not in found["lists"]["contact_setting"]
        assert found["lists"]["former:contact_setting"][value] == "バス"
        assert value in (await codes(client, on=found_on))["lists"]["contact_setting"]

        refused = await client.post("/contacts", json=contact_body(await make_index_case(), value), headers=nurse())
        assert refused.status_code == 422
        assert "使えません" in refused.json()["errors"]["exposures.0.setting"]

    @pytest.mark.req("R25", partial=True)
    async def test_an_exam_kind_added_without_a_rule_is_recorded_with_a_free_result_outside_the_plan(
        self, client, make_index_case
    ) -> None:
        value = new_value("ct")
        await publish(code_event("screening_exam", value, "胸部CT"))
        await kept(client, "screening_exam", value)
        rule = (await codes(client))["rules"]["screening_exam"][value]
        assert rule["rule"] == "" and rule["basis"] == BASIS_EXAM_DEFAULT

        contact = await client.post(
            "/contacts", json=contact_body(await make_index_case(), "workplace"), headers=nurse()
        )
        url = f"/contacts/{contact.json()['id']}/exams"
        body = {"kind": value, "done_on": today().isoformat(), "result": "異常なし"}
        exam = await client.post(url, json=body, headers=nurse())
        assert exam.status_code == 201, exam.text
        assert (exam.json()["kind_label"], exam.json()["result_label"]) == ("胸部CT", "異常なし")
        plan = (await client.get(f"/contacts/{contact.json()['id']}", headers=nurse())).json()["plan"]
        assert all(d["exam_id"] != exam.json()["id"] for d in plan)

    @pytest.mark.req("R25", partial=True)
    async def test_a_missing_result_of_an_added_kind_is_a_deadline_named_by_its_label(
        self, client, make_index_case
    ) -> None:
        value = new_value("mri")
        await publish(code_event("screening_exam", value, "胸部MRI"))
        await kept(client, "screening_exam", value)
        body = contact_body(await make_index_case(), "workplace")
        contact = await client.post("/contacts", json=body, headers=nurse())
        url = f"/contacts/{contact.json()['id']}/exams"
        exam = await client.post(url, json={"kind": value, "done_on": today().isoformat()}, headers=nurse())
        assert exam.status_code == 201, exam.text

        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            computed = await compute(session, [contact.json()["id"]])
        [missing] = [d for d in computed[contact.json()["id"]].deadlines if d.kind == "screening_result_missing"]
        assert missing.what.startswith("胸部MRI（")

    @pytest.mark.req("R25", partial=True)
    async def test_an_unknown_exam_kind_is_refused_beside_the_field(self, client, make_index_case) -> None:
        contact = await client.post(
            "/contacts", json=contact_body(await make_index_case(), "workplace"), headers=nurse()
        )
        url = f"/contacts/{contact.json()['id']}/exams"
        exam = await client.post(url, json={"kind": "pet_scan", "planned_on": today().isoformat()}, headers=nurse())
        assert exam.status_code == 422
        assert "検査の種類「pet_scan」はコード表にありません" in exam.json()["errors"]["kind"]


class TestEndReason:
    """終了の理由 of a contact's follow-up, from the コード表."""

    async def contact(self, client: httpx.AsyncClient, make_index_case) -> dict[str, Any]:
        found_on = (today() - timedelta(days=10)).isoformat()
        body = contact_body(await make_index_case(), "workplace", found_on=found_on)
        response = await client.post("/contacts", json=body, headers=nurse())
        assert response.status_code == 201, response.text
        return response.json()

    @pytest.mark.req("R25", partial=True)
    async def test_a_reason_added_in_masters_ends_a_contact_and_reads_with_its_label(
        self, client, make_index_case
    ) -> None:
        value = new_value("moved_abroad")
        await publish(code_event("contact_end_reason", value, "国外へ転出"))
        await kept(client, "contact_end_reason", value)
        assert (await codes(client))["lists"]["contact_end_reason"][value] == "国外へ転出"

        contact = await self.contact(client, make_index_case)
        end = {"version": contact["version"], "ended_on": today().isoformat(), "reason": value}
        ended = await client.post(f"/contacts/{contact['id']}/end", json=end, headers=nurse())
        assert ended.status_code == 200, ended.text
        assert (ended.json()["end_reason"], ended.json()["end_reason_label"]) == (value, "国外へ転出")

    @pytest.mark.req("R25", partial=True)
    async def test_an_unknown_or_ended_reason_is_refused_beside_the_field_and_the_contact_stays_open(
        self, client, make_index_case
    ) -> None:
        value = new_value("old_reason")
        await publish(code_event("contact_end_reason", value, "旧区分", version=1))
        await kept(client, "contact_end_reason", value)
        ended = today() - timedelta(days=3)
        await publish(code_event("contact_end_reason", value, "旧区分", version=2, valid_to=ended))
        await kept(client, "contact_end_reason", value, version=2)
        contact = await self.contact(client, make_index_case)
        url = f"/contacts/{contact['id']}/end"

        for reason, message in (("no_such_reason", "コード表にありません"), (value, "使えません")):
            end = {"version": contact["version"], "ended_on": today().isoformat(), "reason": reason}
            refused = await client.post(url, json=end, headers=nurse())
            assert refused.status_code == 422, refused.text
            assert message in refused.json()["errors"]["reason"]
        still = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        assert (still["status"], still["version"]) == ("active", contact["version"])

        # on a day the reason was in force it is accepted, and the ended code keeps its label
        end = {"version": contact["version"], "ended_on": (ended - timedelta(days=1)).isoformat(), "reason": value}
        accepted = await client.post(url, json=end, headers=nurse())
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["end_reason_label"] == "旧区分"
        assert (await codes(client))["lists"]["former:contact_end_reason"][value] == "旧区分"

    @pytest.mark.req("R25", partial=True)
    async def test_a_seeded_reason_reads_with_its_seeded_label(self, client, make_index_case) -> None:
        contact = await self.contact(client, make_index_case)
        end = {"version": contact["version"], "ended_on": today().isoformat(), "reason": "transferred"}
        ended = await client.post(f"/contacts/{contact['id']}/end", json=end, headers=nurse())
        assert ended.json()["end_reason_label"] == SEEDED_CONTACT_ENDS["contact_end_reason"]["transferred"]
