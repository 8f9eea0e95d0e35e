"""Screening examinations through the API: planned and done, results by kind, the plan following them,
corrections with optimistic concurrency, cancellation, Japanese field errors."""

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


async def workplace_contact(client: httpx.AsyncClient, index_id: uuid.UUID, days_since_last: int) -> dict[str, Any]:
    """A synthetic adult workplace contact of a low-infectiousness index (no baseline test)."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "workplace",
        "hours": 2,
        "last_contact_on": (today() - timedelta(days=days_since_last)).isoformat(),
        "infectiousness": "low",
    }
    body = {"name": "試験 次郎", "name_kana": "シケン ジロウ", "birth_date": "1985-06-01", "exposures": [exposure]}
    response = await client.post("/contacts", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


class TestRecord:
    """POST /contacts/{id}/exams."""

    @pytest.mark.req("R13", partial=True)
    async def test_an_igra_done_in_the_window_completes_that_step_of_the_plan(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        body = {
            "kind": "igra_qft",
            "done_on": today().isoformat(),
            "result": "negative",
            "institution": "試験クリニック",
        }
        exam = await client.post(url, json=body, headers=nurse())
        assert exam.status_code == 201, exam.text
        assert exam.json()["result_label"] == "陰性" and exam.json()["kind_label"] == "IGRA（QFT）"
        assert exam.json()["status"] == "done"
        contact = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        igra = next(d for d in contact["plan"] if d["kind"] == "igra")
        assert igra["status"] == "done" and igra["exam_id"] == exam.json()["id"]
        assert contact["next_due"]["kind"] == "xray" and contact["version"] == 2

    @pytest.mark.req("R13", partial=True)
    async def test_a_positive_igra_calls_for_an_xray_at_once(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=70)
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "igra_tspot", "done_on": today().isoformat(), "result": "positive", "value": "12"}
        assert (await client.post(url, json=body, headers=nurse())).status_code == 201
        contact = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        assert contact["next_due"]["kind"] == "xray" and contact["next_due"]["step"] == "now"
        assert "IGRA陽性" in contact["next_due"]["why"]

    async def test_a_planned_exam_is_listed_with_the_institution(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=10)
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "xray", "planned_on": (today() + timedelta(days=30)).isoformat(), "institution": "試験病院"}
        assert (await client.post(url, json=body, headers=nurse())).status_code == 201
        listed = (await client.get(url, headers=auth_headers("viewer1"))).json()
        assert [(e["kind"], e["status"], e["institution"]) for e in listed] == [("xray", "planned", "試験病院")]

    @pytest.mark.req("R13", partial=True)
    async def test_a_result_not_of_the_kind_is_refused_in_japanese_and_nothing_is_stored(
        self, client, make_index_case
    ) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "xray", "result": "positive", "erythema_mm": 12}
        response = await client.post(url, json=body, headers=nurse())
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert (
            "選択肢" in errors["result"] and "ツベルクリン" in errors["erythema_mm"] and "実施日" in errors["done_on"]
        )
        future = await client.post(url, json={"kind": "tst", "done_on": "2999-01-01"}, headers=nurse())
        assert future.status_code == 422 and "未来" in future.json()["errors"]["done_on"]
        assert (await client.get(url, headers=nurse())).json() == []


class TestCorrect:
    """PATCH /contacts/{id}/exams/{exam_id} and its cancellation."""

    @pytest.mark.req("R13", "R15", partial=True)
    async def test_a_result_entered_later_on_a_planned_exam_with_a_stale_version_is_refused(
        self, client, make_index_case
    ) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        planned = (
            await client.post(url, json={"kind": "tst", "planned_on": today().isoformat()}, headers=nurse())
        ).json()
        result = {"done_on": today().isoformat(), "result": "positive", "erythema_mm": 32, "induration_mm": 15}
        saved = await client.patch(f"{url}/{planned['id']}", json={"version": 1, "changes": result}, headers=nurse())
        assert saved.status_code == 200, saved.text
        assert saved.json()["status"] == "done" and saved.json()["induration_mm"] == 15 and saved.json()["version"] == 2
        stale = await client.patch(
            f"{url}/{planned['id']}", json={"version": 1, "changes": {"result": "negative"}}, headers=nurse()
        )
        assert stale.status_code == 409 and "他の利用者" in stale.json()["detail"]
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["record_type"] == "exam" and history[0]["changes"]["result"] == ["", "positive"]

    async def test_a_cancelled_exam_stays_listed_and_leaves_the_plan(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}
        exam = (await client.post(url, json=body, headers=nurse())).json()
        cancel = await client.post(
            f"{url}/{exam['id']}/cancel", json={"version": 1, "reason": "別人の結果"}, headers=nurse()
        )
        assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
        contact = (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()
        igra = next(d for d in contact["plan"] if d["kind"] == "igra")
        assert igra["status"] == "due" and igra["exam_id"] is None
        assert [e["status"] for e in contact["exams"]] == ["cancelled"]

    async def test_a_reader_cannot_record_an_exam(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        refused = await client.post(f"/contacts/{contact['id']}/exams", json={}, headers=auth_headers("viewer1"))
        assert refused.status_code == 403 and "「接触者管理」の更新権限" in refused.json()["detail"]


async def last_snapshot(client: httpx.AsyncClient, contact_id: str) -> dict[str, Any]:
    """The contact's snapshot in the last ContactUpdated event its outbox holds."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        payload = await session.scalar(
            text(
                "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id AND subject = :s "
                "ORDER BY created_at DESC LIMIT 1"
            ),
            {"id": contact_id, "s": ContactUpdated.TYPE},
        )
    return payload["payload"]["contact"]


