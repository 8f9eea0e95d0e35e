"""F06 経過記録（2号記録）, F08 行動調査票 and F29 管理検診お知らせ as printed: A4, every item from the records, the
rules beside the computed dates. Set $TBMS_SHOTS to also get a PNG of each first page (pdftoppm) to look at."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reports.care_record.models import CareRecord
from reports.forms.letterhead import Letterhead
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer
from reports.forms.spec import FormInput, Genre
from reports.patient_summary.models import PatientSummary

PRINTED_AT = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Japan
LETTERHEAD = Letterhead(
    name="見本区保健所",
    director_title="見本区保健所長",
    director_name="見本 所長",
    postal_code="154-0000",
    address="東京都見本区見本一丁目1番1号",
    phone="03-0000-0000",
    contact_text="見本区保健所 感染症対策係\n電話 03-0000-0000（平日8時30分〜17時15分）",
)


def patient() -> PatientSummary:
    return PatientSummary(
        id=uuid.uuid4(),
        version=1,
        registration_no="2024-00077",
        registered_on=date(2024, 1, 10),
        category="recovered",
        name="見本 次郎",
        name_kana="ミホン ジロウ",
        sex="male",
        birth_date=date(1965, 5, 5),
        postal_code="154-0017",
        address="東京都見本区見本二丁目2番2号",
        phone="03-0000-1111",
        status="active",
        district="見本",
        nurse="保健 花子",
        excluded_on=None,
    )


def record(kind: str, data: dict[str, object], labels: dict[str, str] | None = None) -> CareRecord:
    return CareRecord(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, data=data, labels=labels or {})


def exam(seq: int, due_on: str, **data: object) -> CareRecord:
    base = {
        "seq": seq,
        "due_on": due_on,
        "reason": f"治療終了日（令和7年8月31日）から{seq * 6}か月（治療終了後2年間・6か月ごと）",
        "profile_label": "治療終了後2年間・6か月ごと",
        "ended_on": "2025-08-31",
        "cancelled": False,
        "examined_on": None,
        "judgement": "",
        "appointment_on": None,
    }
    return record("followup_exam", base | data)


def note(day: str, text: str, **data: object) -> CareRecord:
    return record("progress_note", {"noted_on": day, "kind": "visit", "text": text, "author_name": "保健 花子"} | data)


INVESTIGATION = {
    "interviewed_on": "2026-07-25",
    "interviewer": "保健 花子",
    "items": {
        "symptoms": [{"symptom": "cough", "onset_on": "2026-04-15"}, {"symptom": "fever", "onset_on": "2026-05-01"}],
        "visits": [{"visited_on": "2026-06-15", "institution": "見本内科", "what": "感冒薬の処方"}],
        "diagnosed_on": "2026-07-15",
        "isolated_on": "2026-07-18",
        "household": [{"name": "見本 花子", "relation": "妻", "age": 58}],
        "settings": [
            {"kind": "work", "name": "見本商事 経理課", "hours": "9〜18時", "room": "3階", "ventilation": "poor"}
        ],
        "places": [{"kind": "club", "name": "見本囲碁クラブ", "frequency": "週1回"}],
        "travel": [{"kind": "travel", "name": "見本県", "from_on": "2026-03-01", "to_on": "2026-03-03"}],
        "birth_country": "日本",
        "bcg": "yes",
        "comorbidities": "糖尿病",
    },
    "period": {
        "start": "2026-01-15",
        "end": "2026-07-18",
        "case": "cough_onset",
        "rule": "咳の出現（令和8年4月15日）の3か月前",
        "end_rule": "隔離・入院（令和8年7月18日）まで",
        "overridden": False,
        "override_reason": "",
    },
    "delays": [
        {"kind": "patient", "delayed": True, "rule": "発病（最初の症状）から初診まで2か月以上"},
        {"kind": "doctor", "delayed": True, "rule": "初診から診断まで1か月以上"},
    ],
}


@pytest.fixture(scope="module")
def renderer() -> FormRenderer:
    return FormRenderer()


def printed(renderer: FormRenderer, form: str, data: FormInput) -> tuple[str, int, str]:
    """The PDF's text (whitespace removed), pages and page size; a PNG of page 1 under $TBMS_SHOTS."""
    pdf = renderer.render_pdf_sync(form_spec(form), data)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    if os.environ.get("TBMS_SHOTS"):
        target = Path(os.environ["TBMS_SHOTS"]) / f"tbms-form-{form.lower()}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", "-", str(target)], input=pdf, check=True)
    return re.sub(r"\s+", "", text.decode()), int(fields["Pages"]), fields["Page size"].strip()


