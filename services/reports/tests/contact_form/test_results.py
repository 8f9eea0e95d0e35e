"""The result forms of a contact's screening through the reports API: F22 【保健所実施】結果文書 tells the
contact (a child's 保護者) the results of the exams the health center did, the judgement and the next exam; F24
照射録 records each chest X-ray the health center took with the items 診療放射線技師法施行規則第16条 names; F26
結果報告書 is the report the examining medical institution returns. Each prints on A4, is refused with the list
of missing items, and is filed as a document of the contact. The official layouts were not available (partial)."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import date

import pytest
from reports.document.filing import screening_day_id
from tbms_contracts.contacts import Deadline, ExamSnapshot
from tbms_testing import auth_headers

from .test_api import arrived, assert_a4, contact, keep_png, pdf_text

CLINIC = "試験結核クリニック"


def cell_text(pdf: bytes) -> str:
    """The text in reading order (each table cell whole, wrapped lines joined), whitespace removed."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


CLINIC_CODE = "1312345678"
# synthetic irradiation conditions of a chest X-ray taken at the health center
CONDITIONS = {
    "projection": "pa",
    "projection_label": "正面（PA・立位）",
    "exposures": 1,
    "kv": 120,
    "ma": 320,
    "time_s": 0.01,
    "distance_cm": 180,
    "device": "試験X線装置1号機",
    "radiographer": "試験 技師",
    "physician": "試験 医師",
}


def xray(done_on: date | None, **fields: object) -> ExamSnapshot:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "version": 2,
        "kind": "xray",
        "status": "done" if done_on else "planned",
        "done_on": done_on,
        "result": "normal" if done_on else "",
        "finding": "nI0" if done_on else "",
        "irradiation": CONDITIONS if done_on else None,
    }
    return ExamSnapshot.model_validate(values | fields)


def at_clinic(kind: str = "igra_tspot", **fields: object) -> ExamSnapshot:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "kind": kind,
        "status": "planned",
        "planned_on": date(2026, 12, 10),
        "institution": CLINIC,
        "institution_code": CLINIC_CODE,
        "institution_name": CLINIC,
    }
    return ExamSnapshot.model_validate(values | fields)


def screened(index_id: str | None = None, **fields: object) -> object:
    """A contact examined at the health center (IGRA positive, a chest X-ray) and asked to a clinic as well."""
    person = contact(index_id or str(uuid.uuid4()), **fields)
    if "exams" not in fields:
        person = person.model_copy(
            update={"exams": [*person.exams, xray(date(2026, 11, 20), receipt_no=8), at_clinic()]}
        )
    return person


async def printed(client, person, form: str, **params: str):
    return await client.get(f"/contact-forms/{person.id}/{form}", params=params, headers=auth_headers("nurse1"))


@pytest.mark.req("F22", "R18", partial=True)
async def test_f22_tells_the_contact_the_results_of_the_health_centers_exams_and_what_next(client) -> None:
    due = Deadline(what="xray", step="month_6", due_on=date(2027, 3, 10), why="最終接触から6か月")
    person = screened(outcome="observation", deadlines=[due])
    await arrived(client, person)
    answer = await printed(client, person, "F22")
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f22")
    text = pdf_text(answer.content)
    for expected in (
        "結核接触者健康診断の結果について（通知）",
        "東京都世田谷区試験町1-1",
        "試験陽子様",
        "感染症の予防及び感染症の患者に対する医療に関する法律第17条",
        "IGRA（QFT）令和8年11月20日陽性0.85",
        "胸部X線令和8年11月20日異常なしnI0",
        "要経過観察",
        "引き続き下記の時期に検査を受けてください",
        "胸部X線検査令和9年3月10日ごろ",
        "世田谷区世田谷保健所長",
    ):
        assert expected in text, expected
    assert "IGRA（T-SPOT）" not in text, "an exam at a medical institution is not the health center's result"
    assert "保護者" not in text

    child = screened(name="試験 幼子", birth_date=date(2022, 4, 1), outcome="no_disease")
    await arrived(client, child)
    letter = pdf_text((await printed(client, child, "F22")).content)
    assert "試験幼子様保護者様" in letter and "健康診断はこれで終了です" in letter

    unjudged = contact(
        str(uuid.uuid4()), outcome="", address="", exams=[at_clinic(status="done", done_on=date(2026, 12, 1))]
    )
    await arrived(client, unjudged)
    refused = await printed(client, unjudged, "F22")
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"address", "exams", "outcome"}
    assert "保健所で実施した検査の結果" in refused.json()["detail"]


