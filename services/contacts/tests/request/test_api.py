"""Requests between municipalities through the API (R14, N32): an outgoing request drafted, packaged as an encrypted
file whose key is never stored, sent, acknowledged and answered with results that update the contacts' screening;
withdrawal; an incoming request whose people become contacts of an external index; the board and the deadlines."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from contacts.request import package as pkg
from sqlalchemy import text
from tbms_contracts.contacts import RequestChanged
from tbms_core.clock import today
from tbms_testing import auth_headers


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (接触者管理 更新)."""
    return auth_headers("nurse1")


async def elsewhere_contact(client: httpx.AsyncClient, index_id: uuid.UUID, name: str = "試験 遠子") -> dict[str, Any]:
    """A synthetic household contact living in another municipality."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "family",
        "hours": 20,
        "last_contact_on": (today() - timedelta(days=70)).isoformat(),
        "infectiousness": "high",
    }
    body = {
        "name": name,
        "name_kana": "シケン トオコ",
        "birth_date": "1980-04-01",
        "address": "試験県試験市1-2-3",
        "residence": "elsewhere",
        "municipality": "試験市",
        "exposures": [exposure],
    }
    response = await client.post("/contacts", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


async def draft(client: httpx.AsyncClient, index_id: uuid.UUID, contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """A request to 試験市保健所 for these contacts, saved as 下書き."""
    body = {
        "counterpart_code": "999999",
        "counterpart_name": "試験市保健所",
        "counterpart_section": "感染症担当",
        "reference": "試保第1号",
        "reply_by": (today() + timedelta(days=30)).isoformat(),
        "index_patient_id": str(index_id),
        "index": {
            "infectiousness": "high",
            "diagnosed_on": (today() - timedelta(days=10)).isoformat(),
            "infectious_from": (today() - timedelta(days=100)).isoformat(),
            "infectious_until": (today() - timedelta(days=10)).isoformat(),
            "summary": "肺結核 喀痰塗抹陽性 空洞あり",
        },
        "items": [{"contact_id": c["id"], "recommended": "IGRA、必要に応じ胸部X線"} for c in contacts],
        "attachments": [{"title": "接触者リスト"}],
    }
    response = await client.post("/requests", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


async def sent_on_paper(client: httpx.AsyncClient, request: dict[str, Any]) -> dict[str, Any]:
    body = {
        "version": request["version"],
        "method": "paper_mail",
        "sent_on": today().isoformat(),
        "documents": "依頼書",
    }
    response = await client.post(f"/requests/{request['id']}/send", json=body, headers=nurse())
    assert response.status_code == 200, response.text
    return response.json()


async def outbox_payloads(client: httpx.AsyncClient, request_id: str) -> list[dict[str, Any]]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id AND subject = :s ORDER BY created_at"
            ),
            {"id": request_id, "s": RequestChanged.TYPE},
        )
        return list(rows)


class TestOutgoing:
    """他自治体への依頼: 下書き → 送付済 → 回答待ち → 回答済."""

    @pytest.mark.req("R14")
    async def test_a_reply_updates_the_contacts_screening_and_closes_the_request(self, client, make_index_case) -> None:
        index = await make_index_case()
        contact = await elsewhere_contact(client, index)
        request = await draft(client, index, [contact])
        assert request["status_label"] == "下書き" and request["days_waiting"] is None
        assert request["items"][0]["name"] == "試験 遠子" and request["index"]["infectiousness"] == "high"
        request = await sent_on_paper(client, request)
        assert request["status_label"] == "送付済" and request["days_waiting"] == 0
        assert request["sendings"][0]["method_label"] == "郵送（紙）"
        ack = {"version": request["version"], "acknowledged_on": today().isoformat()}
        request = (await client.post(f"/requests/{request['id']}/acknowledge", json=ack, headers=nurse())).json()
        assert request["status_label"] == "回答待ち"
        reply = {
            "version": request["version"],
            "replied_on": today().isoformat(),
            "document": "試験市保健所 回答書（試保第9号）",
            "results": [
                {
                    "contact_id": contact["id"],
                    "exams": [{"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}],
                    "note": "IGRA陰性",
                }
            ],
        }
        response = await client.post(f"/requests/{request['id']}/reply", json=reply, headers=nurse())
        assert response.status_code == 200, response.text
        answered = response.json()
        assert answered["status_label"] == "回答済" and answered["reply_document"].startswith("試験市保健所")
        assert answered["items"][0]["results"] == [f"{today().isoformat()} IGRA（QFT） 陰性"]
        screened = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        assert any(e["kind"] == "igra_qft" and e["result"] == "negative" for e in screened["exams"])
        igra = [d for d in screened["plan"] if d["kind"] == "igra"]
        assert igra and igra[-1]["status"] == "done"

    @pytest.mark.req("R14")
    async def test_a_bad_result_in_a_reply_changes_nothing(self, client, make_index_case) -> None:
        index = await make_index_case()
        first, second = await elsewhere_contact(client, index), await elsewhere_contact(client, index, "試験 次子")
        request = await sent_on_paper(client, await draft(client, index, [first, second]))
        good = {"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}
        bad = {"kind": "xray", "done_on": today().isoformat(), "result": "positive"}
        reply = {
            "version": request["version"],
            "replied_on": today().isoformat(),
            "document": "回答書",
            "results": [{"contact_id": first["id"], "exams": [good]}, {"contact_id": second["id"], "exams": [bad]}],
        }
        response = await client.post(f"/requests/{request['id']}/reply", json=reply, headers=nurse())
        assert (
            response.status_code == 422
            and "結果が選択肢にありません" in response.json()["errors"]["results.1.exams.0.result"]
        )
        assert (await client.get(f"/contacts/{first['id']}", headers=nurse())).json()["exams"] == []
        assert (await client.get(f"/requests/{request['id']}", headers=nurse())).json()["status"] == "sent"

    @pytest.mark.req("R14")
    async def test_a_withdrawn_request_stays_readable_and_cannot_be_answered(self, client, make_index_case) -> None:
        index = await make_index_case()
        request = await sent_on_paper(client, await draft(client, index, [await elsewhere_contact(client, index)]))
        body = {"version": request["version"], "reason": "接触者が転居していたため"}
        withdrawn = (await client.post(f"/requests/{request['id']}/withdraw", json=body, headers=nurse())).json()
        assert withdrawn["status_label"] == "取下げ" and withdrawn["withdraw_reason"] == "接触者が転居していたため"
        reply = {"version": withdrawn["version"], "replied_on": today().isoformat(), "document": "回答書"}
        refused = await client.post(f"/requests/{request['id']}/reply", json=reply, headers=nurse())
        assert refused.status_code == 409 and "取下げ" in refused.json()["detail"]
        history = (await client.get(f"/requests/{request['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["reason"] == "接触者が転居していたため"
        payloads = await outbox_payloads(client, request["id"])
        assert (
            payloads[-1]["payload"]["change"] == "withdrawn" and payloads[-1]["payload"]["request"]["deadlines"] == []
        )

    @pytest.mark.req("R14")
    async def test_the_reply_by_date_is_a_deadline_of_the_snapshot_while_waiting(self, client, make_index_case) -> None:
        index = await make_index_case()
        request = await draft(client, index, [await elsewhere_contact(client, index)])
        assert (await outbox_payloads(client, request["id"]))[-1]["payload"]["request"]["deadlines"] == []
        await sent_on_paper(client, request)
        deadline = (await outbox_payloads(client, request["id"]))[-1]["payload"]["request"]["deadlines"][0]
        assert deadline["what"] == "request_reply" and deadline["due_on"] == request["reply_by"]
        letter = (await outbox_payloads(client, request["id"]))[-1]["payload"]["request"]
        assert letter["items"][0]["name"] == "試験 遠子" and letter["index_summary"] == "肺結核 喀痰塗抹陽性 空洞あり"
        assert letter["index_label"] == ""  # our patient's name does not travel
        assert "試験市保健所" in deadline["why"]

    @pytest.mark.req("R14")
    async def test_a_contact_not_of_the_index_patient_is_refused_in_japanese(self, client, make_index_case) -> None:
        index, other = await make_index_case(), await make_index_case()
        stranger = await elsewhere_contact(client, other)
        body = {
            "counterpart_name": "試験市保健所",
            "index_patient_id": str(index),
            "items": [{"contact_id": stranger["id"]}],
        }
        response = await client.post("/requests", json=body, headers=nurse())
        assert response.status_code == 422
        assert response.json()["errors"]["items.0.contact_id"] == "試験 遠子さんはこの発端患者の接触者ではありません。"

    @pytest.mark.req("R14")
    async def test_an_overdue_reply_is_flagged_on_the_board(self, client, make_index_case) -> None:
        index = await make_index_case()
        request = await draft(client, index, [await elsewhere_contact(client, index)])
        request = await sent_on_paper(client, request)
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            await session.execute(
                text("UPDATE municipal_requests SET reply_by = :d, sent_on = :s WHERE id = :id"),
                {"d": today() - timedelta(days=1), "s": today() - timedelta(days=40), "id": request["id"]},
            )
        board = (await client.get("/requests?direction=outgoing", headers=auth_headers("viewer1"))).json()
        row = next(r for r in board["items"] if r["id"] == request["id"])
        assert row["overdue"] is True and row["days_waiting"] == 40

    async def test_a_viewer_may_read_the_board_but_not_draft(self, client, make_index_case) -> None:
        index = await make_index_case()
        body = {
            "counterpart_name": "試験市保健所",
            "index_patient_id": str(index),
            "items": [{"contact_id": str(uuid.uuid4())}],
        }
        assert (await client.post("/requests", json=body, headers=auth_headers("viewer1"))).status_code == 403
        assert (await client.get("/requests", headers=auth_headers("viewer1"))).status_code == 200


class TestEncryptedSending:
    """N32: personal data leaves encrypted, the key goes another way, and each sending is recorded."""

    @pytest.mark.req("N32", partial=True)
    async def test_the_package_opens_only_with_the_key_shown_once_and_the_sending_is_recorded(
        self, client, make_index_case
    ) -> None:
        index = await make_index_case("試験 秘匿")
        contact = await elsewhere_contact(client, index)
        request = await draft(client, index, [contact])
        made = await client.post(f"/requests/{request['id']}/packages", headers=nurse())
        assert made.status_code == 201, made.text
        key = made.json()["password"]
        assert len(key) == 16 and "別の方法" in made.json()["notice"]
        download = await client.get(f"/requests/{request['id']}/packages/{made.json()['id']}", headers=nurse())
        content = download.content
        assert pkg.sha256(content) == made.json()["sha256"]
        with pytest.raises(RuntimeError):
            pkg.read_zip(content, "wrong-key")
        files = pkg.read_zip(content, key)
        assert "試験 遠子" in files["接触者一覧.csv"].decode("utf-8-sig")
        assert "試験 秘匿" not in files["依頼書.txt"].decode()  # the index patient's name does not leave
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            stored = await session.scalar(
                text("SELECT count(*) FROM municipal_request_packages WHERE content LIKE :k"),
                {"k": f"%{key}%".encode()},
            )
            anywhere = await session.scalar(
                text("SELECT count(*) FROM outbox WHERE payload::text LIKE :k"), {"k": f"%{key}%"}
            )
        assert stored == 0 and anywhere == 0
        send = {
            "version": request["version"],
            "method": "electronic",
            "sent_on": today().isoformat(),
            "documents": "依頼書、接触者一覧（暗号化ZIP）",
            "package_id": made.json()["id"],
            "key_channel": "phone",
            "key_sent_on": today().isoformat(),
        }
        sent = (await client.post(f"/requests/{request['id']}/send", json=send, headers=nurse())).json()
        sending = sent["sendings"][0]
        assert sent["status"] == "sent" and sending["package_sha256"] == made.json()["sha256"]
        assert sending["key_channel_label"] == "電話で伝達" and sending["recipient"] == "試験市保健所 感染症担当"

    @pytest.mark.req("N32", partial=True)
    async def test_a_file_without_a_separate_key_channel_is_refused(self, client, make_index_case) -> None:
        index = await make_index_case()
        request = await draft(client, index, [await elsewhere_contact(client, index)])
        made = (await client.post(f"/requests/{request['id']}/packages", headers=nurse())).json()
        send = {
            "version": request["version"],
            "method": "electronic",
            "sent_on": today().isoformat(),
            "documents": "依頼書",
            "package_id": made["id"],
            "key_channel": "same_mail",
        }
        response = await client.post(f"/requests/{request['id']}/send", json=send, headers=nurse())
        assert response.status_code == 422 and "同じメールでは送れません" in response.json()["errors"]["key_channel"]
        assert (await client.get(f"/requests/{request['id']}", headers=nurse())).json()["status"] == "draft"


class TestIncoming:
    """他自治体からの依頼: the people become contacts of an external index; our reply is recorded as sent."""

    @pytest.mark.req("R14")
    async def test_people_to_examine_become_contacts_and_the_reply_closes_the_request(self, client) -> None:
        body = {
            "counterpart_name": "試験区保健所",
            "reference": "試区保第5号",
            "requested_on": today().isoformat(),
            "reply_by": (today() + timedelta(days=20)).isoformat(),
            "index_label": "患者A",
            "index": {"infectiousness": "high", "summary": "喀痰塗抹陽性"},
            "people": [
                {
                    "name": "試験 来子",
                    "birth_date": "1990-01-01",
                    "setting": "workplace",
                    "hours": 40,
                    "last_contact_on": (today() - timedelta(days=20)).isoformat(),
                    "recommended": "IGRA",
                }
            ],
        }
        response = await client.post("/requests/incoming", json=body, headers=nurse())
        assert response.status_code == 201, response.text
        request = response.json()
        assert request["status_label"] == "受付" and request["index_name"] == "試験区保健所 患者A"
        contact = (await client.get(f"/contacts/{request['items'][0]['contact_id']}", headers=nurse())).json()
        assert contact["exposures"][0]["index_patient_id"] == request["index_patient_id"]
        assert contact["exposures"][0]["infectiousness"] == "high" and contact["plan"]
        index = await client.get(f"/index-cases/{request['index_patient_id']}", headers=nurse())
        assert index.status_code == 200 and index.json()["status"] == "external"
        deadline = (await outbox_payloads(client, request["id"]))[-1]["payload"]["request"]["deadlines"][0]
        assert deadline["what"] == "request_answer"
        exam = {"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}
        await client.post(f"/contacts/{contact['id']}/exams", json=exam, headers=nurse())
        send = {
            "version": request["version"],
            "method": "paper_mail",
            "sent_on": today().isoformat(),
            "documents": "回答書",
        }
        answered = (await client.post(f"/requests/{request['id']}/send", json=send, headers=nurse())).json()
        assert answered["status_label"] == "回答済" and answered["sendings"][0]["what"] == "reply"
        assert answered["items"][0]["results"] == [f"{today().isoformat()} IGRA（QFT） 陰性"]

    @pytest.mark.req("R14")
    async def test_a_person_without_a_name_is_refused_and_nothing_is_registered(self, client) -> None:
        body = {
            "counterpart_name": "試験区保健所",
            "requested_on": today().isoformat(),
            "index_label": "患者B",
            "people": [{"name": "", "setting": "workplace"}],
        }
        response = await client.post("/requests/incoming", json=body, headers=nurse())
        assert response.status_code == 422 and "people.0.name" in response.json()["errors"]
