"""The DOTS forms as printed from the DOTS records the reports read model holds: F01 DOTSアセスメントシート,
F02 LTBI治療終了後の管理に関するチェックリスト, F04 治療・服薬支援の経過 and F07 服薬支援個別計画及び実施報告書;
A4, one page each, every stored item on it.
Set $TBMS_SHOTS to also get a PNG of each first page (pdftoppm) to look at."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from reports.care_record.models import CareRecord
from reports.forms.missing import missing_items
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer
from reports.forms.spec import FormInput, Genre
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary

PRINTED_AT = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Japan


def patient(category: str = "patient") -> PatientSummary:
    return PatientSummary(
        id=uuid.uuid4(),
        version=1,
        registration_no="2025-00123",
        registered_on=date(2025, 1, 8),
        category=category,
        name="見本 三郎",
        name_kana="ミホン サブロウ",
        sex="male",
        birth_date=date(1958, 7, 7),
        postal_code="154-0017",
        address="東京都見本区見本三丁目3番3号",
        phone="03-0000-2222",
        status="active",
        district="見本",
        nurse="保健 花子",
        excluded_on=None,
    )


def record(kind: str, data: dict[str, object], labels: dict[str, str] | None = None) -> CareRecord:
    return CareRecord(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, data=data, labels=labels or {})


def days(first: date, count: int, status: str = "taken", **extra: object) -> list[CareRecord]:
    """Confirmations for consecutive days, as DotsConfirmation events carry them."""
    labels = {"method": "対面", "status": {"taken": "服薬", "missed": "未服薬", "unknown": "不明"}[status]}
    return [
        record(
            "dots_confirmation",
            {"confirmed_on": (first + timedelta(days=n)).isoformat(), "method": "face_to_face", "status": status}
            | extra,
            labels,
        )
        for n in range(count)
    ]


PLAN = record(
    "dots_plan",
    {
        "starts_on": "2025-01-10",
        "ends_on": "2025-07-09",
        "dots_type": "visit",
        "intensity": "B",
        "interval_days": None,
        "nurse": "nurse1",
        "nurse_name": "保健 花子",
        "supporters": [{"kind": "pharmacy", "name": "見本薬局", "place": "見本区見本町"}],
        "conference_on": "2025-01-15",
        "conference_participants": "主治医 見本 一郎、保健師 保健 花子",
        "consent_on": "2025-01-16",
        "consent_how": "面接で説明し口頭で同意",
        "goals": "6か月間の服薬を中断なく続ける",
        "planned_confirmations": "週2回の訪問と薬局での空袋確認",
        "reviews": [{"reviewed_on": "2025-03-01", "note": "飲み忘れが続くため訪問を増やす"}],
        "ltbi_regimen": "",
        "note": "",
    },
    {"dots_type": "訪問DOTS", "intensity": "B（支援が必要：週1〜2回以上）"},
)
TREATMENT = record(
    "treatment",
    {"regimen": "2HREZ/4HR", "started_on": "2025-01-10", "ended_on": "2025-07-09"},
    {"regimen": "2HREZ/4HR（標準治療A法）"},
)


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


@pytest.mark.req("F01", partial=True)
def test_f01_prints_each_item_grouped_with_its_answer_note_and_the_level(renderer: FormRenderer) -> None:
    items = [
        {"key": "past_interruption", "group": "disease", "label": "過去に治療を中断したことがある", "high": True},
        {"key": "side_effects", "group": "disease", "label": "副作用がある・出現のおそれが高い", "high": False},
        {"key": "understanding", "group": "patient", "label": "病気・副作用・服薬の理解が不十分", "high": False},
        {"key": "alone", "group": "social", "label": "単身で支援者がいない", "high": False},
    ]
    answers = {"past_interruption": {"applies": True, "note": "平成30年に自己中断"}, "alone": {"applies": False}}
    assessment = record(
        "dots_assessment",
        {"assessed_on": "2025-01-12", "items": items, "answers": answers, "level": "A", "assessor": "保健 花子"},
        {"level": "A（中断リスクが高い：原則毎日）", "suggested_type": "訪問DOTS"},
    )
    older = record("dots_assessment", {"assessed_on": "2024-12-01", "items": [], "answers": {}, "level": "C"})
    text, pages, size = printed(
        renderer, "F01", FormInput(patient(), PRINTED_AT, "保健 花子", care_records=[older, assessment])
    )
    assert pages == 1 and size.startswith("595") and "DOTSアセスメントシート" in text
    assert "令和7年1月12日（2025年1月12日）" in text and "評価者保健花子" in text
    assert text.index("疾患の特殊性") < text.index("患者の状態") < text.index("社会的背景")
    assert "過去に治療を中断したことがある（※中断リスク高）■平成30年に自己中断" in text
    assert "単身で支援者がいない□" in text and "該当項目数1件" in text
    assert "A（中断リスクが高い：原則毎日）" in text and "提案するDOTS訪問DOTS" in text
    assert form_spec("F01").genre == Genre.PATIENTS


@pytest.mark.req("F07", partial=True)
def test_f07_prints_the_plan_its_reviews_and_the_report_per_month(renderer: FormRenderer) -> None:
    confirmations = [
        *days(date(2025, 1, 10), 22),
        *days(date(2025, 2, 1), 3, "missed"),
        *days(date(2025, 2, 4), 5, "unknown"),
    ]
    review = record(
        "dots_cohort_review",
        {"treatment_id": str(uuid.uuid4()), "outcome": "cured", "override_reason": "", "meeting_note": "順調に完了"},
        {"outcome": "治癒"},
    )
    data = FormInput(patient(), PRINTED_AT, "保健 花子", care_records=[TREATMENT, PLAN, review, *confirmations])
    text, pages, size = printed(renderer, "F07", data)
    assert pages == 1 and size.startswith("595") and "結核患者服薬支援個別計画及び実施報告書" in text
    assert "訪問DOTS" in text and "B（支援が必要：週1〜2回以上）" in text and "薬局見本薬局（見本区見本町）" in text
    assert "令和7年1月15日（2025年1月15日）" in text and "主治医見本一郎" in text
    assert "令和7年1月16日（2025年1月16日）" in text and "面接で説明し口頭で同意" in text
    assert "6か月間の服薬を中断なく続ける" in text and "週2回の訪問と薬局での空袋確認" in text
    assert "令和7年3月1日飲み忘れが続くため訪問を増やす" in text
    assert "令和7年1月222200100%対面22" in text  # January: 22 recorded, 22 taken, none missed or unknown
    assert "令和7年2月80350%対面8" in text  # February: 8 recorded, 0 taken, 3 missed, 5 unknown
    assert "令和7年2月1日〜令和7年2月3日（3日）" in text and "治療成績治癒" in text and "順調に完了" in text


@pytest.mark.req("F04", partial=True)
def test_f04_prints_the_course_tests_by_month_side_effects_and_interruptions(renderer: FormRenderer) -> None:
    results = [
        LabResult(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, specimen="喀痰", collected_on=on,
                  result_on=None, details={}, mdr=False, summary=summary)
        for kind, on, summary in (
            ("culture", date(2025, 1, 8), "陽性"),
            ("smear", date(2025, 6, 9), "−"),
            ("culture", date(2025, 6, 10), "陰性"),
            ("igra", date(2025, 1, 5), "陽性"),
        )
    ]  # fmt: skip
    change = record("treatment", {"regimen": "2HRE/7HR", "started_on": "2025-03-01"}, {"regimen": "2HRE/7HR（B法）"})
    confirmations = [
        *days(date(2025, 1, 10), 20),
        *days(date(2025, 1, 30), 2, side_effects="皮疹（かゆみ）"),
        *days(date(2025, 2, 1), 4, "missed"),
    ]
    data = FormInput(
        patient(),
        PRINTED_AT,
        "保健 花子",
        lab_results=results,
        care_records=[TREATMENT, change, PLAN, *confirmations],
        record_id=str(TREATMENT.id),  # the course chosen when printing
    )
    text, pages, size = printed(renderer, "F04", data)
    assert pages == 1 and size.startswith("595") and "治療・服薬支援の経過" in text
    assert "この経過：2HREZ/4HR（標準治療A法）令和7年1月10日〜令和7年7月9日" in text
    assert text.index("【この経過】2HREZ/4HR（標準治療A法）") < text.index("2HRE/7HR（B法）")
    assert "訪問DOTS・支援強度B（支援が必要：週1〜2回以上）・保健花子" in text
    assert "令和7年1月8日培養陽性" in text  # the baseline, before the course's start: no month
    assert "令和7年6月9日5か月目塗抹−" in text and "令和7年6月10日6か月目培養陰性" in text
    assert "陽性令和7年1月5日" not in text and "1月5日" not in text  # IGRA is not a sputum test
    assert "令和7年1月30日皮疹（かゆみ）" in text and "令和7年1月31日皮疹（かゆみ）" in text
    assert "令和7年2月1日〜令和7年2月4日（4日）" in text
    assert "全期間2622" in text  # 26 days recorded, 22 taken


@pytest.mark.req("F04", partial=True)
def test_f04_prints_the_current_course_by_default_with_only_its_own_records(renderer: FormRenderer) -> None:
    results = [
        LabResult(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, specimen="喀痰", collected_on=on,
                  result_on=None, details={}, mdr=False, summary=summary)
        for kind, on, summary in (("culture", date(2025, 1, 8), "陽性"), ("smear", date(2025, 6, 9), "−"))
    ]  # fmt: skip
    later = record("treatment", {"regimen": "2HRE/7HR", "started_on": "2025-08-01"}, {"regimen": "2HRE/7HR（B法）"})
    plan = record("dots_plan", {"starts_on": "2025-08-01", "treatment_id": str(later.id), "nurse_name": "保健 次郎"},
                  {"dots_type": "外来DOTS", "intensity": "C"})  # fmt: skip
    confirmations = [
        *days(date(2025, 1, 10), 20, side_effects="皮疹（かゆみ）"),
        *days(date(2025, 8, 1), 10),
        *days(date(2025, 8, 11), 3, "missed", side_effects="食欲低下"),
    ]
    records = [TREATMENT, later, PLAN, plan, *confirmations]
    text, pages, _ = printed(renderer, "F04", FormInput(patient(), PRINTED_AT, "保健 花子", lab_results=results,
                                                       care_records=records))  # fmt: skip
    assert pages == 1 and "この経過：2HRE/7HR（B法）令和7年8月1日〜" in text
    assert "外来DOTS・支援強度C・保健次郎" in text and "訪問DOTS" not in text  # the first course's plan is not shown
    assert "全期間1310" in text  # only the current course's 13 days, 10 taken
    assert "令和7年8月11日〜令和7年8月13日（3日）" in text and "食欲低下" in text and "皮疹" not in text
    assert "検査の記録はありません" in text  # the first course's tests are not this course's
    first = FormInput(patient(), PRINTED_AT, "保健 花子", lab_results=results, care_records=records,
                      record_id=str(TREATMENT.id))  # fmt: skip
    text, _, _ = printed(renderer, "F04", first)
    assert "全期間2020" in text and "皮疹" in text and "食欲低下" not in text and "令和7年6月9日5か月目塗抹−" in text


@pytest.mark.req("F02", partial=True)
def test_f02_prints_the_ltbi_course_completion_by_doses_and_the_checklist_with_its_basis(
    renderer: FormRenderer,
) -> None:
    course = record("treatment", {"regimen": "6H", "started_on": "2025-02-01", "ended_on": "2025-07-31"}, {})
    items = [
        {"key": "doses_completed", "label": "処方の必要服薬数を服薬し治療を終えた", "basis": "JSTB指針（2013）"},
        {"key": "symptom_advice", "label": "咳・痰・発熱などが続くときは受診するよう指導した", "basis": "JSTB（2016）"},
    ]
    review = record(
        "dots_cohort_review",
        {
            "treatment_id": str(uuid.uuid4()),
            "end_reason": "completed",
            "ltbi_checked_on": "2025-08-05",
            "ltbi_checklist": {"doses_completed": {"checked": True, "note": "180回服薬"}},
            "ltbi_checklist_items": items,
            "ltbi": {
                "regimen": "6H",
                "regimen_label": "INH 6か月",
                "label": "治療完了",
                "doses_taken": 180,
                "doses_needed": 180,
                "why": "INH 6か月の必要服薬数180回に対し180回服薬。",
                "deadline": "2025-11-01",
                "basis": "JSTB 潜在性結核感染症治療指針（2013）：INH 6か月または9か月（§5.3）",
            },
            "meeting_note": "低リスクのため有症状時受診を指導し、管理検診は行わない",
        },
        {"end_reason": "予定どおり終了"},
    )
    data = FormInput(
        patient("ltbi"), PRINTED_AT, "保健 花子", care_records=[course, review, *days(date(2025, 2, 1), 10)]
    )
    text, pages, size = printed(renderer, "F02", data)
    assert pages == 1 and size.startswith("595") and "LTBI治療終了後の管理に関するチェックリスト" in text
    # the basis wraps inside its cell at 8 pt: the next cell's label may come between its lines in the text
    assert "INH6か月" in text and re.search(r"根拠：JSTB潜在性結核感染症治療指針(服薬支援)?（2013）", text)
    assert "令和7年2月1日〜令和7年7月31日" in text
    assert "服薬数180回／180回" in text and "完了の期限令和7年11月1日" in text
    assert "治療の完了治療完了（INH6か月の必要服薬数180回に対し180回服薬。）" in text
    assert "確認10日・うち服薬10日" in text and "終了の理由予定どおり終了" in text
    assert "確認日：令和7年8月5日（2025年8月5日）" in text
    assert re.search(r"■処方の必要服薬数を服薬し治療を終えた(180回服薬)?根拠：JSTB指針（2013）", text)
    assert "180回服薬" in text and "□咳・痰・発熱などが続くときは受診するよう指導した根拠：JSTB（2016）" in text
    assert "低リスクのため有症状時受診を指導し" in text


@pytest.mark.req("F02", partial=True)
def test_f02_without_a_checklist_says_where_it_is_entered(renderer: FormRenderer) -> None:
    course = record("treatment", {"regimen": "9H", "started_on": "2025-02-01"}, {})
    text, pages, _ = printed(
        renderer, "F02", FormInput(patient("ltbi"), PRINTED_AT, "保健 花子", care_records=[course])
    )
    assert pages == 1 and "チェックリストはまだ記録されていません" in text
    assert "確認日：年月日" in text


@pytest.mark.req("F07", partial=True)
def test_the_missing_data_check_names_the_plan_items_and_where_they_are_entered() -> None:
    spec = form_spec("F07")
    empty = FormInput(patient(), PRINTED_AT, "保健 花子", care_records=[TREATMENT])
    assert [(i.label, i.section) for i in missing_items(spec, spec.build_context(empty))] == [
        ("DOTSの種類", "dots-title"),
        ("支援開始日", "dots-title"),
        ("DOTSカンファレンスの日", "dots-title"),
        ("本人の同意日", "dots-title"),
    ]
    full = FormInput(patient(), PRINTED_AT, "保健 花子", care_records=[TREATMENT, PLAN])
    assert missing_items(spec, spec.build_context(full)) == []
