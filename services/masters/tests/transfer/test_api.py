"""Import and export of masters through real logins: CSV in UTF-8 or CP932 and Excel, the preview row by row,
apply all or nothing, a re-import that changes nothing, and export → import round trips."""

import hashlib
import io
import itertools
import json
import os
import random
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import Workbook, load_workbook
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import auth_headers

ADMIN, CLERK = "admin1", "clerk1"  # マスタ管理 更新 / 参照
HEADER = "医療機関コード,名称,カナ,種別,結核指定医療機関,指定年月日,結核病床,結核病床数,診療科"
# Bodies of this module's 医療機関コード (神奈川 14, 医科 1), apart from other tests' codes in the shared database.
_bodies = itertools.count(random.Random().randrange(100_000, 900_000, 1000))


def institution_code() -> str:
    """A fresh 医療機関コード with its 検証番号 (modulus 10 over 郡市区番号 and 医療機関番号)."""
    body = f"{next(_bodies):06d}"
    return f"141{body}{modulus10_check_digit(body)}"


def wrong_check_digit(code: str) -> str:
    """The same code with a 検証番号 that does not fit."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def csv_file(*lines: str, header: str = HEADER) -> str:
    """A CSV text as Excel saves it (CRLF)."""
    return "\r\n".join([header, *lines]) + "\r\n"


async def upload(
    client: httpx.AsyncClient, content: bytes, name: str = "医療機関.csv", kind: str = "institution", user: str = ADMIN
) -> httpx.Response:
    """POSTs a file for preview."""
    files = {"file": (name, content, "application/octet-stream")}
    return await client.post(f"/masters/{kind}/imports", files=files, headers=auth_headers(user))


async def previewed(client: httpx.AsyncClient, content: bytes, **options: Any) -> dict[str, Any]:
    """The preview of an upload that was read."""
    response = await upload(client, content, **options)
    assert response.status_code == 201, response.text
    return response.json()


async def apply(client: httpx.AsyncClient, preview: dict[str, Any], user: str = ADMIN) -> httpx.Response:
    """POSTs the apply of an import."""
    return await client.post(f"/masters/imports/{preview['id']}/apply", headers=auth_headers(user))


async def record(client: httpx.AsyncClient, code: str, kind: str = "institution") -> httpx.Response:
    """GETs one record."""
    return await client.get(f"/masters/{kind}/{code}", headers=auth_headers(CLERK))


async def create(client: httpx.AsyncClient, kind: str, **body: Any) -> dict[str, Any]:
    """Creates a record through the API."""
    response = await client.post(f"/masters/{kind}", json=body, headers=auth_headers(ADMIN))
    assert response.status_code == 201, response.text
    return response.json()


def by_line(preview: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The preview's rows by line."""
    return {row["line"]: row for row in preview["rows"]}


