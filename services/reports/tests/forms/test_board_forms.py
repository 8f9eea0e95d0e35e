"""The 診査会's forms (F09–F13, F15–F17, F28) render as A4 PDFs with every item filled from the read model: the
decision notice with its numbers and period in 和暦, the 患者票, the 20条 notice with its legal clauses, the 諮問書,
and the members' papers without the name or address; a session's cases print as one merged PDF."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from reports.board_record.models import BoardRecord
from reports.forms.board import BoardFormInput
from reports.forms.board_registry import BOARD_FORMS
from reports.forms.letterhead import Letterhead
from reports.forms.render import FormRenderer
from reports.master_snapshot.models import MasterSnapshot
from reports.patient_summary.models import PatientSummary

PRINTED_AT = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
SESSION_ID = uuid.uuid4()


def summary() -> PatientSummary:
    return PatientSummary(
        id=uuid.uuid4(), version=1, registration_no="2026-00042", registered_on=date(2026, 4, 8), category="patient",
        name="試験 花子", name_kana="シケン ハナコ", sex="female", birth_date=date(1970, 3, 1), postal_code="154-0017",
        address="東京都世田谷区世田谷四丁目21番27号", phone="", status="active", district="世田谷", nurse="",
        excluded_on=None,
    )  # fmt: skip


def record(kind: str, data: dict[str, Any], labels: dict[str, str] | None = None) -> BoardRecord:
    return BoardRecord(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, data=data, labels=labels or {})


CASE = {
    "session_id": str(SESSION_ID), "position": 3, "kind": "37-2_new", "received_on": "2026-08-31",
    "summary": "咳嗽と微熱が2か月続く", "bacteriology": "喀痰塗抹 2+、培養陽性", "xray": "右上葉に空洞",
    "gakkai": "bII2", "treatment_plan": "2HREZ/4HR", "certificate_on": "2026-08-28", "certificate_doctor": "試験 医師",
    "institution": "試験総合病院", "pharmacy": "試験薬局", "decision": "approved", "decided_on": "2026-09-10",
    "valid_from": "2026-08-31", "valid_to": "2027-02-28", "conditions": "", "comments": "標準治療で妥当",
    "payer_number": "10131019", "recipient_number": "0000018", "income_tax_yen": None,
}  # fmt: skip
LABELS = {"kind": "37条の2 新規申請", "decision": "承認"}
CARD = {
    "case_id": "", "payer_number": "10131019", "recipient_number": "0000018", "valid_from": "2026-08-31",
    "valid_to": "2027-02-28", "institution": "試験総合病院", "pharmacy": "試験薬局",
    "care_kind": "化学療法及びこれに必要な検査", "issued_on": "2026-09-12", "reissues": [], "status": "issued",
}  # fmt: skip
MEASURE = {
    "article": "20", "issued_on": "2026-04-13", "starts_on": "2026-04-13", "ends_on": "2026-05-12",
    "hospital": "試験結核病院", "restricted_work": "", "starts_at": None, "ends_at": None,
}  # fmt: skip
SESSION = {"held_at": "2026-11-10T05:00:00+00:00", "place": "第1会議室"}
LETTERHEAD = Letterhead.of(MasterSnapshot(
    kind="letterhead", code="self", version=1, name="世田谷保健所", kana="",
    data={"director_name": "保健 所長", "director_title": "世田谷保健所長", "contact_text": "感染症対策課 03-0000"},
))  # fmt: skip


def board_input(**changes: Any) -> BoardFormInput:
    values: dict[str, Any] = {
        "case": record("case", CASE, LABELS),
        "session": record("session", SESSION),
        "card": record("card", CARD),
        "measure": record("measure", MEASURE, {"article": "20条 入院勧告"}),
        "letterhead": LETTERHEAD,
    }
    return BoardFormInput(summary(), PRINTED_AT, "試験 事務", **(values | changes))


def pdf_text(pdf: bytes) -> str:
    return re.sub(
        r"\s+", "", subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    )


def pages(pdf: bytes) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


@pytest.fixture(scope="module")
def renderer() -> FormRenderer:
    return FormRenderer()


@pytest.mark.req("F13", partial=True)
def test_f13_decision_notice_has_numbers_period_and_the_appeal(renderer: FormRenderer) -> None:
    pdf = renderer.render_pdf_sync(BOARD_FORMS["F13"], board_input())
    text = pdf_text(pdf)
    assert pages(pdf) == (1, "595.276 x 841.89 pts (A4)")
    for item in ("結核医療費公費負担決定通知書", "試験花子様", "世田谷保健所長保健所長", "令和8年8月31日に受理",
                 "第37条の2", "10131019", "0000018", "令和8年8月31日から令和9年2月28日まで", "試験総合病院", "試験薬局",
                 "審査請求", "令和8年9月10日"):  # fmt: skip
        assert item in text, item


@pytest.mark.req("F13", partial=True)
def test_f13_refusal_names_its_reason_and_no_number(renderer: FormRenderer) -> None:
    reason = {"decision": "refused", "recipient_number": "", "comments": "結核の診断が確定しない"}
    refused = record("case", CASE | reason, LABELS | {"decision": "不承認"})
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F13"], board_input(case=refused)))
    assert "不承認と決定" in text and "結核の診断が確定しない" in text and "受給者番号" not in text


@pytest.mark.req("F15", partial=True)
def test_f15_patient_card(renderer: FormRenderer) -> None:
    pdf = renderer.render_pdf_sync(BOARD_FORMS["F15"], board_input())
    text = pdf_text(pdf)
    assert pages(pdf)[0] == 1
    for item in ("結核患者票", "10131019", "0000018", "試験花子", "昭和45年3月1日", "女", "試験薬局",
                 "化学療法及びこれに必要な検査", "令和8年8月31日から令和9年2月28日まで", "令和8年9月12日"):  # fmt: skip
        assert item in text, item


@pytest.mark.req("F12", partial=True)
def test_f12_admission_recommendation_with_its_clauses(renderer: FormRenderer) -> None:
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F12"], board_input()))
    for item in ("入院勧告書", "第20条第1項", "試験結核病院", "令和8年4月13日から令和8年5月12日まで", "第20条第2項",
                 "第20条第6項", "意見を述べる"):  # fmt: skip
        assert item in text, item
    extension = record("measure", MEASURE | {"article": "20_extension"})
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F12"], board_input(measure=extension)))
    assert "入院期間延長勧告書" in text and "第20条第4項" in text


@pytest.mark.req("F10", partial=True)
def test_f10_work_restriction_states_what_the_law_requires(renderer: FormRenderer) -> None:
    measure = record("measure", MEASURE | {"article": "18", "restricted_work": "接客業その他の多数の者に接触する業務"})
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F10"], board_input(measure=measure)))
    for item in ("就業制限通知書", "接客業その他の多数の者に接触する業務", "まん延させるおそれがなくなるまで",
                 "第77条", "第18条第3項", "確認を求める", "喀痰塗抹2+"):  # fmt: skip
        assert item in text, item


@pytest.mark.req("F16", partial=True)
def test_f16_consultation_names_the_patient_and_the_case(renderer: FormRenderer) -> None:
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F16"], board_input()))
    for item in (
        "諮問",
        "感染症診査協議会会長様",
        "37条の2新規申請",
        "試験花子",
        "右上葉に空洞",
        "bII2",
        "令和8年11月10日",
    ):
        assert item in text, item


@pytest.mark.req("F17", partial=True)
@pytest.mark.req("F28", partial=True)
@pytest.mark.parametrize("form_id", ["F17", "F28"])
def test_members_papers_carry_no_name_or_address(renderer: FormRenderer, form_id: str) -> None:
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS[form_id], board_input()))
    assert "試験花子" not in text and "世田谷四丁目" not in text and "2026-00042" not in text
    assert "56歳" in text and "女" in text and "bII2" in text and "案件3" in text


@pytest.mark.req("F09", partial=True)
def test_f09_result_to_the_hospital(renderer: FormRenderer) -> None:
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F09"], board_input()))
    for item in ("試験総合病院院長様", "感染症診査協議会の結果", "承認", "0000018", "標準治療で妥当"):
        assert item in text, item


@pytest.mark.req("F11", partial=True)
def test_f11_emergency_admission_is_72_hours(renderer: FormRenderer) -> None:
    measure = record(
        "measure",
        MEASURE | {"article": "19", "starts_at": "2026-04-10T15:00:00+09:00", "ends_at": "2026-04-13T15:00:00+09:00"},
    )
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F11"], board_input(measure=measure)))
    assert "第19条第1項" in text and "72時間以内" in text and "2026-04-1315:00まで" in text


def test_a_session_prints_as_one_merged_pdf(renderer: FormRenderer) -> None:
    items = [(BOARD_FORMS[f], board_input()) for f in ("F16", "F17", "F13", "F15")] * 2
    pdf = renderer.render_merged_pdf_sync(items)
    assert pages(pdf)[0] == 8 and pdf_text(pdf).count("結核患者票") == 2


@pytest.mark.req("F14", partial=True)
def test_f14_labels_fill_sheets_at_the_configured_positions(renderer: FormRenderer) -> None:
    addresses = tuple(
        {"postal_code": "154-0017", "address": f"東京都世田谷区世田谷{n}丁目", "name": f"試験 花子{n}　様"}
        for n in range(14)
    )
    sheet = {"columns": 2, "rows": 6, "width": 86.4, "height": 42.3, "top": 21.5, "left": 18.6, "gap": 0.0}
    pdf = renderer.render_pdf_sync(BOARD_FORMS["F14"], board_input(addresses=addresses, sheet=sheet))
    text = pdf_text(pdf)
    assert pages(pdf) == (2, "595.276 x 841.89 pts (A4)")  # 12 labels a sheet, then 2
    assert "〒154-0017" in text and "試験花子13様" in text and "出力日時" not in text
    html = renderer.render_html(BOARD_FORMS["F14"], board_input(addresses=addresses, sheet=sheet | {"left": 10.0}))
    assert "left: 10.0mm; top: 21.5mm" in html and "left: 96.4mm; top: 63.8mm" in html


WINDOW = {"left": 20.0, "top": 15.0, "width": 90.0, "height": 45.0}  # mm from the paper's top left edge
POINTS_PER_MM = 72 / 25.4


def words_at(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every word of the first page with its box in mm from the top left edge (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(w, *(float(v) / POINTS_PER_MM for v in box)) for *box, w in found]  # type: ignore[misc]


def inside_window(word: tuple[str, float, float, float, float]) -> bool:
    _, left, top, right, bottom = word
    return (
        WINDOW["left"] <= left
        and right <= WINDOW["left"] + WINDOW["width"]
        and WINDOW["top"] <= top
        and bottom <= WINDOW["top"] + WINDOW["height"]
    )


@pytest.mark.req("F13", "F09", partial=True)
@pytest.mark.parametrize(("form", "expected"), [("F13", ("〒154-0017", "試験", "様")), ("F09", ("〒150-0001", "院長"))])
def test_a_mailed_letter_prints_its_addressee_in_the_envelope_window(
    renderer: FormRenderer, form: str, expected: tuple[str, ...]
) -> None:
    hospital = ({}, {"postal_code": "1500001", "address": "東京都渋谷区試験一丁目1番1号", "name": "試験総合病院　御中"})
    pdf = renderer.render_pdf_sync(BOARD_FORMS[form], board_input(window=WINDOW, addresses=hospital))
    words = words_at(pdf)
    for item in expected:
        assert any(item in w[0] and inside_window(w) for w in words), (item, [w for w in words if item in w[0]])
    address = "世田谷区" if form == "F13" else "渋谷区"
    assert any(address in w[0] and inside_window(w) for w in words), address
    assert not any(w[0].startswith("第") and inside_window(w) for w in words), "the number stays outside the window"


@pytest.mark.req("F13", partial=True)
def test_without_window_printing_the_addressee_is_a_plain_line(renderer: FormRenderer) -> None:
    text = pdf_text(renderer.render_pdf_sync(BOARD_FORMS["F13"], board_input(window=None)))
    assert "試験花子様" in text and "〒" not in text
