"""The master API through real logins: kinds, records of every kind, search, effective dating, corrections with
their history, ending, access levels, and the MasterChanged events it leaves behind."""

import asyncio
import json
import random
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from masters.master.kinds import KINDS
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_testing import auth_headers
from tbms_testing.keycloak_users import AccessUser, log_in_all

NATS_URL = "nats://127.0.0.1:54222"
ADMIN = "admin1"  # マスタ管理 更新
HOSPITAL = {"type": "hospital"}
# The period of a test's コード表 entries: ended before today, so the forms of the running stack never offer them.
ENDED = {"valid_from": "R2.4.1", "valid_to": "R2.4.30"}


async def create(client: httpx.AsyncClient, kind: str, user: str = ADMIN, **body: Any) -> httpx.Response:
    """POSTs a record as a demo user."""
    return await client.post(f"/masters/{kind}", json=body, headers=auth_headers(user))


async def get(client: httpx.AsyncClient, path: str, user: str = "viewer1", **params: Any) -> httpx.Response:
    """GETs a master path as a demo user (viewer1 holds 参照 only)."""
    return await client.get(f"/masters/{path}", params=params, headers=auth_headers(user))


async def codes_listed(client: httpx.AsyncClient, kind: str, **params: Any) -> list[str]:
    """The codes a list shows."""
    response = await get(client, kind, limit=500, **params)
    assert response.status_code == 200, response.text
    return [row["code"] for row in response.json()["items"]]


class TestKinds:
    """GET /masters/kinds."""

    @pytest.mark.req("R25", partial=True)
    async def test_every_kind_is_described_for_forms_and_exports(self, client: httpx.AsyncClient) -> None:
        response = await get(client, "kinds")
        assert response.status_code == 200
        kinds = {kind["kind"]: kind for kind in response.json()}
        assert {"institution", "doctor", "municipality", "board_member", "payer_number", "code"} <= set(kinds)
        assert kinds["institution"]["code_label"] == "医療機関コード"
        designated = next(f for f in kinds["institution"]["fields"] if f["key"] == "designated")
        assert designated["label"] == "結核指定医療機関" and designated["type"] == "bool"
        doctor_at = kinds["doctor"]["fields"][0]
        assert (doctor_at["type"], doctor_at["ref_kind"], doctor_at["required"]) == ("ref", "institution", True)
        assert kinds["board_member"]["fields"][0]["choices"]["legal"] == "法律関係者"

    async def test_every_kind_is_listed_with_whether_masters_makes_its_code(self, client: httpx.AsyncClient) -> None:
        response = await get(client, "kinds")
        listed = [kind["kind"] for kind in response.json()]
        assert listed == list(KINDS)
        derived = {kind["kind"]: (kind["code_derived"], kind["name_derived"]) for kind in response.json()}
        assert derived["code"] == derived["population"] == (True, True)
        assert derived["letterhead"] == (True, False)
        assert derived["institution"] == derived["doctor"] == derived["municipality"] == (False, False)


