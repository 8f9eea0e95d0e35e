"""一括取込 in the gateway (R26): a CSV or Excel file previewed row by row by masters, applied all or nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from ...conftest import MASTERS, csrf_token, text_of
from .conftest import CODE

pytestmark = pytest.mark.req("R26")
IMPORT_ID = "0f8d6c1e-2b7a-4e59-9c3d-5a6b7c8d9e01"
CSV = (
    "医療機関コード,名称,カナ,所在地\r\n"
    "1310112345,世田谷中央病院,セタガヤチュウオウビョウイン,東京都世田谷区世田谷1-2-4\r\n"
)


def preview(*rows: dict[str, Any], filename: str = "institutions.csv") -> dict[str, Any]:
    """masters' ImportPreview of these rows."""
    counts = {
        status: sum(1 for row in rows if row["status"] == status) for status in ("new", "changed", "unchanged", "error")
    }
    return {
        "id": IMPORT_ID,
        "kind": "institution",
        "filename": filename,
        "status": "previewed",
        "counts": counts,
        "rows": list(rows),
        "created_by": "nurse1",
        "created_at": "2026-11-21T00:00:00Z",
        "applied_at": None,
    }


CHANGED = {
    "line": 2,
    "status": "changed",
    "code": CODE,
    "name": "世田谷中央病院",
    "changes": [
        {"field": "address", "label": "所在地", "old": "東京都世田谷区世田谷1-2-3", "new": "東京都世田谷区世田谷1-2-4"}
    ],
    "errors": {},
}
NEW = {
    "line": 3,
    "status": "new",
    "code": "1310198765",
    "name": "北沢クリニック",
    "changes": [{"field": "type", "label": "種別", "old": "", "new": "診療所"}],
    "errors": {},
}
UNCHANGED = {
    "line": 4,
    "status": "unchanged",
    "code": "1310156787",
    "name": "旧北沢診療所",
    "changes": [],
    "errors": {},
}
WRONG = {
    "line": 5,
    "status": "error",
    "code": "1310112346",
    "name": "誤り病院",
    "changes": [],
    "errors": {"code": "医療機関コードの検証番号が正しくありません（末尾は5になるはずです）。"},
}


def mock_import(masters: respx.MockRouter, answer: dict[str, Any]) -> respx.Route:
    """masters takes the upload and keeps its preview."""
    masters.get(f"{MASTERS}/masters/imports/{IMPORT_ID}").mock(return_value=httpx.Response(200, json=answer))
    return masters.post(f"{MASTERS}/masters/institution/imports").mock(return_value=httpx.Response(201, json=answer))


async def upload(
    browser: httpx.AsyncClient, name: str = "institutions.csv", content: bytes = CSV.encode()
) -> httpx.Response:
    """Chooses the file on the upload page and sends it."""
    page = (await browser.get("/masters/institution/import")).text
    files = {"file": (name, content, "text/csv")}
    return await browser.post("/masters/institution/import", data={"csrf_token": csrf_token(page)}, files=files)


