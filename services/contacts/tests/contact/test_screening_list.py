"""The screening list a nurse works from: filters (due this week, overdue, no result, district, setting, priority,
index patient, status), sorting and paging; its CSV export; the counts of the patient page; the duplicate check at
registration; and the small rules of registration and correction that came with them."""

import asyncio
import csv
import io
import random
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_testing import auth_headers
from tbms_testing.keycloak_users import AccessUser, log_in_all


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


def contact_body(index_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """A synthetic household contact of a highly infectious index patient, last seen 10 days ago."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "household",
        "relation": "妻",
        "last_contact_on": (today() - timedelta(days=10)).isoformat(),
        "infectiousness": "high",
    }
    body = {"name": "試験 花子", "name_kana": "シケン ハナコ", "sex": "female", "birth_date": "S55.4.1"}
    return {**body, "exposures": [exposure], **changes}


async def register(client: httpx.AsyncClient, index_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """Registers a contact as nurse1 and returns it."""
    response = await client.post("/contacts", json=contact_body(index_id, **changes), headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


def district() -> str:
    """A district of this test alone, so earlier tests' contacts stay out of its lists."""
    return f"試験{uuid.uuid4().hex[:8]}"


def birthday() -> str:
    """A birth date no other test uses (the duplicate check looks across every contact)."""
    day = date(1930, 1, 1) + timedelta(days=random.randrange(30000))
    return day.isoformat()


LISTED = (today() - timedelta(days=60)).isoformat()  # listed 60 days ago: its IGRA (last contact 100 days ago) is late


def workplace(index_id: uuid.UUID, last_days_ago: int, **changes: Any) -> dict[str, Any]:
    """A low-risk workplace exposure: no baseline test, IGRA 8 weeks after the last contact."""
    return {
        "index_patient_id": str(index_id),
        "setting": "workplace",
        "hours": 2,
        "infectiousness": "low",
        "last_contact_on": (today() - timedelta(days=last_days_ago)).isoformat(),
        **changes,
    }


async def listed(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    """GET /contacts with the conditions, as nurse1."""
    answer = await client.get("/contacts", params=params, headers=nurse())
    assert answer.status_code == 200, answer.text
    return answer.json()


async def audit_rows(client: httpx.AsyncClient) -> int:
    """How many audit events the service has written so far."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        found = await session.scalar(text("SELECT count(*) FROM outbox WHERE subject LIKE 'tbms.audit.%'"))
    return int(found or 0)


class TestScreeningList:
    """GET /contacts with conditions."""

    @pytest.mark.req("R13", partial=True)
    async def test_due_this_week_overdue_and_no_result_select_by_the_plan(self, client, make_index_case) -> None:
        where = district()
        index_id = await make_index_case(district=where)
        soon = await register(client, index_id, name="試験 週内", exposures=[workplace(index_id, 53)])  # due in 3 days
        late = await register(
            client, index_id, name="試験 超過", exposures=[workplace(index_id, 100)], found_on=LISTED
        )  # 44 days ago
        later = await register(client, index_id, name="試験 先々", exposures=[workplace(index_id, 10)])  # in 46 days
        igra = soon["next_due"]
        assert igra["due_on"] == (today() + timedelta(days=3)).isoformat() and igra["kind"] == "igra"
        assert late["next_due"]["status"] == "overdue"

        week = await listed(client, district=where, due="week")
        assert [c["name"] for c in week["items"]] == ["試験 週内"] and week["total"] == 1
        overdue = await listed(client, district=where, due="overdue")
        assert [c["name"] for c in overdue["items"]] == ["試験 超過"]

        done = {"kind": "igra_qft", "done_on": today().isoformat(), "result": "negative"}
        saved = await client.post(f"/contacts/{late['id']}/exams", json=done, headers=nurse())
        assert saved.status_code == 201, saved.text
        no_result = await listed(client, district=where, due="no_result", sort="name")
        assert {c["id"] for c in no_result["items"]} == {soon["id"], later["id"]}
        overdue = await listed(client, district=where, due="overdue")
        assert overdue["total"] == 0  # the IGRA done today matched the overdue item; next is the X-ray

    @pytest.mark.req("R13", partial=True)
    async def test_sorted_by_the_next_due_day_with_those_without_one_last(self, client, make_index_case) -> None:
        where = district()
        index_id = await make_index_case(district=where)
        ended = await register(client, index_id, name="試験 終了", exposures=[workplace(index_id, 5)])
        end = {"version": 1, "ended_on": today().isoformat(), "reason": "excluded"}
        assert (await client.post(f"/contacts/{ended['id']}/end", json=end, headers=nurse())).status_code == 200
        await register(client, index_id, name="試験 後", exposures=[workplace(index_id, 10)])
        await register(client, index_id, name="試験 先", exposures=[workplace(index_id, 100)], found_on=LISTED)
        by_due = await listed(client, district=where, sort="due")
        assert [c["name"] for c in by_due["items"]] == ["試験 先", "試験 後", "試験 終了"]
        active = await listed(client, district=where, status="active", sort="due")
        assert [c["name"] for c in active["items"]] == ["試験 先", "試験 後"]
        ended_only = await listed(client, district=where, status="ended")
        assert [c["name"] for c in ended_only["items"]] == ["試験 終了"]
        paged = await listed(client, district=where, sort="due", limit=1, offset=1)
        assert [c["name"] for c in paged["items"]] == ["試験 後"] and paged["total"] == 3

    @pytest.mark.req("R12", partial=True)
    async def test_district_setting_priority_and_index_patient_narrow_the_list(self, client, make_index_case) -> None:
        where, elsewhere = district(), district()
        first, second = await make_index_case(district=where), await make_index_case(district=where)
        other = await make_index_case(district=elsewhere)
        household = await register(client, first, name="試験 同居")  # high infectiousness, household: 最優先
        work = await register(client, second, name="試験 職場", exposures=[workplace(second, 20)])  # 低優先
        await register(client, other, name="試験 他地区")
        assert household["priority"]["value"] == "top" and work["priority"]["value"] == "low"

        in_district = await listed(client, district=where, sort="name")
        assert {c["id"] for c in in_district["items"]} == {household["id"], work["id"]}
        assert [c["id"] for c in (await listed(client, district=where, setting="workplace"))["items"]] == [work["id"]]
        assert [c["id"] for c in (await listed(client, district=where, priority="top"))["items"]] == [household["id"]]
        assert [c["id"] for c in (await listed(client, index_patient_id=str(second)))["items"]] == [work["id"]]
        both = await listed(client, index_patient_id=str(first), setting="workplace")
        assert both["total"] == 0  # the conditions on exposures hold for the same exposure

        override = {"priority_override": "low", "priority_reason": "接触は玄関先のみ"}
        saved = await client.patch(
            f"/contacts/{household['id']}", json={"version": 1, "changes": override}, headers=nurse()
        )
        assert saved.status_code == 200
        assert (await listed(client, district=where, priority="top"))["total"] == 0
        assert (await listed(client, district=where, priority="low"))["total"] == 2

    async def test_blank_conditions_are_no_conditions_and_bad_ones_are_refused_in_japanese(self, client) -> None:
        blank = await client.get("/contacts", params={"due": "", "district": "", "setting": ""}, headers=nurse())
        assert blank.status_code == 200
        bad = await client.get("/contacts", params={"due": "someday", "offset": 10_001}, headers=nurse())
        assert bad.status_code == 422
        assert bad.json()["errors"]["due"] == "選択肢から選んでください。"
        assert "10000以下" in bad.json()["errors"]["offset"]

    @pytest.mark.req("N05", partial=True)
    async def test_the_list_read_is_audited_with_its_conditions(self, client, make_index_case) -> None:
        where = district()
        await register(client, await make_index_case(district=where))
        await listed(client, district=where, due="overdue")
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            query = await session.scalar(
                text(
                    "SELECT payload->'payload'->>'query' FROM outbox WHERE subject LIKE 'tbms.audit.%' "
                    "AND payload->'payload'->>'record_type' = 'contact_list' ORDER BY created_at DESC LIMIT 1"
                )
            )
        assert query is not None and f"district={where}" in query and "due=overdue" in query


class TestCounts:
    """GET /contacts/counts?index_patient_id=: the patient page's 接触者 section."""

    @pytest.mark.req("R13", partial=True)
    async def test_counts_of_an_index_patient_without_reading_personal_data(self, client, make_index_case) -> None:
        index_id = await make_index_case()
        await register(client, index_id, exposures=[workplace(index_id, 100)], found_on=LISTED)  # overdue
        await register(client, index_id, exposures=[workplace(index_id, 10)])
        ended = await register(client, index_id, exposures=[workplace(index_id, 100)], found_on=LISTED)
        end = {"version": 1, "ended_on": today().isoformat(), "reason": "completed"}
        assert (await client.post(f"/contacts/{ended['id']}/end", json=end, headers=nurse())).status_code == 200
        before = await audit_rows(client)
        answer = await client.get(
            "/contacts/counts", params={"index_patient_id": str(index_id)}, headers=auth_headers("viewer1")
        )
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"total": 3, "active": 2, "overdue": 1}
        assert await audit_rows(client) == before  # counts only: nothing personal was read
        none = await client.get("/contacts/counts", params={"index_patient_id": str(uuid.uuid4())}, headers=nurse())
        assert none.json() == {"total": 0, "active": 0, "overdue": 0}


class TestExport:
    """GET /contacts/export: the filtered list as CSV."""

    @pytest.mark.req("N26", partial=True)
    async def test_shift_jis_refuses_a_character_it_lacks_with_its_place_and_writes_geta_on_request(
        self, client, make_index_case
    ) -> None:
        where = district()
        index_id = await make_index_case("試験 発端", district=where)
        await register(client, index_id, name="𠮷岡 ①子", exposures=[workplace(index_id, 10)])
        params = {"district": where, "encoding": "cp932"}

        refused = await client.get("/contacts/export", params=params, headers=nurse())
        sjis = await client.get("/contacts/export", params={**params, "substitute": "true"}, headers=nurse())

        assert refused.status_code == 422 and refused.json()["code"] == "csv_not_in_cp932"
        assert "1行目の「氏名」の「𠮷」（U+20BB7）" in refused.json()["detail"]
        assert sjis.status_code == 200 and sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        rows = list(csv.reader(io.StringIO(sjis.content.decode("cp932"))))
        assert [row[0] for row in rows[1:]] == ["〓岡 ①子"] and sjis.headers["x-tbms-replaced-cells"] == "1"

    @pytest.mark.req("R13", partial=True)
    async def test_the_filtered_list_is_exported_for_excel_and_audited(self, client, make_index_case) -> None:
        where = district()
        index_id = await make_index_case("試験 発端", district=where)
        await register(
            client,
            index_id,
            name="試験 超過",
            phone="03-1111-2222",
            exposures=[workplace(index_id, 100)],
            found_on=LISTED,
        )
        await register(client, index_id, name="試験 予定", exposures=[workplace(index_id, 10)])
        before = await audit_rows(client)
        answer = await client.get("/contacts/export", params={"district": where, "sort": "due"}, headers=nurse())
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/csv")
        assert "filename*=UTF-8''" in answer.headers["content-disposition"]
        body = answer.content.decode("utf-8")
        assert body.startswith("\ufeff") and "\r\n" in body
        rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
        header = rows[0]
        assert header[:3] == ["氏名", "カナ", "性別"] and "期限超過" in header
        first = dict(zip(header, rows[1], strict=True))
        assert first["氏名"] == "試験 超過" and first["期限超過"] == "期限超過" and first["発端患者"] == "試験 発端"
        assert first["接触の場"] == "職場" and first["次の検査"] == "IGRA" and first["優先度"] == "低優先"
        assert [r[0] for r in rows[1:]] == ["試験 超過", "試験 予定"]
        assert await audit_rows(client) == before + 1
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            operation = await session.scalar(
                text(
                    "SELECT payload->'payload'->>'operation' FROM outbox WHERE subject LIKE 'tbms.audit.%' "
                    "ORDER BY created_at DESC LIMIT 1"
                )
            )
        assert operation == "export"

    async def test_more_rows_than_one_file_may_hold_are_refused_not_cut(
        self, client, make_index_case, monkeypatch
    ) -> None:
        where = district()
        index_id = await make_index_case(district=where)
        await register(client, index_id)
        await register(client, index_id)
        monkeypatch.setattr("contacts.contact.service.MAX_EXPORT_ROWS", 1)  # the limit is 100,000 in service
        answer = await client.get("/contacts/export", params={"district": where}, headers=nurse())
        assert answer.status_code == 422 and answer.json()["code"] == "export_too_large"
        assert "1件を超えています" in answer.json()["detail"] and "地区" in answer.json()["detail"]

    async def test_a_reader_without_output_rights_may_not_export(self, client) -> None:
        contacts_only = AccessUser.of({Area.CONTACTS: Access.UPDATE})
        token = (await asyncio.to_thread(log_in_all, [contacts_only]))[contacts_only]
        answer = await client.get("/contacts/export", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 403 and "「統計・出力」" in answer.json()["detail"]
        listed = await client.get("/contacts", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200  # the list itself is 接触者管理


class TestDuplicates:
    """POST /contacts/duplicates: is the person being registered already a contact?"""

    @pytest.mark.req("R12", partial=True)
    async def test_the_same_birth_date_and_a_name_folded_as_search_folds_it_is_found(
        self, client, make_index_case
    ) -> None:
        born = birthday()
        first = await make_index_case("試験 発端")
        existing = await register(client, first, name="髙橋 花子", name_kana="タカハシ ハナコ", birth_date=born)
        for typed in (
            {"name": "高橋　花子", "birth_date": born},  # 異体字 and a full-width space
            {"name": "別名", "name_kana": "たかはし はなこ", "birth_date": born},  # the カナ typed in hiragana
        ):
            answer = await client.post("/contacts/duplicates", json=typed, headers=nurse())
            assert answer.status_code == 200, answer.text
            found = answer.json()["items"]
            assert [c["id"] for c in found] == [existing["id"]]
            assert found[0]["index_patients"] == [{"id": str(first), "name": "試験 発端"}]
            assert found[0]["why"] and found[0]["version"] == 1
        other_day = await client.post("/contacts/duplicates", json={"name": "髙橋 花子"}, headers=nurse())
        assert other_day.json()["items"] == []  # a name alone is not enough

    @pytest.mark.req("R12", partial=True)
    async def test_the_same_phone_number_is_found_and_the_exposure_is_added_instead(
        self, client, make_index_case
    ) -> None:
        phone = f"090-{random.randrange(10000):04d}-{random.randrange(10000):04d}"
        first, second = await make_index_case(), await make_index_case("試験 二人目")
        existing = await register(client, first, phone=phone, birth_date=birthday())
        typed = {
            "name": "試験 花子",
            "phone": phone.replace("-", "").translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        }
        found = (await client.post("/contacts/duplicates", json=typed, headers=nurse())).json()["items"]
        assert [c["id"] for c in found] == [existing["id"]] and found[0]["why"] == ["電話番号が同じ"]
        linked = await client.post(
            f"/contacts/{existing['id']}/exposures",
            json={"version": found[0]["version"], "exposure": workplace(second, 5)},
            headers=nurse(),
        )
        assert linked.status_code == 201
        assert (await listed(client, index_patient_id=str(second)))["total"] == 1

    async def test_a_user_without_the_contacts_area_cannot_look(self, client) -> None:
        patients_only = AccessUser.of({Area.PATIENTS: Access.UPDATE})
        token = (await asyncio.to_thread(log_in_all, [patients_only]))[patients_only]
        headers = {"Authorization": f"Bearer {token}"}
        for answer in (
            await client.post("/contacts/duplicates", json={"name": "試験"}, headers=headers),
            await client.get("/contacts/counts", params={"index_patient_id": str(uuid.uuid4())}, headers=headers),
            await client.get("/contacts/export", headers=headers),
        ):
            assert answer.status_code == 403 and "「接触者管理」" in answer.json()["detail"]


class TestRegistrationRules:
    """Small rules of registering and correcting a contact."""

    @pytest.mark.req("R12", partial=True)
    async def test_elsewhere_without_a_municipality_is_answered_under_municipality(
        self, client, make_index_case
    ) -> None:
        body = contact_body(await make_index_case(), residence="elsewhere")
        answer = await client.post("/contacts", json=body, headers=nurse())
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"municipality": "他自治体に住む接触者は市区町村名を入力してください。"}

    @pytest.mark.req("R12", partial=True)
    async def test_an_emptied_name_on_a_correction_asks_for_it(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        for emptied in ("", "　"):
            answer = await client.patch(
                f"/contacts/{contact['id']}", json={"version": 1, "changes": {"name": emptied}}, headers=nurse()
            )
            assert answer.status_code == 422 and answer.json()["errors"] == {"changes.name": "入力してください。"}
        assert (await client.get(f"/contacts/{contact['id']}", headers=nurse())).json()["version"] == 1

    @pytest.mark.req("R12", partial=True)
    async def test_the_timeline_starts_at_registration(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        change = {"version": 1, "changes": {"phone": "03-0000-1111"}, "reason": "聞き取り"}
        assert (await client.patch(f"/contacts/{contact['id']}", json=change, headers=nurse())).status_code == 200
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert [(h["version"], h["reason"]) for h in history] == [(2, "聞き取り"), (1, "登録")]
        registered = history[1]["changes"]
        assert registered["name"] == [None, "試験 花子"] and registered["birth_date"] == [None, "1980-04-01"]
        assert registered["exposures.0.setting"] == [None, "household"]
        assert registered["exposures.0.index_patient_id"][1] == contact["exposures"][0]["index_patient_id"]