@pytest.mark.req("F06", partial=True)
def test_f06_prints_the_notes_in_date_order_with_their_author(renderer: FormRenderer) -> None:
    records = [
        note("2026-05-10", "電話で服薬を確認", contact="phone", met="本人", next_action="来週訪問"),
        note("2026-04-02", "自宅を訪問し本人と妻に面接", contact="visit", met="本人と妻"),
        note("2026-04-20", "主治医と治療方針を確認", kind="hospital", author_name="保健 太郎"),
    ]
    text, pages, size = printed(renderer, "F06", FormInput(patient(), PRINTED_AT, "保健 花子", care_records=records))
    assert pages == 1 and size.startswith("595") and "経過記録（2号記録）" in text
    assert "記録期間：令和8年4月2日〜令和8年5月10日" in text
    first, second, third = (text.index(t) for t in ("自宅を訪問", "主治医と治療", "電話で服薬"))
    assert first < second < third  # oldest first
    assert "訪問本人と妻" in text and "電話本人電話で服薬を確認" in text and "【次の対応】来週訪問" in text
    assert "医療機関連絡" in text  # a note without the 2号記録 kind of contact prints its own kind
    assert "保健太郎" in text and text.count("保健花子") >= 2


@pytest.mark.req("F08", partial=True)
def test_f08_prints_every_section_with_the_period_and_its_rule(renderer: FormRenderer) -> None:
    records = [record("investigation", INVESTIGATION)]
    text, pages, size = printed(renderer, "F08", FormInput(patient(), PRINTED_AT, "保健 花子", care_records=records))
    assert pages <= 2 and size.startswith("595") and "行動調査票（第2版）" in text
    assert "令和8年1月15日（2026年1月15日）〜令和8年7月18日（2026年7月18日）" in text
    for printed_item in (
        "開始：咳の出現（令和8年4月15日）の3か月前",
        "受診の遅れ：あり",
        "診断の遅れ：あり",
        "■令和8年4",
        "見本内科",
        "感冒薬の処方",
        "見本花子妻58",
        "見本商事経理課",
        "9〜18時",
        "不良",
        "見本囲碁クラブ",
        "旅行見本県令和8年3月1日〜令和8年3月3日",
        "■接種あり",
        "糖尿病",
    ):
        assert printed_item in text, printed_item


@pytest.mark.req("F08", "R33", partial=True)
def test_f08_prints_the_items_the_health_center_added(renderer: FormRenderer) -> None:
    added = INVESTIGATION | {
        "items": INVESTIGATION["items"] | {"extra": {"pet": "犬1匹"}},  # type: ignore[operator]
        "extra_items": {"pet": "ペットの飼育", "commute": "通勤手段"},
    }
    text, _, _ = printed(
        renderer, "F08", FormInput(patient(), PRINTED_AT, "x", care_records=[record("investigation", added)])
    )
    assert "8保健所で追加した項目" in text and "ペットの飼育犬1匹" in text and "通勤手段" in text
    plain, _, _ = printed(
        renderer, "F08", FormInput(patient(), PRINTED_AT, "x", care_records=[record("investigation", INVESTIGATION)])
    )
    assert "保健所で追加した項目" not in plain


