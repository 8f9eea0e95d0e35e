"""CSV exports for Excel (R24) with configurable fields as extra columns (R33), through the real service."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select
from tbms_core.auth import Access, Area
from tbms_core.clock import JST
from tbms_core.outbox import OutboxMessage
from tbms_testing import auth_headers
from tbms_testing.keycloak_users import AccessUser, log_in_all

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"
CHOICES = [{"value": "day", "label": "日勤"}, {"value": "night", "label": "夜勤"}, {"value": "none", "label": "なし"}]
AUDIT_SUBJECT = "tbms.audit.patients.operation.recorded.v1"


def district() -> str:
    """A district no other test uses, so an export filtered by it holds only this test's patients."""
    return "出力" + "".join(random.choice(KATAKANA) for _ in range(8))


def label() -> str:
    """A configurable field's label no other test uses."""
    return "出力項目" + "".join(random.choice(KATAKANA) for _ in range(6))


async def export(client: httpx.AsyncClient, user: str = "nurse1", **params: str) -> httpx.Response:
    """GET /patients/export as a demo user."""
    return await client.get("/patients/export", params=params, headers=auth_headers(user))


def table(response: httpx.Response) -> list[dict[str, str]]:
    """The rows of a CSV download keyed by header, checking the BOM and line ends Excel needs."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    header, *rows = csv.reader(io.StringIO(text))
    assert len(header) == len(set(header)), header
    return [dict(zip(header, row, strict=True)) for row in rows]


def header_of(response: httpx.Response) -> list[str]:
    """The header line of a CSV download."""
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def filename_of(response: httpx.Response) -> str:
    """The Japanese file name the browser saves the download under."""
    return unquote(response.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])


async def define(client: httpx.AsyncClient, target: str, field_type: str, **fields: Any) -> dict[str, Any]:
    """Adds a configurable field as the administrator."""
    body = {"target": target, "type": field_type, "key": f"export_{uuid.uuid4().hex[:10]}", "label": label()}
    response = await client.post("/custom-fields", json=body | fields, headers=auth_headers("admin1"))
    assert response.status_code == 201, response.text
    return response.json()


async def deactivate(client: httpx.AsyncClient, definition: dict[str, Any]) -> None:
    """Takes a field out of use (the session's other tests share the database)."""
    current = (await client.get(f"/custom-fields/{definition['id']}", headers=auth_headers("admin1"))).json()
    body = {"version": current["version"], "reason": "出力試験の後片付け"}
    response = await client.post(
        f"/custom-fields/{definition['id']}/deactivate", json=body, headers=auth_headers("admin1")
    )
    assert response.status_code == 200, response.text


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Records something as nurse1 and returns it."""
    response = await client.post(path, json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


async def audited_exports(client: httpx.AsyncClient, needle: str) -> list[dict[str, Any]]:
    """The export audit events waiting in the service's outbox whose conditions mention `needle`."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(select(OutboxMessage.payload).where(OutboxMessage.subject == AUDIT_SUBJECT))
        events = [row["payload"] for row in rows]
    return [event for event in events if event["operation"] == "export" and needle in (event["query"] or "")]


@pytest.mark.req("R33", partial=True)
class TestPatientExport:
    """GET /patients/export?target=patients."""

    async def test_the_file_opens_in_excel_with_japanese_headers_labels_and_iso_dates(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        patient = await make_patient(district=place, registered_on="R7.4.1", nurse="保健 花子")
        response = await export(client, district=place)
        [row] = table(response)
        assert header_of(response)[:7] == ["登録番号", "登録年月日", "登録区分", "氏名", "カナ", "性別", "生年月日"]
        assert filename_of(response) == f"患者一覧_{datetime.now(JST):%Y%m%d}.csv"
        assert row["登録番号"] == patient["registration_no"] and row["氏名"] == "試験 太郎"
        assert (row["登録年月日"], row["生年月日"]) == ("2025-04-01", "1970-03-01")
        assert (row["登録区分"], row["性別"], row["状態"]) == ("患者", "男性", "登録中")
        assert (row["地区"], row["担当保健師"], row["カナ"]) == (place, "保健 花子", "シケン タロウ")

    async def test_a_name_that_excel_would_run_as_a_formula_is_written_as_text(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place, formula = district(), '=HYPERLINK("http://example.test","開く")'
        await make_patient(district=place, name=formula, address="-1+1 試験町")
        [row] = table(await export(client, district=place))
        assert row["氏名"] == "'" + formula and row["住所"] == "'-1+1 試験町"

    async def test_the_classification_is_the_one_the_patient_page_shows(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        patient = await make_patient(district=place, disease={"form": "pulmonary"})
        body = {"kind": "smear", "specimen": "喀痰", "collected_on": "R7.5.1", "details": {"grade": "2+"}}
        await post(client, f"/patients/{patient['id']}/lab-results", body)
        [row] = table(await export(client, district=place))
        shown = (await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))).json()
        assert (row["総合患者分類コード"], row["総合患者分類"]) == (
            shown["classification_code"],
            shown["classification"],
        )
        assert row["総合患者分類コード"] == "1" and row["病型"] == "肺結核"

    async def test_filters_by_registration_period_in_wareki_or_seireki_status_and_district(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        early = await make_patient(district=place, registered_on="2025-03-31")
        inside = await make_patient(district=place, registered_on="R7.4.1")
        late = await make_patient(district=place, registered_on="令和7年5月1日")
        await make_patient(district=district(), registered_on="R7.4.1")
        exclusion = {"version": late["version"], "excluded_on": "R7.6.1", "reason": "transfer_out"}
        excluded = await client.post(
            f"/patients/{late['id']}/exclusion", json=exclusion, headers=auth_headers("nurse1")
        )
        assert excluded.status_code == 200, excluded.text

        def numbers(response: httpx.Response) -> list[str]:
            return [row["登録番号"] for row in table(response)]

        assert numbers(await export(client, district=place)) == [
            early["registration_no"],
            inside["registration_no"],
            late["registration_no"],
        ]
        period = {"registered_from": "R7.4.1", "registered_to": "2025-05-01"}
        assert numbers(await export(client, district=place, **period)) == [
            inside["registration_no"],
            late["registration_no"],
        ]
        assert numbers(await export(client, district=place, status="excluded")) == [late["registration_no"]]
        [row] = table(await export(client, district=place, status="excluded"))
        assert (row["状態"], row["登録除外日"], row["除外理由"]) == ("登録除外", "2025-06-01", "転出")
        assert numbers(await export(client, district=place, status="active", registered_to="2025-03-31")) == [
            early["registration_no"]
        ]
        blank = await export(client, district=place, registered_from="", status="")
        assert len(table(blank)) == 3

    async def test_unreadable_or_reversed_dates_and_unknown_choices_are_refused_in_japanese(
        self, client: httpx.AsyncClient
    ) -> None:
        unreadable = await export(client, registered_from="R7.13.1")
        assert unreadable.status_code == 422 and "存在しない日付" in unreadable.json()["errors"]["registered_from"]
        reversed_ = await export(client, registered_from="R7.5.1", registered_to="R7.4.1")
        assert reversed_.status_code == 422 and "開始日より前" in reversed_.json()["errors"]["registered_to"]
        unknown = await export(client, target="contacts", status="gone")
        assert unknown.status_code == 422
        assert unknown.json()["errors"] == {
            "target": "選択肢から選んでください。",
            "status": "選択肢から選んでください。",
        }

    async def test_more_rows_than_a_file_may_hold_are_refused_not_cut_off(
        self, client: httpx.AsyncClient, make_patient: MakePatient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        place = district()
        for _ in range(3):
            await make_patient(district=place)
        monkeypatch.setattr("patients.export.service.MAX_EXPORT_ROWS", 2)
        refused = await export(client, district=place)
        assert refused.status_code == 422 and refused.json()["code"] == "export_too_large"
        assert "3件" in refused.json()["detail"] and "絞り込んで" in refused.json()["detail"]
        monkeypatch.setattr("patients.export.service.MAX_EXPORT_ROWS", 3)
        assert len(table(await export(client, district=place))) == 3

    async def test_the_export_is_recorded_once_in_the_operation_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        await make_patient(district=place)
        table(await export(client, district=place))
        exports = await audited_exports(client, place)
        assert len(exports) == 1, exports
        assert (exports[0]["username"], exports[0]["record_type"]) == ("nurse1", "patient")
        assert "target=patients" in exports[0]["query"] and exports[0]["detail"] == "CSV 1件"

    @pytest.mark.req("R32")
    async def test_a_user_without_patient_access_is_refused(self, client: httpx.AsyncClient) -> None:
        forms_only = AccessUser.of({Area.FORMS: Access.READ})
        token = (await asyncio.to_thread(log_in_all, [forms_only]))[forms_only]
        response = await client.get("/patients/export", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403 and "「患者管理」" in response.json()["detail"]
        assert (await client.get("/patients/export")).status_code == 401

    @pytest.mark.req("R32")
    async def test_reading_patients_is_not_enough_a_bulk_export_also_needs_the_output_area(
        self, client: httpx.AsyncClient
    ) -> None:
        patients_only = AccessUser.of({Area.PATIENTS: Access.UPDATE})
        token = (await asyncio.to_thread(log_in_all, [patients_only]))[patients_only]
        response = await client.get("/patients/export", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403 and "「統計・出力」" in response.json()["detail"]


@pytest.mark.req("R33", partial=True)
class TestRecordExports:
    """GET /patients/export?target=lab_results|treatments."""

    async def test_lab_results_are_listed_with_the_patient_and_a_one_line_result(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        patient = await make_patient(district=place)
        smear = {"kind": "smear", "specimen": "喀痰", "collected_on": "R7.5.1", "details": {"grade": "2+"}}
        culture = {"kind": "culture", "collected_on": "R7.5.8", "laboratory": "試験検査所"}
        culture["details"] = {"medium": "液体", "result": "陽性"}
        for body in (culture, smear):
            await post(client, f"/patients/{patient['id']}/lab-results", body)
        response = await export(client, target="lab_results", district=place)
        rows = table(response)
        assert filename_of(response) == f"菌検査結果_{datetime.now(JST):%Y%m%d}.csv"
        assert [(r["検査の種類"], r["採取日"], r["結果"]) for r in rows] == [
            ("塗抹", "2025-05-01", "2+"),
            ("培養", "2025-05-08", "陽性（液体）"),
        ]
        assert {(r["登録番号"], r["氏名"]) for r in rows} == {(patient["registration_no"], "試験 太郎")}
        assert rows[1]["検査機関"] == "試験検査所" and rows[0]["検体"] == "喀痰"

    @pytest.mark.req("R25", partial=True)
    async def test_treatments_are_listed_with_labels_and_iso_dates(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        place = district()
        patient = await make_patient(district=place)
        body = {"regimen": "2HREZ/4HR", "started_on": "R7.5.10", "planned_end_on": "2025-11-09"}
        picked = {"institution": "試験病院", "institution_code": "1319901232"}
        await post(client, f"/patients/{patient['id']}/treatments", body | picked)
        response = await export(client, target="treatments", district=place)
        [row] = table(response)
        assert filename_of(response) == f"治療_{datetime.now(JST):%Y%m%d}.csv"
        assert header_of(response)[:3] == ["登録番号", "氏名", "処方"]
        assert (row["処方"], row["開始日"], row["終了予定日"], row["終了日"]) == (
            "2HREZ/4HR（標準治療A法）",
            "2025-05-10",
            "2025-11-09",
            "",
        )
        assert (row["登録番号"], row["治療医療機関"]) == (patient["registration_no"], "試験病院")
        assert row["医療機関コード"] == "1319901232"  # R25: the masters' code beside the name


@pytest.mark.req("R33", partial=True)
class TestConfigurableColumns:
    """Configurable fields become columns after the fixed items, values as staff read them."""

    async def test_every_patient_field_is_a_column_with_readable_values_and_stays_after_it_is_taken_out_of_use(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        kinds = ("text", "number", "date", "choice", "multi_choice", "yes_no")
        fields = {  # last in form order, so they are the last columns
            kind: await define(client, "patient", kind, choices=CHOICES if "choice" in kind else [], sort_order=order)
            for order, kind in enumerate(kinds, start=99_990)
        }
        place = district()
        try:
            values = {"text": "+81 勤務先", "number": "-3", "date": "R7.3.1", "choice": "night"}
            values |= {"multi_choice": ["none", "day"], "yes_no": "はい"}
            custom = {fields[kind]["key"]: value for kind, value in values.items()}
            await make_patient(district=place, custom=custom)
            await make_patient(district=place)
            response = await export(client, district=place)
            header = header_of(response)
            labels = [fields[kind]["label"] for kind in kinds]
            assert header[header.index("総合患者分類") + 1 :][-len(kinds) :] == labels
            filled, empty = table(response)
            assert [filled[name] for name in labels] == [
                "'+81 勤務先",
                "-3",
                "2025-03-01",
                "夜勤",
                "日勤、なし",
                "はい",
            ]
            assert [empty[name] for name in labels] == [""] * len(kinds)
        finally:
            for definition in fields.values():
                await deactivate(client, definition)
        kept = table(await export(client, district=place))[0]
        ended = [f"{fields[kind]['label']}（使用終了）" for kind in kinds]
        assert [kept[name] for name in ended] == ["'+81 勤務先", "-3", "2025-03-01", "夜勤", "日勤、なし", "はい"]

    async def test_lab_result_and_treatment_fields_are_columns_of_their_own_exports_only(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        lab_field = await define(client, "lab_result", "yes_no")
        treatment_field = await define(client, "treatment", "choice", choices=CHOICES)
        place = district()
        try:
            patient = await make_patient(district=place)
            lab = {"kind": "igra", "collected_on": "R7.5.1", "details": {"test": "QFT", "judgement": "陽性"}}
            await post(client, f"/patients/{patient['id']}/lab-results", lab | {"custom": {lab_field["key"]: False}})
            treatment = {"regimen": "6H", "started_on": "R7.5.10", "custom": {treatment_field["key"]: "day"}}
            await post(client, f"/patients/{patient['id']}/treatments", treatment)
            [lab_row] = table(await export(client, target="lab_results", district=place))
            [treatment_row] = table(await export(client, target="treatments", district=place))
            patient_header = header_of(await export(client, district=place))
            assert lab_row[lab_field["label"]] == "いいえ" and treatment_field["label"] not in lab_row
            assert treatment_row[treatment_field["label"]] == "日勤" and lab_field["label"] not in treatment_row
            assert lab_field["label"] not in patient_header and treatment_field["label"] not in patient_header
        finally:
            await deactivate(client, lab_field)
            await deactivate(client, treatment_field)