@pytest.mark.req("F24", "R18", partial=True)
async def test_f24_records_each_chest_xray_taken_at_the_health_center_with_age_method_and_instruction(client) -> None:
    later = xray(date(2027, 5, 21), receipt_no=3)
    person = screened()
    person = person.model_copy(
        update={"exams": [*person.exams, later, at_clinic("xray", status="done", done_on=date(2026, 12, 2))]}
    )
    await arrived(client, person)
    answer = await printed(client, person, "F24")
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f24")
    text = cell_text(answer.content)
    for expected in (
        "照射録",
        "試験陽子",
        "女",
        "昭和60年6月1日",
        "令和8年11月20日41歳",  # date, age on the day
        "8胸部X線撮影正面（PA・立位）撮影回数1回装置：試験X線装置1号機",  # receipt number, method
        "令和9年5月21日41歳3",  # 41 still: the birthday is in June
        "管電圧120kV管電流320mA照射時間0.01秒管電流時間積3.2mAs撮影距離180cm",  # mAs from mA × s
        "撮影者：試験技師指示医師：試験医師",
        "結核接触者健康診断（感染症法第17条）のための胸部X線撮影",  # the instruction by default
        "指示をした医師の署名",
        "診療放射線技師法第28条第1項、同法施行規則第16条",
    ):
        assert expected in text, expected
    assert "令和8年12月2日" not in text, "an X-ray taken at a clinic is in the clinic's record, not ours"
    one = pdf_text((await printed(client, person, "F24", record_id=later.id)).content)
    assert "令和9年5月21日" in one and "令和8年11月20日" not in one

    nothing = contact(str(uuid.uuid4()), sex="")
    await arrived(client, nothing)
    refused = await printed(client, nothing, "F24")
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"sex", "rows"}


@pytest.mark.req("F24", "R13", partial=True)
async def test_f24_lists_each_xray_whose_irradiation_conditions_are_missing_before_printing(client) -> None:
    bare = xray(date(2026, 11, 20), irradiation=None)
    partly = xray(date(2026, 12, 1), irradiation={"kv": 120, "radiographer": "試験 技師"})
    person = contact(str(uuid.uuid4()))
    person = person.model_copy(update={"exams": [bare, partly]})
    await arrived(client, person)
    refused = await printed(client, person, "F24")
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"complete"}
    detail = refused.json()["detail"]
    assert "令和8年11月20日：管電圧・管電流時間積（または管電流と照射時間）・撮影者・指示をした医師" in detail
    assert "令和8年12月1日：管電流時間積（または管電流と照射時間）・指示をした医師" in detail
    complete = contact(str(uuid.uuid4()))
    complete = complete.model_copy(update={"exams": [xray(date(2026, 11, 20), irradiation=CONDITIONS | {"mas": 4})]})
    await arrived(client, complete)
    answer = await printed(client, complete, "F24")
    assert answer.status_code == 200, answer.text
    assert "管電流時間積4mAs" in cell_text(answer.content), "the mAs entered is printed as entered"