@pytest.mark.req("F08", "R27", partial=True)
def test_f08s_footer_names_the_form_and_prints_its_edition_once_on_every_page(renderer: FormRenderer) -> None:
    data = FormInput(patient(), PRINTED_AT, "保健 花子", care_records=[record("investigation", INVESTIGATION)])
    pdf = renderer.render_pdf_sync(form_spec("F08"), data)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = text.decode().split("\f")[:-1]
    footers = [" ".join(line.split()) for page in pages for line in page.splitlines() if "様式 F08" in line]
    assert len(footers) == len(pages) >= 1, footers
    for footer in footers:
        assert "様式 F08 行動調査票 第2版" in footer and footer.count("版") == 1, footer


def test_f08_without_an_investigation_prints_blank_lines(renderer: FormRenderer) -> None:
    text, pages, _ = printed(renderer, "F08", FormInput(patient(), PRINTED_AT, "x"))
    assert pages <= 2 and "未確定〜未確定" in text


@pytest.mark.req("F29", partial=True)
def test_f29_is_a_letter_with_the_letterhead_the_appointment_and_the_place(renderer: FormRenderer) -> None:
    records = [
        exam(1, "2026-02-28", examined_on="2026-03-02", judgement="normal"),
        exam(2, "2026-08-31", appointment_on="2026-12-10", appointment_time="10:00", place="health_center"),
        exam(3, "2027-02-28"),
    ]
    data = FormInput(patient(), PRINTED_AT, "保健 花子", care_records=records, letterhead=LETTERHEAD)
    text, pages, size = printed(renderer, "F29", data)
    assert pages == 1 and size.startswith("595") and "管理検診のお知らせ" in text
    assert "〒154-0017" in text and "見本次郎様" in text and "見本区保健所長見本所長" in text
    assert "第2回管理検診（予定日令和8年8月31日（2026年8月31日））" in text
    assert "令和8年12月10日（2026年12月10日）10:00" in text and "場所見本区保健所" in text
    assert "感染症対策係" in text and "第53条の13" in text
    assert "治療終了日（令和7年8月31日）から12か月" in text


@pytest.mark.req("F29", partial=True)
def test_f29_prints_the_examination_chosen_when_printing(renderer: FormRenderer) -> None:
    records = [
        exam(2, "2026-08-31", appointment_on="2026-12-10", appointment_time="10:00", place="health_center"),
        exam(3, "2027-02-28", appointment_on="2027-03-04", appointment_time="14:00", place="health_center"),
    ]
    chosen = FormInput(patient(), PRINTED_AT, "x", care_records=records, record_id=str(records[1].id))
    text, _, _ = printed(renderer, "F29", chosen)
    assert "第3回管理検診（予定日令和9年2月28日（2027年2月28日））" in text and "14:00" in text
    assert "第2回" not in text
    unchosen, _, _ = printed(renderer, "F29", FormInput(patient(), PRINTED_AT, "x", care_records=records))
    assert "第2回管理検診" in unchosen  # without a choice: the next booked one


def test_f29_without_a_letterhead_or_an_appointment_leaves_lines_to_fill(renderer: FormRenderer) -> None:
    data = FormInput(
        patient(), PRINTED_AT, "x", care_records=[exam(3, "2027-02-28", place="institution", institution="見本病院")]
    )
    text, pages, _ = printed(renderer, "F29", data)
    assert pages == 1 and "保健所長" in text and "日時はお電話でご相談ください" in text and "場所見本病院" in text


def test_the_forms_are_registered_in_their_genres() -> None:
    assert form_spec("F06").genre == Genre.PATIENTS and form_spec("f08").title == "行動調査票"
    assert form_spec("f08").revision == "2"  # its 第2版, printed once in the footer after the title
    assert form_spec("Ｆ２９").genre == Genre.CONTACT_SCREENING
