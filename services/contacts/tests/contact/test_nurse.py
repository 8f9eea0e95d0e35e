"""A contact's own 担当保健師 (R25, as the staff assignment of masters proposes it by address at registration):
stored with the contact, corrected with a reason kept in the history, carried in the snapshot, and the one the
contact's to-dos go to (else the index patient's nurse)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from tbms_core.clock import today
from tbms_testing import auth_headers

from ..deadline.test_republish import changes, contact_of, index_case


def nurse() -> dict[str, str]:
    """The demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


class TestOwnNurse:
    @pytest.mark.req("R25", partial=True)
    async def test_a_nurse_registered_with_the_contact_is_shown_and_owns_its_to_dos(
        self, client: httpx.AsyncClient
    ) -> None:
        index_id = await index_case(client, nurse_name="nurse1")
        body = {
            "name": "試験 担子",
            "name_kana": "シケン タンコ",
            "address": "東京都世田谷区試験町2-1",
            "nurse": "nurse2",
            "exposures": [
                {
                    "index_patient_id": str(index_id),
                    "setting": "workplace",
                    "hours": 2,
                    "last_contact_on": (today() - timedelta(days=10)).isoformat(),
                }
            ],
        }
        created = await client.post("/contacts", json=body, headers=nurse())
        assert created.status_code == 201, created.text
        assert created.json()["nurse"] == "nurse2"
        [published] = await changes(client, created.json()["id"])
        assert published.deadlines and {d.nurse for d in published.deadlines} == {"nurse2"}

    @pytest.mark.req("R25", partial=True)
    async def test_the_nurse_is_corrected_with_its_reason_in_the_history_and_cleared_back_to_the_index_nurse(
        self, client: httpx.AsyncClient
    ) -> None:
        contact = await contact_of(client, await index_case(client, nurse_name="nurse1"), days_since_last=10)
        assert contact["nurse"] == ""
        url = f"/contacts/{contact['id']}"
        body = {"version": contact["version"], "changes": {"nurse": "nurse3"}, "reason": "地区担当の変更"}
        changed = await client.patch(url, json=body, headers=nurse())
        assert changed.status_code == 200, changed.text
        assert changed.json()["nurse"] == "nurse3"
        history = (await client.get(f"{url}/history", headers=nurse())).json()["items"]
        assert history[0]["reason"] == "地区担当の変更" and history[0]["changes"]["nurse"] == ["", "nurse3"]
        assert {d.nurse for d in (await changes(client, contact["id"]))[-1].deadlines} == {"nurse3"}

        body = {"version": changed.json()["version"], "changes": {"nurse": ""}, "reason": "発端患者の担当に戻す"}
        cleared = await client.patch(url, json=body, headers=nurse())
        assert cleared.status_code == 200 and cleared.json()["nurse"] == ""
        assert {d.nurse for d in (await changes(client, contact["id"]))[-1].deadlines} == {"nurse1"}

    async def test_a_nurse_too_long_is_refused_beside_the_field_and_nothing_is_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        index_id = await index_case(client)
        body = {
            "name": "試験 長子",
            "nurse": "x" * 101,
            "exposures": [{"index_patient_id": str(index_id), "setting": "household"}],
        }
        refused = await client.post("/contacts", json=body, headers=nurse())
        assert refused.status_code == 422
        assert "nurse" in refused.json()["errors"]
