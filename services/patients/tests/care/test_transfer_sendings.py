"""転出: what was sent to the new health centre (登録票, 記録の要約 …), to whom, when and how (施行規則27条の8; N32)."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
MOVE_OUT = {"direction": "out", "moved_on": "2026-11-02", "counterpart": "試験市保健所"}
SHA = "ab" * 32


async def transfer(client: httpx.AsyncClient, patient: dict, body: dict = MOVE_OUT) -> dict[str, Any]:
    response = await client.post(f"/patients/{patient['id']}/transfers", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


async def send(
    client: httpx.AsyncClient, patient: dict, move: dict, body: dict, user: str = "nurse1"
) -> httpx.Response:
    url = f"/patients/{patient['id']}/transfers/{move['id']}/sendings"
    return await client.post(url, json=body, headers=auth_headers(user))


async def record(client: httpx.AsyncClient, patient: dict) -> dict[str, Any]:
    response = await client.get(f"/patients/{patient['id']}/record", headers=auth_headers("viewer1"))
    assert response.status_code == 200, response.text
    return response.json()


def card_alerts(chart: dict[str, Any]) -> list[dict[str, Any]]:
    return [alert for alert in chart["alerts"] if alert["code"] == "transfer_card_not_sent"]


@pytest.mark.req("N32", partial=True)
class TestTransferSending:
    """A sending is recorded on the 転出, read back with the care records, and never deleted."""

    async def test_sending_the_card_by_post_records_it_and_clears_the_alert(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        move = await transfer(client, patient)
        assert card_alerts(await record(client, patient))
        body = {
            "version": 1,
            "documents": ["registration_card", "record_summary"],
            "method": "paper_mail",
            "sent_on": "2026-11-04",
        }
        response = await send(client, patient, move, body)
        assert response.status_code == 201, response.text
        saved = response.json()
        assert saved["version"] == 2 and saved["data"]["card_sent_on"] == "2026-11-04"
        (sending,) = saved["sendings"]
        assert sending["recipient"] == "試験市保健所"  # the transfer's counterpart when none is named
        assert sending["labels"] == {"documents": "登録票・記録の要約", "method": "郵送（紙）", "key_channel": ""}
        chart = await record(client, patient)
        assert card_alerts(chart) == []
        (listed,) = chart["care"]["transfers"]
        assert [s["id"] for s in listed["sendings"]] == [sending["id"]]
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))).json()
        entry = next(item for item in history["items"] if item["record_type"] == "transfer")
        named = {change["label"]: change["new"] for change in entry["changes"]}
        assert "郵送（紙）で試験市保健所へ送付（登録票・記録の要約）" in named["転出先への送付"]
        assert named["登録票送付日"].startswith("令和8年11月4日")

    async def test_an_electronic_sending_names_its_file_and_the_other_channel_of_the_key(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        move = await transfer(client, patient)
        package = "0b6f2b61-8d0e-4f5c-9a5e-1f0f5c6d7e8a"
        body = {
            "version": 1,
            "documents": ["record_summary"],
            "other_documents": "胸部X線写真の所見",
            "recipient": "試験市保健所 感染症係",
            "method": "electronic",
            "sent_on": "2026-11-05",
            "package_id": package,
            "package_sha256": SHA.upper(),
            "key_channel": "phone",
            "key_sent_on": "2026-11-05",
        }
        response = await send(client, patient, move, body)
        assert response.status_code == 201, response.text
        (sending,) = response.json()["sendings"]
        assert (sending["package_id"], sending["package_sha256"], sending["key_channel"]) == (package, SHA, "phone")
        assert sending["labels"]["documents"] == "記録の要約・胸部X線写真の所見"
        # only the 登録票 fills its 送付日: the alert stays while the card has not gone
        assert response.json()["data"]["card_sent_on"] is None
        assert card_alerts(await record(client, patient))

    async def test_the_key_in_the_same_mail_or_without_a_file_is_refused_and_nothing_changes(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        move = await transfer(client, patient)
        electronic = {
            "version": 1,
            "documents": ["registration_card"],
            "method": "electronic",
            "sent_on": "2026-11-05",
            "package_id": "0b6f2b61-8d0e-4f5c-9a5e-1f0f5c6d7e8a",
            "package_sha256": SHA,
            "key_sent_on": "2026-11-05",
        }
        same_mail = await send(client, patient, move, electronic | {"key_channel": "mail"})
        assert same_mail.status_code == 422
        assert "同じメールでは送れません" in same_mail.json()["errors"]["key_channel"]
        no_file = await send(client, patient, move, electronic | {"key_channel": "fax", "package_id": None})
        assert no_file.status_code == 422 and "暗号化ファイル" in no_file.json()["errors"]["package_id"]
        future = await send(client, patient, move, {**electronic, "key_channel": "fax", "sent_on": "2099-01-01"})
        assert future.status_code == 422 and "未来" in future.json()["errors"]["sent_on"]
        nothing = await send(client, patient, move, {"version": 1, "method": "hand", "sent_on": "2026-11-05"})
        assert nothing.status_code == 422 and "書類" in nothing.json()["errors"]["other_documents"]
        (listed,) = (await record(client, patient))["care"]["transfers"]
        assert listed["version"] == 1 and listed["sendings"] == [] and listed["data"]["card_sent_on"] is None

    async def test_a_stale_version_a_move_in_and_a_reader_are_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        move = await transfer(client, patient)
        body = {"version": 1, "documents": ["record_summary"], "method": "hand", "sent_on": "2026-11-04"}
        assert (await send(client, patient, move, body)).status_code == 201
        stale = await send(client, patient, move, body | {"documents": ["registration_card"]})
        assert stale.status_code == 409
        assert (await send(client, patient, move, body | {"version": 2}, user="viewer1")).status_code == 403
        moved_in = await transfer(client, patient, MOVE_OUT | {"direction": "in"})
        refused = await send(client, patient, moved_in, body)
        assert refused.status_code == 422 and "転出" in refused.json()["errors"]["direction"]
        other = await make_patient(name="試験 花子")
        assert (await send(client, other, move, body | {"version": 2})).status_code == 404
        listed = next(t for t in (await record(client, patient))["care"]["transfers"] if t["id"] == move["id"])
        assert listed["version"] == 2 and len(listed["sendings"]) == 1
        assert listed["data"]["card_sent_on"] is None


@pytest.mark.req("N32", partial=True)
class TestSendingCorrection:
    """A wrong sending is corrected with a reason (never deleted); the old one stays in the history."""

    async def test_a_correction_needs_a_reason_and_the_transfers_version_and_keeps_the_old_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        move = await transfer(client, patient)
        body = {"version": 1, "documents": ["record_summary"], "method": "hand", "sent_on": "2026-11-04"}
        (sending,) = (await send(client, patient, move, body)).json()["sendings"]
        url = f"/patients/{patient['id']}/transfers/{move['id']}/sendings/{sending['id']}"
        fix = {"version": 2, "changes": {"documents": ["registration_card", "record_summary"], "method": "paper_mail"}}
        no_reason = await client.patch(url, json=fix, headers=auth_headers("nurse1"))
        assert no_reason.status_code == 422
        bad = await client.patch(
            url, json=fix | {"changes": {"key_channel": "mail"}, "reason": "誤り"}, headers=auth_headers("nurse1")
        )
        assert bad.status_code == 422 and "key_channel" in bad.json()["errors"]
        stale = await client.patch(url, json=fix | {"version": 1, "reason": "誤り"}, headers=auth_headers("nurse1"))
        assert stale.status_code == 409
        fixed = await client.patch(url, json=fix | {"reason": "登録票も同封していた"}, headers=auth_headers("nurse1"))
        assert fixed.status_code == 200, fixed.text
        saved = fixed.json()
        assert saved["version"] == 3 and saved["data"]["card_sent_on"] == "2026-11-04"
        (corrected,) = saved["sendings"]
        assert corrected["id"] == sending["id"] and corrected["labels"]["method"] == "郵送（紙）"
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))).json()
        entry = next(item for item in history["items"] if item["record_type"] == "transfer")
        assert entry["reason"] == "登録票も同封していた"
        change = next(c for c in entry["changes"] if c["label"] == "転出先への送付")
        assert "手渡し（紙）" in change["old"] and "郵送（紙）" in change["new"]
        other = "00000000-0000-4000-8000-000000000001"
        missing = await client.patch(
            url.replace(sending["id"], other),
            json=fix | {"version": 3, "reason": "誤り"},
            headers=auth_headers("nurse1"),
        )
        assert missing.status_code == 404