class TestExport:
    """GET /masters/{kind}/export.csv and export.xlsx."""

    @pytest.mark.req("R26")
    async def test_csv_has_a_bom_japanese_headers_and_values_as_staff_read_them(
        self, client: httpx.AsyncClient
    ) -> None:
        code = institution_code()
        data = {"type": "clinic", "designated": True, "designated_from": "R2.4.1", "departments": "内科\n外科"}
        await create(client, "institution", code=code, name="=試験診療所", kana="シケンシンリョウジョ", data=data)
        response = await client.get("/masters/institution/export.csv", headers=auth_headers(CLERK))
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        assert "filename*=UTF-8''" in response.headers["content-disposition"]
        lines = response.content.decode("utf-8-sig").split("\r\n")
        assert lines[0].startswith("医療機関コード,名称,カナ,郵便番号,住所,電話番号,FAX番号,種別,結核指定医療機関")
        assert lines[0].endswith(",有効期間（開始）,有効期間（終了）")
        [row] = [line for line in lines if line.startswith(code)]
        assert "'=試験診療所" in row  # a name Excel would run as a formula is written as text
        assert ",診療所,はい,2020-04-01," in row
        assert '"内科\n外科"' in row

    @pytest.mark.req("R26")
    async def test_xlsx_has_the_same_header_and_text_cells(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        await create(client, "institution", code=code, name="=試験病院", data={"type": "hospital", "tb_beds": True,
                                                                               "tb_bed_count": 12})  # fmt: skip
        response = await client.get("/masters/institution/export.xlsx", headers=auth_headers(CLERK))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        [row] = [dict(zip(header, line, strict=True)) for line in rows[1:] if line[0] == code]
        assert (row["名称"], row["種別"], row["結核病床"], row["結核病床数"]) == ("=試験病院", "病院", "はい", 12)
        assert sheet.cell(row=rows.index(tuple(row.values())) + 1, column=2).data_type == "s"

    async def test_exporting_people_is_audited_and_institutions_are_not(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        await create(client, "institution", code=code, name="試験病院", data={"type": "hospital"})
        await create(client, "doctor", code=f"DX{code}", name="試験 医師", data={"institution_code": code})
        before = await export_audits(client)
        assert (await client.get("/masters/institution/export.csv", headers=auth_headers(CLERK))).status_code == 200
        assert await export_audits(client) == before
        assert (await client.get("/masters/doctor/export.xlsx", headers=auth_headers(CLERK))).status_code == 200
        assert await export_audits(client) == [*before, "doctor"]

    @pytest.mark.parametrize("extension", ["csv", "xlsx"])
    async def test_exporting_municipalities_and_the_letterhead_is_audited_as_they_name_the_director(
        self, client: httpx.AsyncClient, extension: str
    ) -> None:
        before = await export_audits(client)
        for kind in ("municipality", "letterhead"):
            response = await client.get(f"/masters/{kind}/export.{extension}", headers=auth_headers(CLERK))
            assert response.status_code == 200
        assert await export_audits(client) == [*before, "municipality", "letterhead"]

    async def test_an_anonymous_caller_is_refused(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/masters/institution/export.csv")).status_code == 401

    async def test_an_unknown_kind_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/masters/hospital/export.csv", headers=auth_headers(CLERK))
        assert response.status_code == 404


async def export_audits(client: httpx.AsyncClient) -> list[str]:
    """The kinds whose export this service has audited so far, oldest first."""
    url = os.environ["TBMS_MASTERS_DATABASE_URL"].replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT payload FROM outbox WHERE subject = 'tbms.audit.masters.operation.recorded.v1' ORDER BY created_at"
        )
    finally:
        await conn.close()
    payloads = [json.loads(row["payload"])["payload"] for row in rows]
    return [p["query"] for p in payloads if p["operation"] == "export"]


class TestPreview:
    """POST /masters/{kind}/imports."""

    @pytest.mark.req("R26")
    async def test_utf8_rows_are_previewed_as_new_and_nothing_is_stored(self, client: httpx.AsyncClient) -> None:
        first, second = institution_code(), institution_code()
        text = csv_file(f"{first},試験病院,しけんびょういん,病院,はい,令和2年4月1日,はい,10,内科",
                        f"{second},試験診療所,,clinic,いいえ,,0,,")  # fmt: skip
        preview = await previewed(client, ("\ufeff" + text).encode("utf-8"))
        assert preview["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
        assert preview["status"] == "previewed" and preview["filename"] == "医療機関.csv"
        assert [(row["line"], row["status"], row["code"], row["name"]) for row in preview["rows"]] == [
            (2, "new", first, "試験病院"),
            (3, "new", second, "試験診療所"),
        ]
        assert (await record(client, first)).status_code == 404

    @pytest.mark.req("R26")
    async def test_a_cp932_file_as_excel_saves_it_is_read(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        preview = await previewed(client, csv_file(f"{code},髙橋クリニック①,タカハシ,診療所,,,,,").encode("cp932"))
        assert [(row["status"], row["name"]) for row in preview["rows"]] == [("new", "髙橋クリニック①")]

    @pytest.mark.req("R26")
    async def test_an_xlsx_made_in_excel_is_read(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        book = Workbook()
        book.active.append(HEADER.split(","))
        book.active.append([code, "試験病院", "シケンビョウイン", "病院", "はい", None, "はい", 20, "呼吸器内科"])
        buffer = io.BytesIO()
        book.save(buffer)
        preview = await previewed(client, buffer.getvalue(), name="医療機関.xlsx")
        assert [(row["status"], row["code"]) for row in preview["rows"]] == [("new", code)]

    @pytest.mark.req("R26")
    async def test_a_changed_row_shows_each_field_old_and_new_with_its_label(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        await create(client, "institution", code=code, name="試験病院", kana="シケンビョウイン",
                     data={"type": "hospital", "tb_beds": True, "tb_bed_count": 10})  # fmt: skip
        preview = await previewed(client, csv_file(f"{code},試験病院,シケンビョウイン,診療所,,,はい,12,").encode())
        [row] = preview["rows"]
        assert row["status"] == "changed"
        assert [(c["label"], c["old"], c["new"]) for c in row["changes"]] == [
            ("種別", "病院", "診療所"),
            ("結核病床数", "10", "12"),
        ]

    @pytest.mark.req("R26")
    async def test_wrong_cells_are_errors_per_field_in_japanese(self, client: httpx.AsyncClient) -> None:
        good, bad = institution_code(), wrong_check_digit(institution_code())
        text = csv_file(
            f"{bad},試験病院,,病院,,,,,",
            f"{good},試験医院,,医院,たぶん,2020年13月1日,,十,",
            f"{good},試験医院（重複）,,病院,,,,,",
        )
        preview = await previewed(client, text.encode())
        assert preview["counts"]["error"] == 3
        rows = by_line(preview)
        assert "検証番号" in rows[2]["errors"]["code"]
        assert "選択肢（病院・診療所・薬局）" in rows[3]["errors"]["type"]
        assert "はい" in rows[3]["errors"]["designated"]
        assert "日付" in rows[3]["errors"]["designated_from"] or "13月" in rows[3]["errors"]["designated_from"]
        assert "整数" in rows[3]["errors"]["tb_bed_count"]
        assert rows[4]["errors"]["code"] == "同じ医療機関コードの行が3行目にもあります。"

    async def test_a_value_under_no_header_is_an_error_of_its_row(self, client: httpx.AsyncClient) -> None:
        preview = await previewed(client, csv_file(f"{institution_code()},試験病院,,病院,,,,,,余分").encode())
        [row] = preview["rows"]
        assert row["status"] == "error" and "見出し" in row["errors"]["_"]

    @pytest.mark.req("R26")
    async def test_a_missing_required_column_or_an_unknown_one_is_named(self, client: httpx.AsyncClient) -> None:
        response = await upload(client, "医療機関コード,名称,備考\r\n".encode())
        assert response.status_code == 422
        body = response.json()
        assert "「種別」" in body["detail"] and "「備考」" in body["detail"]
        assert "必須の列がありません" in body["errors"]["file"]

    async def test_a_file_in_neither_encoding_is_refused_in_japanese(self, client: httpx.AsyncClient) -> None:
        response = await upload(client, b"\x81\x39\xff\xfe\x80,\x80\r\n")
        assert response.status_code == 422
        assert "文字コード" in response.json()["detail"]

    async def test_a_clerk_with_reference_access_cannot_import(self, client: httpx.AsyncClient) -> None:
        response = await upload(client, csv_file().encode(), user=CLERK)
        assert response.status_code == 403
        assert "マスタ管理" in response.json()["detail"]

    @pytest.mark.req("R26")
    async def test_a_column_the_file_leaves_out_keeps_each_records_value(self, client: httpx.AsyncClient) -> None:
        code = institution_code()
        await create(client, "institution", code=code, name="試験病院", data={"type": "hospital",
                     "phone": "03-5555-0002", "departments": "内科"})  # fmt: skip
        text = csv_file(f"{code},試験中央病院,病院", header="医療機関コード,名称,種別")
        [row] = (await previewed(client, text.encode()))["rows"]
        assert [(c["label"], c["old"], c["new"]) for c in row["changes"]] == [("名称", "試験病院", "試験中央病院")]

    @pytest.mark.req("R26")
    async def test_the_original_file_is_kept_as_uploaded(self, client: httpx.AsyncClient) -> None:
        content = csv_file(f"{institution_code()},試験病院,,病院,,,,,").encode("cp932")
        preview = await previewed(client, content, name="医療機関（CP932）.csv")
        assert preview["sha256"] == hashlib.sha256(content).hexdigest()
        response = await client.get(f"/masters/imports/{preview['id']}/file", headers=auth_headers(ADMIN))
        assert response.status_code == 200
        assert response.content == content
        assert "filename*=UTF-8''" in response.headers["content-disposition"]

    async def test_the_preview_can_be_opened_again(self, client: httpx.AsyncClient) -> None:
        preview = await previewed(client, csv_file(f"{institution_code()},試験病院,,病院,,,,,").encode())
        response = await client.get(f"/masters/imports/{preview['id']}", headers=auth_headers(ADMIN))
        assert response.status_code == 200
        assert response.json()["rows"] == preview["rows"]


class TestApply:
    """POST /masters/imports/{id}/apply."""

    @pytest.mark.req("R26")
    async def test_new_and_changed_rows_are_applied_with_the_files_name_as_reason(
        self, client: httpx.AsyncClient
    ) -> None:
        old, new = institution_code(), institution_code()
        await create(client, "institution", code=old, name="試験病院", data={"type": "hospital"})
        text = csv_file(f"{old},試験総合病院,,病院,,,,,", f"{new},試験診療所,,診療所,,,,,")
        preview = await previewed(client, text.encode(), name="令和8年度医療機関.csv")
        response = await apply(client, preview)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "applied" and response.json()["applied_at"]
        assert (await record(client, old)).json()["name"] == "試験総合病院"
        assert (await record(client, new)).json()["data"]["type"] == "clinic"
        history = await client.get(f"/masters/institution/{old}/history", headers=auth_headers(CLERK))
        assert history.json()["items"][0]["reason"] == "一括取込（令和8年度医療機関.csv）"

    @pytest.mark.req("R26")
    async def test_an_import_is_applied_only_once(self, client: httpx.AsyncClient) -> None:
        preview = await previewed(client, csv_file(f"{institution_code()},試験病院,,病院,,,,,").encode())
        assert (await apply(client, preview)).status_code == 200
        again = await apply(client, preview)
        assert again.status_code == 422
        assert again.json()["detail"] == "この取込は反映済みです。もう一度反映することはできません。"

    @pytest.mark.req("R26")
    async def test_nothing_is_applied_while_any_row_is_an_error(self, client: httpx.AsyncClient) -> None:
        good = institution_code()
        text = csv_file(f"{good},試験病院,,病院,,,,,", f"{wrong_check_digit(institution_code())},試験医院,,病院,,,,,")
        preview = await previewed(client, text.encode())
        response = await apply(client, preview)
        assert response.status_code == 422
        assert "エラーのある行が1行" in response.json()["detail"]
        assert (await record(client, good)).status_code == 404

    @pytest.mark.req("R26")
    async def test_a_record_changed_after_the_preview_stops_the_whole_import(self, client: httpx.AsyncClient) -> None:
        changed, new = institution_code(), institution_code()
        saved = await create(client, "institution", code=changed, name="試験病院", data={"type": "hospital"})
        text = csv_file(f"{changed},試験総合病院,,病院,,,,,", f"{new},試験診療所,,診療所,,,,,")
        preview = await previewed(client, text.encode())
        patch = {"version": saved["version"], "changes": {"phone": "03-5555-0001"}, "reason": "電話番号の訂正"}
        edited = await client.patch(f"/masters/institution/{changed}", json=patch, headers=auth_headers(ADMIN))
        assert edited.status_code == 200, edited.text
        response = await apply(client, preview)
        assert response.status_code == 409
        assert "2行目" in response.json()["detail"] and "1行も反映していません" in response.json()["detail"]
        assert (await record(client, new)).status_code == 404
        assert (await record(client, changed)).json()["name"] == "試験病院"
        status = await client.get(f"/masters/imports/{preview['id']}", headers=auth_headers(ADMIN))
        assert status.json()["status"] == "previewed"

    @pytest.mark.req("R26")
    async def test_importing_the_same_file_again_shows_every_row_unchanged_and_changes_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        first, second = institution_code(), institution_code()
        content = csv_file(f"{first},試験病院,シケン,病院,はい,R2.4.1,はい,5,内科", f"{second},試験薬局,,薬局,,,,,")
        assert (await apply(client, await previewed(client, content.encode("cp932")))).status_code == 200
        before = [(await record(client, code)).json() for code in (first, second)]
        again = await previewed(client, content.encode("cp932"))
        assert again["counts"] == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}
        assert (await apply(client, again)).status_code == 200
        assert [(await record(client, code)).json() for code in (first, second)] == before

    async def test_a_clerk_cannot_apply(self, client: httpx.AsyncClient) -> None:
        preview = await previewed(client, csv_file(f"{institution_code()},試験病院,,病院,,,,,").encode())
        assert (await apply(client, preview, user=CLERK)).status_code == 403


class TestRoundTrip:
    """An export imported again changes nothing."""

    @pytest.mark.req("R26")
    @pytest.mark.parametrize("extension", ["csv", "xlsx"])
    async def test_an_exported_file_imports_as_unchanged(self, client: httpx.AsyncClient, extension: str) -> None:
        code = institution_code()
        data = {"type": "hospital", "designated": True, "designated_from": "2020-04-01", "tb_beds": True,
                "tb_bed_count": 8, "departments": "内科\n呼吸器内科", "postal_code": "1540017",
                "phone": "03-5555-0000"}  # fmt: skip
        await create(client, "institution", code=code, name="=試験病院", kana="シケンビョウイン", data=data)
        exported = await client.get(f"/masters/institution/export.{extension}", headers=auth_headers(ADMIN))
        preview = await previewed(client, exported.content, name=f"医療機関.{extension}")
        assert preview["counts"]["error"] == 0, [row for row in preview["rows"] if row["errors"]][:3]
        assert preview["counts"]["new"] == preview["counts"]["changed"] == 0
        assert by_line(preview) and {row["status"] for row in preview["rows"]} == {"unchanged"}

    @pytest.mark.req("R25", partial=True)
    @pytest.mark.req("R26")
    async def test_code_lists_and_districts_round_trip_too(self, client: httpx.AsyncClient) -> None:
        for kind in ("code", "district"):
            exported = await client.get(f"/masters/{kind}/export.csv", headers=auth_headers(ADMIN))
            preview = await previewed(client, exported.content, kind=kind, name=f"{kind}.csv")
            assert preview["counts"]["changed"] == preview["counts"]["error"] == 0, preview["rows"][:3]


@pytest.mark.req("N26", partial=True)
class TestCp932Export:
    """GET /masters/{kind}/export.csv?encoding=cp932: Shift_JIS for Excel on Windows, nothing lost silently."""

    async def test_a_character_cp932_lacks_is_refused_with_its_place_then_written_as_geta_on_request(
        self, client: httpx.AsyncClient
    ) -> None:
        code = institution_code()
        await create(client, "institution", code=code, name="𠮷野髙橋診療所", data={"type": "clinic"})
        path = "/masters/institution/export.csv"

        refused = await client.get(path, params={"encoding": "cp932"}, headers=auth_headers(CLERK))
        sjis = await client.get(path, params={"encoding": "cp932", "substitute": "true"}, headers=auth_headers(CLERK))

        assert refused.status_code == 422 and refused.json()["code"] == "csv_not_in_cp932"
        assert "の「名称」の「𠮷」（U+20BB7）" in refused.json()["detail"]
        assert sjis.status_code == 200 and sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        [row] = [line for line in sjis.content.decode("cp932").split("\r\n") if line.startswith(code)]
        assert row.startswith(f"{code},〓野髙橋診療所,")