# synthetic irradiation conditions of a chest X-ray
CONDITIONS: dict[str, Any] = {
    "projection": "pa",
    "exposures": 1,
    "kv": 120,
    "ma": 320,
    "time_s": 0.01,
    "mas": 3.2,
    "distance_cm": 180,
    "device": "試験X線装置 1号機",
    "radiographer": "試験 技師",
    "physician": "試験 医師",
    "instruction": "胸部正面1方向",
}


class TestIrradiation:
    """The 照射録's irradiation conditions of a chest X-ray (F24)."""

    @pytest.mark.req("F24", "R13", partial=True)
    async def test_an_xray_keeps_its_conditions_in_the_contact_and_its_snapshot(self, client, make_index_case) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        body = {"kind": "xray", "done_on": today().isoformat(), "result": "normal", "irradiation": CONDITIONS}
        exam = await client.post(url, json=body, headers=nurse())
        assert exam.status_code == 201, exam.text
        kept = exam.json()["irradiation"]
        assert kept["kv"] == 120 and kept["mas"] == 3.2 and kept["projection_label"] == "正面（PA・立位）"
        published = await last_snapshot(client, contact["id"])
        assert published["exams"][0]["irradiation"]["radiographer"] == "試験 技師"
        changed = await client.patch(
            f"{url}/{exam.json()['id']}",
            json={"version": 1, "changes": {"irradiation": CONDITIONS | {"kv": 110, "mas": 3.2}}},
            headers=nurse(),
        )
        assert changed.status_code == 200 and changed.json()["irradiation"]["kv"] == 110
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["record_type"] == "exam" and "irradiation" in str(history[0]["changes"])

    @pytest.mark.req("F24", partial=True)
    async def test_conditions_are_refused_on_another_kind_without_a_day_or_when_mas_disagrees(
        self, client, make_index_case
    ) -> None:
        contact = await workplace_contact(client, await make_index_case(), days_since_last=60)
        url = f"/contacts/{contact['id']}/exams"
        igra = {"kind": "igra_qft", "done_on": today().isoformat(), "irradiation": {"kv": 120}}
        refused = await client.post(url, json=igra, headers=nurse())
        assert refused.status_code == 422 and "胸部X線" in refused.json()["errors"]["irradiation"]
        undated = await client.post(url, json={"kind": "xray", "irradiation": {"kv": 120}}, headers=nurse())
        assert undated.status_code == 422 and "照射日" in undated.json()["errors"]["done_on"]
        wrong = {"kind": "xray", "done_on": today().isoformat(), "irradiation": {"ma": 320, "time_s": 0.01, "mas": 30}}
        mismatch = await client.post(url, json=wrong, headers=nurse())
        assert mismatch.status_code == 422 and "合いません" in mismatch.json()["errors"]["irradiation.mas"]
        too_high = {"kind": "xray", "done_on": today().isoformat(), "irradiation": {"kv": 900}}
        assert (await client.post(url, json=too_high, headers=nurse())).status_code == 422
        assert (await client.get(url, headers=nurse())).json() == []