class TestUpload:
    async def test_the_upload_page_explains_the_steps_and_links_the_export(self, updater: httpx.AsyncClient) -> None:
        page = (await updater.get("/masters/institution/import")).text
        assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and 'accept=".csv,.xlsx' in page
        assert 'href="/masters/institution/export.csv"' in page and "この時点では、まだ何も変わりません。" in page

    async def test_the_file_goes_to_masters_and_its_preview_opens(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = mock_import(masters, preview(CHANGED))
        sent = await upload(updater)
        assert sent.status_code == 303 and sent.headers["location"] == f"/masters/institution/imports/{IMPORT_ID}"
        request = route.calls.last.request
        assert request.headers["content-type"].startswith("multipart/form-data")
        assert b'filename="institutions.csv"' in request.content and CSV.encode() in request.content

    async def test_a_file_that_is_not_csv_or_excel_is_refused_here(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = mock_import(masters, preview())
        refused = await upload(updater, name="institutions.pdf")
        assert refused.status_code == 422 and not route.called
        assert "CSVファイル（.csv）またはExcelファイル（.xlsx）を選んでください。" in refused.text
        assert 'id="f-import-file-error"' in refused.text and 'aria-invalid="true"' in refused.text

    async def test_a_file_masters_cannot_read_says_why(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        message = "見出しの行がありません。出力したファイルと同じ見出しにしてください。"
        masters.post(f"{MASTERS}/masters/institution/imports").mock(
            return_value=httpx.Response(422, json={"detail": message, "errors": {"file": message}})
        )
        refused = await upload(updater)
        assert refused.status_code == 422 and f"取り込むファイル：{message}" in text_of(refused.text)


class TestPreview:
    async def test_rows_show_new_changed_unchanged_or_error_and_an_error_blocks_the_import(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, preview(CHANGED, NEW, UNCHANGED, WRONG))
        page = (await updater.get(f"/masters/institution/imports/{IMPORT_ID}")).text
        text = text_of(page)
        assert "新規 1件 変更 1件 変更なし 1件 エラー 1件" in text
        assert "2 変更 1310112345 世田谷中央病院 所在地：東京都世田谷区世田谷1-2-3 → 東京都世田谷区世田谷1-2-4" in text
        assert "3 新規 1310198765 北沢クリニック 種別：診療所" in text
        assert "5 エラー 1310112346 誤り病院 医療機関コード：医療機関コードの検証番号が正しくありません" in text
        assert "旧北沢診療所" not in text, "unchanged rows are left out unless asked for"
        assert "エラーの行が1件あるため、取り込めません。" in text
        assert "取り込む</button>" not in page and "/apply" not in page

    async def test_the_rows_of_one_result_can_be_shown_alone(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, preview(CHANGED, UNCHANGED))
        page = (await updater.get(f"/masters/institution/imports/{IMPORT_ID}", params={"status": "unchanged"})).text
        assert "旧北沢診療所" in page and "世田谷中央病院" not in text_of(page[page.index("<table") :])

    async def test_a_clean_file_is_applied_and_the_list_says_how_many(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, preview(CHANGED, NEW, UNCHANGED))
        applied = masters.post(f"{MASTERS}/masters/imports/{IMPORT_ID}/apply").mock(
            return_value=httpx.Response(200, json=preview(CHANGED, NEW, UNCHANGED))
        )
        masters.get(f"{MASTERS}/masters/institution").mock(
            return_value=httpx.Response(200, json={"items": [], "total": 0})
        )
        opened = await updater.get((await upload(updater)).headers["location"])
        assert "新規1件と変更1件を取り込みます。" in text_of(opened.text)
        assert f'action="/masters/institution/imports/{IMPORT_ID}/apply"' in opened.text
        done = await updater.post(
            f"/masters/institution/imports/{IMPORT_ID}/apply", data={"csrf_token": csrf_token(opened.text)}
        )
        assert applied.called and done.status_code == 303 and done.headers["location"] == "/masters/institution"
        listed = (await updater.get("/masters/institution")).text
        assert "取り込みました（新規 1件、変更 1件、変更なし 1件）。" in listed

    async def test_a_file_that_changes_nothing_has_nothing_to_apply(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, preview(UNCHANGED))
        page = (await updater.get(f"/masters/institution/imports/{IMPORT_ID}")).text
        assert "取り込む変更はありません" in page and "/apply" not in page

    async def test_an_applied_file_says_so_and_cannot_be_applied_again(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, {**preview(CHANGED), "status": "applied", "applied_at": "2026-11-21T00:30:00Z"})
        page = (await updater.get(f"/masters/institution/imports/{IMPORT_ID}")).text
        assert "このファイルは令和8年11月21日 09:30に取り込み済みです。" in page and "/apply" not in page

    async def test_a_refused_apply_is_shown_on_the_preview(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, preview(CHANGED))
        message = "エラーの行があるため取り込めません。"
        masters.post(f"{MASTERS}/masters/imports/{IMPORT_ID}/apply").mock(
            return_value=httpx.Response(422, json={"detail": message})
        )
        page = (await updater.get(f"/masters/institution/imports/{IMPORT_ID}")).text
        refused = await updater.post(
            f"/masters/institution/imports/{IMPORT_ID}/apply", data={"csrf_token": csrf_token(page)}
        )
        assert refused.status_code == 422 and "取り込めませんでした" in refused.text and message in refused.text

    async def test_a_preview_of_another_master_is_not_found_here(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        mock_import(masters, {**preview(CHANGED), "kind": "doctor"})
        assert (await updater.get(f"/masters/institution/imports/{IMPORT_ID}")).status_code == 404