class TestCreate:
    """POST /masters/{kind}."""

    @pytest.mark.req("R25", partial=True)
    async def test_master_keeper_adds_an_institution(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        response = await create(
            client,
            "institution",
            code=code,
            name="試験病院",
            kana="ｼｹﾝﾋﾞｮｳｲﾝ",
            data={"type": "病院", "designated": True, "designated_from": "R2.4.1", "tb_beds": True, "tb_bed_count": 20},
            reason="新規指定",
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["kind"], body["code"], body["kana"], body["version"]) == (
            "institution",
            code,
            "シケンビョウイン",
            1,
        )
        assert body["data"]["designated_from"] == "2020-04-01" and body["active"] is True
        assert body["valid_from"] == today().isoformat() and body["valid_to"] is None

    @pytest.mark.req("R25", partial=True)
    async def test_a_wrong_check_digit_is_refused_beside_the_code(self, client: httpx.AsyncClient) -> None:
        # 13 1 01 2345 ?: 5×2=10→1, 4, 3×2=6, 2, 1×2=2, 0 → 15 → the digit is 5, so 4 is wrong
        response = await create(client, "institution", code="1310123454", name="試験病院", data=HOSPITAL)
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "code": "医療機関コードの検証番号（最後の1桁）が合いません。コードに誤りがないか確認してください。"
        }

    async def test_a_code_given_twice_is_refused(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        assert (await create(client, "institution", code=code, name="試験病院", data=HOSPITAL)).status_code == 201
        again = await create(client, "institution", code=code, name="架空病院", data=HOSPITAL)
        assert again.status_code == 409 and again.json()["code"] == "master_code_taken"

    @pytest.mark.req("R25", partial=True)
    async def test_a_user_who_may_only_read_masters_cannot_add(self, client: httpx.AsyncClient, codes) -> None:
        response = await create(client, "institution", user="nurse1", code=codes.institution(), name="試験病院")
        assert response.status_code == 403
        assert response.json()["detail"] == "「マスタ管理」の更新権限がありません。管理者に確認してください。"

    @pytest.mark.req("R25", partial=True)
    async def test_every_kind_of_master_can_be_kept(self, client: httpx.AsyncClient, codes) -> None:
        institution = codes.institution()
        records = [
            ("institution", {"code": institution, "name": "架空クリニック", "data": {"type": "clinic"}}),
            ("doctor", {"code": codes.free("D"), "name": "試験 医師", "data": {"institution_code": institution}}),
            ("laboratory", {"code": codes.free("L"), "name": "試験検査センター", "data": {"phone": "03-0000-0000"}}),
            (
                "municipality",
                {"code": codes.municipality(), "name": "試験区", "data": {"health_center_name": "試験保健所"}},
            ),
            ("board_member", {"code": codes.free("B"), "name": "試験 委員", "data": {"role": "legal"}}),
            (
                "staff_assignment",
                {
                    "code": codes.free("S"),
                    "name": "世田谷1班",
                    "data": {"district_code": "setagaya", "nurse_name": "試験 保健師"},
                },
            ),
            # 1013002?: 2×2=4, 0, 0×2=0, 3, 1×2=2, 0, 1×2=2 → 11 → 10−1 = 9 → 10130029
            ("payer_number", {"code": "10130029", "name": "試験区 37条の2", "data": {"law": "10", "agency": "試験区"}}),
            # ended already: the services keep every コード表 entry from NATS, and a test's must never be offered
            ("code", {"data": {"list": "occupation", "value": f"test{codes.serial()}", "label": "試験職"}, **ENDED}),
            (
                "population",
                {
                    "data": {
                        "district_code": "kinuta",
                        "age_group": "85-",
                        "sex": "male",
                        "reference_date": f"{2000 + codes.serial() % 20}-10-01",
                        "count": 1234,
                    }
                },
            ),
        ]
        for kind, body in records:
            response = await create(client, kind, **body)
            assert response.status_code == 201, (kind, response.text)

    async def test_the_letterhead_is_the_one_record_coded_self(self, client: httpx.AsyncClient) -> None:
        body = {"name": "試験保健所", "data": {"director_name": "試験 所長", "contact_text": "試験課 03-0000-0000"}}
        response = await create(client, "letterhead", **body)
        assert response.status_code == 201
        assert (await get(client, "letterhead/self")).json()["name"] == "試験保健所"


class TestRead:
    """GET /masters/{kind}/{code} and GET /masters/{kind}."""

    async def test_an_unknown_code_or_kind_is_not_found_in_japanese(self, client: httpx.AsyncClient) -> None:
        missing = await get(client, "institution/1310000000")
        assert missing.status_code == 404 and missing.json()["code"] == "master_not_found"
        assert missing.json()["detail"] == "指定されたマスタのデータが見つかりません。"
        unknown = await get(client, "hospitals")
        assert unknown.status_code == 404 and unknown.json()["detail"] == "指定された種類のマスタはありません。"

    async def test_a_code_list_entry_with_a_slash_is_read_by_its_code(self, client: httpx.AsyncClient, codes) -> None:
        value = f"2HREZ/{codes.serial()}HR"
        data = {"list": "regimen", "value": value, "label": "試験レジメン"}
        assert (await create(client, "code", data=data, **ENDED)).status_code == 201
        response = await get(client, f"code/regimen:{value}")
        assert response.status_code == 200 and response.json()["name"] == "試験レジメン"

    @pytest.mark.req("R26")
    async def test_search_folds_width_kana_and_variant_kanji(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        body = {"code": code, "name": "髙﨑試験医院", "kana": "タカサキシケンイイン", "data": {"type": "clinic"}}
        assert (await create(client, "institution", **body)).status_code == 201
        for typed in ("高崎試験", "ﾀｶｻｷｼｹﾝ", "たかさき", code[:9]):
            assert code in await codes_listed(client, "institution", q=typed), typed

    @pytest.mark.req("R26")
    async def test_a_list_on_a_past_day_typed_in_wareki_shows_what_was_valid_then(
        self, client: httpx.AsyncClient, codes
    ) -> None:
        code = codes.institution()
        body = {"code": code, "name": "架空旧病院", "data": HOSPITAL, "valid_from": "H20.4.1", "valid_to": "R2.3.31"}
        assert (await create(client, "institution", **body)).status_code == 201
        assert code not in await codes_listed(client, "institution", q=code)
        assert code in await codes_listed(client, "institution", q=code, on="R1.5.1")
        assert code in await codes_listed(client, "institution", q=code, include_ended="true")
        assert (await get(client, "institution", on="R1.13.1")).json()["errors"] == {
            "on": "「令和元年13月1日」は存在しない日付です。"
        }


class TestChange:
    """PATCH /masters/{kind}/{code} and its history."""

    @pytest.mark.req("R26")
    async def test_a_correction_is_kept_in_the_history_newest_first(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        await create(client, "institution", code=code, name="試験病院", data=HOSPITAL, reason="新規")
        body = {"version": 1, "changes": {"name": "試験総合病院", "phone": "03-1111-2222"}, "reason": "名称変更"}
        response = await client.patch(f"/masters/institution/{code}", json=body, headers=auth_headers(ADMIN))
        assert response.status_code == 200 and response.json()["version"] == 2
        history = (await get(client, f"institution/{code}/history")).json()["items"]
        assert [(entry["version"], entry["reason"]) for entry in history] == [(2, "名称変更"), (1, "新規")]
        assert history[0]["changes"] == [
            {"field": "name", "label": "名称", "old": "試験病院", "new": "試験総合病院"},
            {"field": "phone", "label": "電話番号", "old": "（空欄）", "new": "03-1111-2222"},
        ]
        assert history[0]["changed_by_name"]

    async def test_a_stale_version_answers_409_in_japanese(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        await create(client, "institution", code=code, name="試験病院", data=HOSPITAL)
        first = {"version": 1, "changes": {"address": "試験町1"}}
        assert (await client.patch(f"/masters/institution/{code}", json=first, headers=auth_headers(ADMIN))).is_success
        stale = await client.patch(f"/masters/institution/{code}", json=first, headers=auth_headers(ADMIN))
        assert stale.status_code == 409 and "他の利用者によって更新されています" in stale.json()["detail"]


class TestEnd:
    """POST /masters/{kind}/{code}/end."""

    @pytest.mark.req("R26")
    async def test_ending_retires_a_record_without_deleting_it(self, client: httpx.AsyncClient, codes) -> None:
        code = codes.institution()
        body = {"code": code, "name": "架空廃止病院", "data": HOSPITAL, "valid_from": "R5.4.1"}
        await create(client, "institution", **body)
        end = {"version": 1, "valid_to": (today() - timedelta(days=1)).isoformat(), "reason": "廃止"}
        response = await client.post(f"/masters/institution/{code}/end", json=end, headers=auth_headers(ADMIN))
        assert response.status_code == 200 and response.json()["active"] is False
        assert code not in await codes_listed(client, "institution", q=code)
        assert (await get(client, f"institution/{code}")).json()["name"] == "架空廃止病院"


class TestSuggest:
    """GET /masters/{kind}/suggest."""

    @pytest.mark.req("R25", partial=True)
    async def test_the_doctor_picker_offers_the_doctors_of_one_institution(
        self, client: httpx.AsyncClient, codes
    ) -> None:
        here, there = codes.institution(), codes.institution()
        for code in (here, there):
            await create(client, "institution", code=code, name="試験病院", data=HOSPITAL)
        mine, other = codes.free("D"), codes.free("D")
        doctor = {"name": "試験 花子", "kana": "シケン ハナコ"}
        await create(client, "doctor", code=mine, **doctor, data={"institution_code": here, "specialty": "呼吸器内科"})
        await create(client, "doctor", code=other, **doctor, data={"institution_code": there})
        response = await get(client, "doctor/suggest", q="ｼｹﾝ ﾊﾅ", ref=here)
        assert response.json() == [
            {
                "code": mine,
                "name": "試験 花子",
                "kana": "シケン ハナコ",
                "label": f"試験 花子（{mine}）",
                "detail": "呼吸器内科",
            }
        ]


class TestAccess:
    """Reads need a login, as /districts always did; changes need マスタ管理 更新."""

    async def test_any_logged_in_user_may_read_even_without_an_area(self, client: httpx.AsyncClient) -> None:
        forms_reader, nobody = AccessUser.of({Area.FORMS: Access.READ}), AccessUser.of({})
        tokens = await asyncio.to_thread(log_in_all, [forms_reader, nobody])
        for user in (forms_reader, nobody):
            answer = await client.get("/masters/district", headers={"Authorization": f"Bearer {tokens[user]}"})
            assert answer.status_code == 200

    async def test_a_change_without_update_is_refused_before_its_body_is_read(self, client: httpx.AsyncClient) -> None:
        answer = await client.post("/masters/institution", json={}, headers=auth_headers("viewer1"))
        assert answer.status_code == 403 and "マスタ管理" in answer.json()["detail"]

    async def test_anonymous_callers_are_refused(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/masters/kinds")).status_code == 401


class TestEvents:
    """What changes publish through the outbox."""

    @pytest.mark.req("R25", partial=True)
    async def test_each_change_reaches_nats_as_master_changed_with_a_snapshot(
        self, client: httpx.AsyncClient, codes
    ) -> None:
        nc = await nats.connect(NATS_URL)
        js = nc.jetstream()
        new = nats.js.api.DeliverPolicy.NEW
        events = await js.subscribe(MasterChanged.TYPE, ordered_consumer=True, deliver_policy=new)
        audits = await js.subscribe(
            "tbms.audit.masters.operation.recorded.v1", ordered_consumer=True, deliver_policy=new
        )
        code = codes.institution()
        await create(client, "institution", code=code, name="試験病院", data=HOSPITAL)
        change = {"version": 1, "changes": {"name": "試験中央病院"}}
        await client.patch(f"/masters/institution/{code}", json=change, headers=auth_headers(ADMIN))
        received = []
        while len(received) < 2:
            msg = await events.next_msg(timeout=10)
            envelope = json.loads(msg.data)
            if envelope["aggregate_id"] == str(record_id("institution", code)):
                assert msg.headers["Nats-Msg-Id"] == envelope["event_id"]
                received.append(envelope)
        assert [(e["aggregate_version"], e["payload"]["snapshot"]["name"]) for e in received] == [
            (1, "試験病院"),
            (2, "試験中央病院"),
        ]
        assert received[1]["payload"]["kind"] == "institution" and received[1]["payload"]["code"] == code
        operations = []
        while len(operations) < 2:
            payload = json.loads((await audits.next_msg(timeout=10)).data)["payload"]
            if payload["record_id"] == f"institution:{code}":
                operations.append((payload["operation"], payload["username"]))
        assert operations == [("create", ADMIN), ("update", ADMIN)]
        await nc.close()


@pytest.mark.req("N26", partial=True)
class TestGaijiMaster:
    """The 外字 master: effective-dated entries with their history, as every master."""

    async def test_an_entry_is_dated_corrected_with_history_and_listed_for_its_period(
        self, client: httpx.AsyncClient
    ) -> None:
        character = chr(random.randrange(0xE000, 0xF8FF))
        code = f"U+{ord(character):04X}"
        data = {"character": character, "substitute": "辺"}
        created = await create(client, "gaiji", name="", kana="ナベ", data=data, valid_from=today().isoformat())
        assert created.status_code == 201, created.text
        body = {"version": 1, "changes": {"substitute": "邊"}, "reason": "住基の字形に合わせる"}
        changed = await client.patch(f"/masters/gaiji/{code}", json=body, headers=auth_headers(ADMIN))
        assert changed.status_code == 200 and changed.json()["data"]["substitute"] == "邊"

        history = (await get(client, f"gaiji/{code}/history")).json()["items"]
        yesterday = (today() - timedelta(days=1)).isoformat()
        assert [entry["version"] for entry in history] == [2, 1]
        assert history[0]["changes"][0] == {"field": "substitute", "label": "代替文字", "old": "辺", "new": "邊"}
        assert code in await codes_listed(client, "gaiji") and code not in await codes_listed(
            client, "gaiji", on=yesterday
        )
