"""患者データのCSV出力 in the gateway (R33): the conditions form, and patients' CSV relayed to the browser.

The gateway's calls to patients go to the stack's patients service over real HTTP with a real Keycloak token of
nurse1, so the file, its name and every refusal are the service's own; patients and fields are synthetic.
"""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx
from tbms_testing import auth_headers

from ...conftest import PATIENTS, Login, with_roles

KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login, real_patients: httpx.AsyncClient) -> httpx.AsyncClient:
    """A logged-in nurse's browser in front of the real patients service."""
    await login(client)
    return client


def district() -> str:
    """A district nobody else uses, so an export filtered by it holds only this test's patients."""
    return "出力画面" + "".join(random.choice(KATAKANA) for _ in range(8))


async def register(patients_api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """Registers a synthetic patient at patients as nurse1."""
    body = {"name": "出力 花子", "name_kana": "シュツリョク ハナコ", "sex": "female", "birth_date": "S52.4.1"}
    response = await patients_api.post("/patients", json=body | fields, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


def rows_of(response: httpx.Response) -> list[dict[str, str]]:
    """The CSV rows the browser saved, keyed by header (the BOM Excel needs checked)."""
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    return [dict(zip(header, row, strict=True)) for row in rows]


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.req("R33", partial=True)
class TestExportForm:
    async def test_the_form_asks_what_to_export_and_the_conditions_with_labels_and_hints(
        self, browser: httpx.AsyncClient
    ) -> None:
        page = await browser.get("/patients/export")
        html = page.text
        assert page.status_code == 200 and "<h1>患者データのCSV出力</h1>" in html
        assert re.search(r'<form class="form" method="get" action="/patients/export"', html)
        assert re.search(r"<fieldset[^>]*>\s*<legend>出力する内容<span", html)
        assert re.search(r'id="f-target-0" name="target" type="radio" value="patients" checked', html)
        for value, label in (("lab_results", "菌検査の結果"), ("treatments", "治療")):
            assert re.search(rf'value="{value}"[^>]*>\s*<label for="f-target-\d">{label}</label>', html), value
        assert (
            "<legend>登録年月日</legend>" in html and "和暦（例: R8.10.1、R081001）または西暦（例: 2026-10-01）" in html
        )
        assert '<label for="f-registered_from">登録年月日（開始）' in html
        assert '<label for="f-registered_to">登録年月日（終了・この日を含む）' in html
        assert '<label for="f-status">状態' in html and '<option value="excluded">登録除外</option>' in html
        assert '<label for="f-district">地区' in html

    async def test_the_patient_list_links_to_the_export(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get("/patients")).text
        assert '<a href="/patients/export">' in html


@pytest.mark.req("R33", partial=True)
class TestDownload:
    async def test_the_csv_is_patients_file_under_its_japanese_name(
        self, browser: httpx.AsyncClient, real_patients: httpx.AsyncClient
    ) -> None:
        place = district()
        patient = await register(real_patients, district=place, registered_on="R7.4.1")
        await register(real_patients, district=place, registered_on="R7.3.31")
        params = {
            "target": "patients",
            "registered_from": "R7.4.1",
            "registered_to": "",
            "status": "",
            "district": place,
        }
        response = await browser.get("/patients/export", params=params)
        [row] = rows_of(response)
        assert (row["登録番号"], row["登録年月日"], row["地区"]) == (patient["registration_no"], "2025-04-01", place)
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(r"患者一覧_\d{8}\.csv", unquote(disposition.split("filename*=UTF-8''", 1)[1]))

    @pytest.mark.req("R33", partial=True)
    async def test_configurable_fields_are_columns_of_the_download(
        self, browser: httpx.AsyncClient, real_patients: httpx.AsyncClient
    ) -> None:
        label = f"服薬支援の方法（出力試験{uuid.uuid4().hex[:6]}）"  # the stack keeps every earlier run's field
        definition = {
            "target": "treatment",
            "key": f"gateway_export_{uuid.uuid4().hex[:8]}",
            "label": label,
            "type": "multi_choice",
            "choices": [{"value": "visit", "label": "訪問"}, {"value": "phone", "label": "電話"}],
        }
        created = await real_patients.post("/custom-fields", json=definition, headers=auth_headers("admin1"))
        assert created.status_code == 201, created.text
        try:
            place = district()
            patient = await register(real_patients, district=place)
            treatment = {
                "regimen": "2HREZ/4HR",
                "started_on": "R7.5.10",
                "custom": {definition["key"]: ["phone", "visit"]},
            }
            saved = await real_patients.post(
                f"/patients/{patient['id']}/treatments", json=treatment, headers=auth_headers("nurse1")
            )
            assert saved.status_code == 201, saved.text
            [row] = rows_of(await browser.get("/patients/export", params={"target": "treatments", "district": place}))
            assert (row["処方"], row["開始日"]) == ("2HREZ/4HR（標準治療A法）", "2025-05-10")
            assert row[label] == "訪問、電話"
        finally:  # the stack's database is shared with `make dev`: take the field out of use again
            field = created.json()
            await real_patients.post(
                f"/custom-fields/{field['id']}/deactivate",
                json={"version": field["version"], "reason": "試験の後片付け"},
                headers=auth_headers("admin1"),
            )


@pytest.mark.req("R33", partial=True)
class TestRefusals:
    async def test_a_date_patients_cannot_read_is_shown_beside_its_field_with_everything_typed_kept(
        self, browser: httpx.AsyncClient
    ) -> None:
        params = {
            "target": "lab_results",
            "registered_from": "R7.13.1",
            "registered_to": "R7.3.1",
            "district": "世田谷",
        }
        page = await browser.get("/patients/export", params=params)
        html = page.text
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert 'id="error-summary"' in html and '<a href="#f-registered_from">登録年月日（開始）：' in html
        assert re.search(r'id="f-registered_from-error">.*存在しない日付', html)
        assert re.search(r'id="f-registered_from" name="registered_from" type="text" value="R7.13.1"', html)
        assert 'aria-invalid="true"' in html and 'value="世田谷"' in html
        assert re.search(r'value="lab_results"\s+checked', html)

    async def test_too_many_rows_are_explained_in_the_error_summary(
        self, client: httpx.AsyncClient, login: Login, backends: respx.MockRouter
    ) -> None:
        detail = "出力の対象が120,000件あり、一度に出力できる100,000件を超えています。条件を絞り込んでください。"
        body = {"detail": detail, "code": "export_too_large", "errors": {}}
        backends.get(f"{PATIENTS}/patients/export").mock(return_value=httpx.Response(422, json=body))
        await login(client)
        page = await client.get("/patients/export", params={"target": "patients"})
        assert page.status_code == 422 and detail in text_of(page.text)

    async def test_a_user_without_patient_access_is_refused_before_patients_is_asked(
        self, client: httpx.AsyncClient, login: Login, keycloak: Any, backends: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["forms:read", "stats:read"])
        export = backends.get(f"{PATIENTS}/patients/export").mock(return_value=httpx.Response(200, text=""))
        await login(client)
        for params in ({}, {"target": "patients"}):
            page = await client.get("/patients/export", params=params)
            assert page.status_code == 403 and "「患者管理」の参照権限がありません。" in page.text
        assert not export.called