@pytest.mark.req("F26", "R18", partial=True)
async def test_f26_is_the_report_the_examining_institution_returns_with_the_person_and_exams_asked(client) -> None:
    person = screened()
    await arrived(client, person)
    answer = await printed(client, person, "F26")
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f26")
    text = pdf_text(answer.content)
    for expected in (
        "結核接触者健康診断結果報告書",
        "世田谷区世田谷保健所長様",
        "令和8年11月5日付けで勧告した",
        "試験陽子（シケンヨウコ）",
        "昭和60年6月1日",
        "IGRA（QFT）、胸部X線",
        "IGRA（T-SPOT）",  # the exam booked at the clinic
        f"{CLINIC}（医療機関コード{CLINIC_CODE}）",
        "□異常なし",
        "□潜在性結核感染症（要治療）",
    ):
        assert expected in text, expected
    assert "0.85" not in text, "the health center's own IGRA is not the clinic's result"

    only_here = contact(str(uuid.uuid4()))
    await arrived(client, only_here)
    refused = await printed(client, only_here, "F26")
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"institution"}
    assert "受診する医療機関" in refused.json()["detail"]


@pytest.mark.req("R18", "F22", "F24", "F26", partial=True)
async def test_f22_f24_f26_are_filed_with_the_contact(client) -> None:
    person = screened()
    await arrived(client, person)
    ids = {}
    for form in ("F22", "F24", "F26"):
        answer = await printed(client, person, form)
        assert answer.status_code == 200, answer.text
        ids[form] = answer.headers["x-document-ids"]
    listed = await client.get(
        "/documents", params={"owner_type": "contact", "owner_id": person.id}, headers=auth_headers("nurse1")
    )
    assert listed.status_code == 200
    documents = listed.json()["items"]
    assert {d["kind"]: d["id"] for d in documents} == ids
    titles = {d["kind"]: d["title"] for d in documents}
    assert titles["F24"].startswith("照射録") and "保健所実施" in titles["F22"] and "結果報告書" in titles["F26"]


@pytest.mark.req("F24", "R13", partial=True)
async def test_f24_of_a_screening_day_lists_every_xray_the_center_took_that_day_and_is_filed_with_the_day(
    client,
) -> None:
    place = f"試験会場{uuid.uuid4().hex[:6]}"
    day = date(2026, 11, 27)
    first = contact(str(uuid.uuid4()), name="試験 一子", exams=[xray(day, receipt_no=1, reception_place=place)])
    second = contact(str(uuid.uuid4()), name="試験 二子", exams=[xray(day, receipt_no=2, reception_place=place)])
    other_day = contact(str(uuid.uuid4()), name="試験 別日", exams=[xray(date(2026, 11, 28), reception_place=place)])
    at_a_clinic = contact(
        str(uuid.uuid4()),
        name="試験 病院",
        exams=[at_clinic("xray", status="done", done_on=day, appointment_place=place)],
    )
    for person in (second, first, other_day, at_a_clinic):
        await arrived(client, person)
    params = {"day": day.isoformat(), "place": place}
    answer = await client.get("/screening-days/F24", params=params, headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f24_day")
    text = cell_text(answer.content)
    assert "照射録" in text and place in text and "令和8年11月27日" in text and "撮影人数：2人" in text
    assert text.index("試験一子") < text.index("試験二子"), "in receipt-number order"
    assert "試験別日" not in text and "試験病院" not in text
    assert "管電圧120kV" in text and "指示をした医師の署名" in text
    listed = await client.get(
        "/documents",
        params={"owner_type": "screening_day", "owner_id": str(screening_day_id(day, place))},
        headers=auth_headers("nurse1"),
    )
    assert [d["kind"] for d in listed.json()["items"]] == ["F24"]
    assert listed.json()["items"][0]["id"] == answer.headers["x-document-ids"]

    lacking = contact(
        str(uuid.uuid4()), name="試験 三子", exams=[xray(day, receipt_no=3, reception_place=place, irradiation=None)]
    )
    await arrived(client, lacking)
    refused = await client.get("/screening-days/F24", params=params, headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and "試験 三子：管電圧" in refused.json()["detail"]
    none = await client.get(
        "/screening-days/F24", params={"day": "2026-01-05", "place": place}, headers=auth_headers("nurse1")
    )
    assert none.status_code == 422 and set(none.json()["errors"]) == {"rows"}
