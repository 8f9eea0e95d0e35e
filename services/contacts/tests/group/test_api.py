"""Group contacts through the API: a group with its exposure facts, a member list imported from CSV or Excel
(UTF-8 or CP932) with a per-row preview in Japanese, duplicate candidates and all-or-nothing apply, and a
screening examination planned and its results entered for all members at once."""

import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from openpyxl import Workbook
from tbms_core.clock import today
from tbms_testing import auth_headers


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (接触者管理 更新)."""
    return auth_headers("nurse1")


async def new_group(client: httpx.AsyncClient, index_id: uuid.UUID) -> dict[str, Any]:
    body = {
        "index_patient_id": str(index_id),
        "name": "試験小学校3年2組",
        "setting": "school",
        "place": "試験小学校",
        "last_contact_on": (today() - timedelta(days=30)).isoformat(),
        "hours": 30,
        "closed_room": True,
        "infectiousness": "high",
    }
    response = await client.post("/groups", json=body, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


def csv_file(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


async def preview(client: httpx.AsyncClient, group: dict[str, Any], content: bytes, name: str) -> httpx.Response:
    return await client.post(f"/groups/{group['id']}/imports", files={"file": (name, content)}, headers=nurse())


HEADER = "氏名,カナ,性別,生年月日,所属"


class TestImport:
    """名簿の取込み: preview, then all or nothing."""

    async def test_a_cp932_file_is_previewed_and_applied_as_members_with_the_groups_exposure(
        self, client, make_index_case
    ) -> None:
        group = await new_group(client, await make_index_case())
        content = csv_file(
            [HEADER, "試験 一郎,シケン イチロウ,男,H28.4.2,3年2組", "試験 花子,シケン ハナコ,女,2016-05-03,3年2組"],
            "cp932",
        )
        response = await preview(client, group, content, "名簿.csv")
        assert response.status_code == 201, response.text
        shown = response.json()
        assert shown["encoding"] == "cp932" and shown["total"] == 2 and shown["with_errors"] == 0
        assert shown["rows"][0]["person"]["birth_date"] == "2016-04-02"
        body = {"group_version": group["version"]}
        applied = await client.post(f"/groups/{group['id']}/imports/{shown['id']}/apply", json=body, headers=nurse())
        assert applied.status_code == 200, applied.text
        assert applied.json()["registered"] == 2 and len(applied.json()["group"]["members"]) == 2
        member = applied.json()["group"]["members"][0]
        contact = (await client.get(f"/contacts/{member['contact_id']}", headers=nurse())).json()
        exposure = contact["exposures"][0]
        assert exposure["setting"] == "school" and exposure["closed_room"] and exposure["infectiousness"] == "high"
        assert contact["plan"]  # the screening plan follows the group's exposure
        assert contact["groups"] == [{"id": group["id"], "name": "試験小学校3年2組"}], "its page links the group"

    @pytest.mark.req("R12", partial=True)
    async def test_a_bad_row_is_shown_in_japanese_and_nothing_is_registered(self, client, make_index_case) -> None:
        index = await make_index_case()
        group = await new_group(client, index)
        content = csv_file(
            [HEADER, "試験 三郎,,男,2016-01-01,", ",シケン ナシ,女,2016-01-01,", "試験 四郎,,X,平成99年1月1日,"]
        )
        shown = (await preview(client, group, content, "名簿.csv")).json()
        assert shown["with_errors"] == 2
        assert shown["rows"][1]["errors"]["name"] == "氏名が空です。"
        assert "性別「X」は読み取れません" in shown["rows"][2]["errors"]["sex"]
        assert shown["rows"][2]["errors"]["birth_date"].startswith("生年月日「平成99年1月1日」")
        body = {"group_version": group["version"]}
        refused = await client.post(f"/groups/{group['id']}/imports/{shown['id']}/apply", json=body, headers=nurse())
        assert refused.status_code == 422 and set(refused.json()["errors"]) == {"rows.3", "rows.4"}
        listed = (await client.get(f"/contacts?index_patient_id={index}", headers=nurse())).json()
        assert listed["total"] == 0
        assert (await client.get(f"/groups/{group['id']}", headers=nurse())).json()["members"] == []

    @pytest.mark.req("R12", partial=True)
    async def test_a_duplicate_needs_a_decision_and_then_is_linked_not_registered_again(
        self, client, make_index_case
    ) -> None:
        other_index, index = await make_index_case(), await make_index_case()
        body = {
            "name": "試験 重複",
            "birth_date": "2016-02-02",
            "exposures": [{"index_patient_id": str(other_index), "setting": "household"}],
        }
        known = (await client.post("/contacts", json=body, headers=nurse())).json()
        group = await new_group(client, index)
        wb = Workbook()
        wb.active.append(["氏名", "生年月日", "所属"])
        wb.active.append(["試験　重複", "2016-02-02", "3年2組"])  # a full-width space: the same name folded
        wb.active.append(["試験 新人", "2016-03-03", "3年2組"])
        buffer = io.BytesIO()
        wb.save(buffer)
        shown = (await preview(client, group, buffer.getvalue(), "名簿.xlsx")).json()
        assert shown["encoding"] == "xlsx" and shown["with_duplicates"] == 1 and shown["with_errors"] == 0
        candidate = shown["rows"][0]["duplicates"][0]
        assert candidate["contact_id"] == known["id"] and candidate["why"] == ["生年月日と氏名が同じ"]
        url = f"/groups/{group['id']}/imports/{shown['id']}/apply"
        undecided = await client.post(url, json={"group_version": group["version"]}, headers=nurse())
        assert undecided.status_code == 422 and "同じ人か新しい人か" in undecided.json()["errors"]["rows.2"]
        decided = {"group_version": group["version"], "decisions": {"2": known["id"]}}
        applied = (await client.post(url, json=decided, headers=nurse())).json()
        assert applied["registered"] == 1 and applied["linked"] == 1
        linked = (await client.get(f"/contacts/{known['id']}", headers=nurse())).json()
        assert {e["index_patient_id"] for e in linked["exposures"]} == {str(other_index), str(index)}
        again = await client.post(url, json={**decided, "group_version": applied["group"]["version"]}, headers=nurse())
        assert again.status_code == 409

    async def test_the_same_person_twice_in_the_file_is_an_error_of_the_later_row(
        self, client, make_index_case
    ) -> None:
        group = await new_group(client, await make_index_case())
        content = csv_file([HEADER, "試験 双子,,,2016-01-01,", "試験 双子,,,2016-01-01,"])
        shown = (await preview(client, group, content, "名簿.csv")).json()
        assert shown["rows"][1]["same_as_line"] == 2 and "2行目と同じ人" in shown["rows"][1]["errors"]["name"]

    async def test_a_file_without_the_name_column_is_refused(self, client, make_index_case) -> None:
        group = await new_group(client, await make_index_case())
        response = await preview(client, group, csv_file(["名前,生年月日", "試験,2016-01-01"]), "x.csv")
        assert response.status_code == 422 and "「氏名」がありません" in response.json()["errors"]["file"]


class TestBulk:
    """一括の健診予定と結果入力."""

    async def imported(self, client: httpx.AsyncClient, index: uuid.UUID, given: str) -> dict[str, Any]:
        group = await new_group(client, index)
        content = csv_file([HEADER, f"試験 {given}甲,,男,2016-01-01,", f"試験 {given}乙,,女,2016-01-02,"])
        shown = (await preview(client, group, content, "名簿.csv")).json()
        url = f"/groups/{group['id']}/imports/{shown['id']}/apply"
        return (await client.post(url, json={"group_version": group["version"]}, headers=nurse())).json()["group"]

    @pytest.mark.req("R13", partial=True)
    async def test_a_plan_and_results_for_the_whole_group_reach_each_member(self, client, make_index_case) -> None:
        group = await self.imported(client, await make_index_case(), "計画")
        plan = {
            "version": group["version"],
            "kind": "igra_qft",
            "planned_on": (today() + timedelta(days=7)).isoformat(),
        }
        planned = (await client.post(f"/groups/{group['id']}/plan", json=plan, headers=nurse())).json()
        assert planned["recorded"] == 2
        twice = {**plan, "version": planned["group"]["version"]}
        assert (await client.post(f"/groups/{group['id']}/plan", json=twice, headers=nurse())).json()["skipped"] == 2
        first, second = (m["contact_id"] for m in planned["group"]["members"])
        results = {
            "version": planned["group"]["version"] + 1,
            "kind": "igra_qft",
            "results": [
                {"contact_id": first, "done_on": today().isoformat(), "result": "negative"},
                {"contact_id": second, "done_on": today().isoformat(), "result": "positive"},
            ],
        }
        done = await client.post(f"/groups/{group['id']}/results", json=results, headers=nurse())
        assert done.status_code == 200, done.text
        assert all(m["has_result"] for m in done.json()["group"]["members"])
        contact = (await client.get(f"/contacts/{second}", headers=nurse())).json()
        assert contact["next_due"]["kind"] == "xray" and contact["next_due"]["step"] == "now"

    @pytest.mark.req("R13", partial=True)
    async def test_one_wrong_result_refuses_them_all(self, client, make_index_case) -> None:
        group = await self.imported(client, await make_index_case(), "誤り")
        first, second = (m["contact_id"] for m in group["members"])
        results = {
            "version": group["version"],
            "kind": "xray",
            "results": [
                {"contact_id": first, "done_on": today().isoformat(), "result": "normal"},
                {"contact_id": second, "done_on": today().isoformat(), "result": "negative"},
            ],
        }
        refused = await client.post(f"/groups/{group['id']}/results", json=results, headers=nurse())
        assert refused.status_code == 422 and "結果が選択肢にありません" in refused.json()["errors"]["results.1.result"]
        assert (await client.get(f"/contacts/{first}", headers=nurse())).json()["exams"] == []
