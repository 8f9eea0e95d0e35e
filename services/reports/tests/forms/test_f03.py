"""F03 結核登録票 renders as a one-page A4 card with the registration data in 和暦 and 西暦."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import UTC, date, datetime

import pytest
from reports.care_record.models import CareRecord
from reports.forms.common import clip, printed_at_label, text_width
from reports.forms.registry import FORMS, form_spec
from reports.forms.render import FormRenderer, TemplateSource, template_version
from reports.forms.spec import FormInput, Genre
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary
from tbms_core.dates import age_on
from tbms_core.errors import InvalidInput

PRINTED_AT = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)  # 14:30 in Japan


def summary(**fields: object) -> PatientSummary:
    """A synthetic patient as the read model holds them."""
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "version": 1,
        "registration_no": "2026-00042",
        "registered_on": date(2026, 4, 8),
        "category": "patient",
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "sex": "female",
        "birth_date": date(1970, 3, 1),
        "postal_code": "154-0017",
        "address": "東京都世田谷区世田谷四丁目21番27号",
        "phone": "03-5432-0000",
        "status": "active",
        "district": "世田谷",
        "nurse": "保健 太郎",
        "excluded_on": None,
    }
    return PatientSummary(**(values | fields))


CARD: dict[str, object] = {
    "occupation": "healthcare",
    "guardian": {
        "name": "試験 一郎",
        "relation": "父",
        "address": "東京都世田谷区太子堂一丁目1番1号",
        "phone": "090-0000-0000",
    },
    "notification": {
        "notified_on": "2026-04-06",
        "doctor_name": "届出 医師",
        "institution_name": "試験総合病院",
        "institution_address": "東京都清瀬市竹丘三丁目1番1号",
        "institution_phone": "042-000-0000",
    },
    "disease": {
        "form": "both",
        "extrapulmonary_sites": ["pleura", "lymph_node"],
        "site_note": "頸部",
        "gakkai_side": "b",
        "gakkai_type": "II",
        "gakkai_extent": 2,
        "onset_on": "2026-02-15",
        "first_visit_on": "2026-03-20",
        "diagnosed_on": "2026-04-02",
    },
    "gakkai": "bII2",
    "classification_code": "1",
    "classification": "肺結核活動性・喀痰塗抹陽性・初回治療",
}
LONG_NOTE = "自宅を訪問し本人と母親に面接した。服薬状況を確認したところ飲み忘れはなく副作用の訴えもない。" * 3


def lab(kind: str, collected_on: date, summary: str, specimen: str = "喀痰", mdr: bool = False) -> LabResult:
    """A synthetic test result as the read model holds it."""
    return LabResult(
        id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        version=1,
        kind=kind,
        specimen=specimen,
        collected_on=collected_on,
        result_on=None,
        details={},
        mdr=mdr,
        summary=summary,
    )


def care(kind: str, data: dict[str, object], labels: dict[str, str] | None = None) -> CareRecord:
    """A synthetic care record as the read model holds it, with the labels of its codes."""
    return CareRecord(id=uuid.uuid4(), patient_id=uuid.uuid4(), version=1, kind=kind, data=data, labels=labels or {})


def note(day: str, text: str, kind: str = "visit", label: str = "家庭訪問", author: str = "保健 太郎") -> CareRecord:
    """A progress note (経過記録)."""
    return care("progress_note", {"noted_on": day, "kind": kind, "text": text, "author_name": author}, {"kind": label})


def rich_input(**fields: object) -> FormInput:
    """A patient with every section of the card filled: notification, disease, tests, treatment and notes."""
    results = [
        lab("smear", date(2026, 4, 1), "2+（G5）"),
        lab("culture", date(2026, 4, 1), "陽性 2+（液体）"),
        lab("identification", date(2026, 4, 1), "結核菌群"),
        lab("naat", date(2026, 4, 1), "PCR +"),
        lab("dst", date(2026, 4, 1), "耐性: INH, RFP", mdr=True),
        lab("smear", date(2026, 4, 3), "1+", specimen="胃液"),
        lab("smear", date(2026, 5, 1), "±"),
        lab("culture", date(2026, 6, 1), "陰性（小川）"),
        lab("smear", date(2026, 3, 25), "−"),
        lab("igra", date(2026, 6, 2), "QFT 陽性"),
    ]
    records = [
        care("treatment", {"regimen": "2HREZ/4HR", "started_on": "2025-01-10", "ended_on": "2025-07-10"}),
        care(
            "treatment",
            {
                "regimen": "MDR",
                "regimen_note": "DLM・BDQ・LVFX",
                "started_on": "2026-04-08",
                "planned_end_on": "2027-10-08",
                "institution": "試験総合病院",
            },
            {"regimen": "多剤耐性結核の治療"},
        ),
        care("hospitalisation", {"hospital": "試験総合病院", "admitted_on": "2026-04-08", "recommended": True}),
        note("2026-04-07", "医療機関より発生届を受理。", "phone", "電話"),
        note("2026-04-10", LONG_NOTE),
        note("2026-04-20", "主治医とDOTSの方針を確認。", "hospital", "医療機関との連絡", "保健 花子"),
        note("2026-05-01", "病棟DOTSを確認。", "dots", "服薬支援（DOTS）"),
        note("2026-05-15", "接触者健診の対象者を決定。", "conference", "会議・カンファレンス", "係長 三郎"),
        note("2026-04-06", "最初の記録"),
        note("2026-04-05", "もっと古い記録"),
    ]
    patient = summary(card=CARD, **fields)
    return FormInput(patient, PRINTED_AT, "x", lab_results=results, care_records=records)


def pdf_text(pdf: bytes) -> str:
    """The text poppler extracts from a PDF, as a reader would copy it."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def compact(text: str) -> str:
    """Text without whitespace: labels spread over a cell (均等割り) come out letter by letter."""
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf: bytes) -> tuple[int, str]:
    """Number of pages and the page size line pdfinfo reports."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


@pytest.fixture(scope="module")
def renderer() -> FormRenderer:
    """One renderer for the module, as the service keeps one per process."""
    return FormRenderer()


class TestRenderF03:
    """The card as printed."""

    def test_the_card_shows_the_registration_in_wareki_and_seireki(self, renderer: FormRenderer) -> None:
        pdf = renderer.render_pdf_sync(form_spec("F03"), FormInput(summary(), PRINTED_AT, "看護 一郎（nurse1）"))
        text = pdf_text(pdf)
        assert pdf.startswith(b"%PDF-")
        for expected in (
            "結 核 登 録 票",
            "2026-00042",
            "令和8年4月8日（2026年4月8日）",
            "試験 花子",
            "シケン ハナコ",
            "昭和45年3月1日（1970年3月1日）",
            "満56歳",
            "■患者",
            "□回復者",
            "■女",
            "□男",
            "〒154-0017",
            "東京都世田谷区世田谷四丁目21番27号",
            "03-5432-0000",
            "世田谷",
            "保健 太郎",
            "出力日時：令和8年11月21日 14時30分",
            "出力者：看護 一郎（nurse1）",
        ):
            assert expected in text, expected
        for label in (
            "登録番号",
            "登録年月日",
            "登録区分",
            "フリガナ",
            "氏名",
            "性別",
            "生年月日",
            "担当保健師",
            "1/1",
        ):
            assert label in compact(text), label

    def test_a_card_with_nothing_but_the_registration_prints_every_section(self, renderer: FormRenderer) -> None:
        text = compact(pdf_text(renderer.render_pdf_sync(form_spec("F03"), FormInput(summary(), PRINTED_AT, "x"))))
        for heading in ("届出医師氏名", "学会分類", "採取年月日", "薬剤感受性", "治療開始日", "訪問・勧告・健診"):
            assert heading in text, heading

    def test_the_card_is_one_a4_page(self, renderer: FormRenderer) -> None:
        pdf = renderer.render_pdf_sync(form_spec("F03"), FormInput(summary(), PRINTED_AT, "x"))
        pages, size = pdf_pages(pdf)
        assert pages == 1
        assert size.startswith("595.276 x 841.89")

    def test_a_two_line_address_and_ltbi_category_still_fit_one_page(self, renderer: FormRenderer) -> None:
        address = "東京都世田谷区世田谷四丁目21番27号 " + "試験町" * 20 + " 試験コーポラス1001号室"
        patient = summary(category="ltbi", sex="male", address=address, excluded_on=date(2027, 1, 5))
        pdf = renderer.render_pdf_sync(form_spec("F03"), FormInput(patient, PRINTED_AT, "x"))
        text = pdf_text(pdf)
        assert pdf_pages(pdf)[0] == 1
        assert "■潜在性結核感染症" in text and "■男" in text and "令和9年1月5日（2027年1月5日）" in text
        assert "試験コーポラス1001号室" in compact(text)

    def test_an_address_of_the_longest_stored_length_is_wrapped_not_cut(self, renderer: FormRenderer) -> None:
        patient = summary(address="東京都世田谷区" + "試験町" * 97 + "末尾")
        text = pdf_text(renderer.render_pdf_sync(form_spec("F03"), FormInput(patient, PRINTED_AT, "x")))
        assert "試験町試験町末尾" in compact(text)

    def test_names_are_escaped_not_interpreted_as_markup(self, renderer: FormRenderer) -> None:
        html = renderer.render_html(form_spec("F03"), FormInput(summary(name="<b>試験</b>"), PRINTED_AT, "x"))
        assert "&lt;b&gt;試験&lt;/b&gt;" in html and "<b>試験</b>" not in html


@pytest.fixture(scope="module")
def rich_text(renderer: FormRenderer) -> str:
    """The text of a card with every section filled."""
    return pdf_text(renderer.render_pdf_sync(form_spec("F03"), rich_input()))


@pytest.mark.req("F03")
@pytest.mark.req("R09", partial=True)
class TestRenderF03Sections:
    """届出, 病名病型, 菌検査, 治療 and 措置の概要 as printed from the read model."""

    def test_the_notifying_doctor_and_facility_are_printed(self, rich_text: str) -> None:
        for expected in ("届出 医師", "令和8年4月6日（2026年4月6日）", "試験総合病院", "042-000-0000"):
            assert expected in rich_text, expected
        assert "東京都清瀬市竹丘三丁目1番1号" in compact(rich_text)

    def test_the_occupation_and_the_disease_are_printed_with_their_labels(self, rich_text: str) -> None:
        text = compact(rich_text)
        for expected in (
            "医療従事者",
            "肺結核および肺外結核",
            "■肺■肺外（胸膜（胸膜炎）、リンパ節、頸部）",
            "病側（b）病型（II）拡がり（2）",
            "令和8年4月2日（2026年4月2日）",  # 診断年月日
            "令和8年2月15日（2026年2月15日）",  # 発病年月日
            "令和8年3月20日（2026年3月20日）",  # 初診年月日
        ):
            assert expected in text, expected

    def test_bacteriology_prints_the_newest_four_collections_and_counts_the_rest(self, rich_text: str) -> None:
        text = compact(rich_text)
        rows = ["令和8年6月1日喀痰", "令和8年5月1日喀痰±", "令和8年4月3日胃液1+", "令和8年4月1日喀痰2+（G5）"]
        positions = [text.index(row) for row in rows]
        assert positions == sorted(positions), "newest collection first"
        for expected in ("陰性（小川）", "陽性2+（液体）", "結核菌群", "PCR+", "耐性:INH,RFP", "多剤耐性", "ほか1件"):
            assert expected in text, expected
        assert "令和8年3月25日" not in text
        assert "QFT" not in text, "IGRA is no 菌検査 of the card"

    def test_the_current_course_an_open_recommended_stay_and_care_are_checked(self, rich_text: str) -> None:
        text = compact(rich_text)
        for expected in (
            "治療開始日令和8年4月8日（2026年4月8日）",
            "終了予定日令和9年10月8日（2027年10月8日）",
            "■入院（勧告）□通院",
            "多剤耐性結核の治療DLM・BDQ・LVFX",
            "■有□無",
        ):
            assert expected in text, expected

    def test_an_outpatient_course_and_a_finished_one_are_told_apart(self, renderer: FormRenderer) -> None:
        started = {"regimen": "2HREZ/4HR", "started_on": "2026-04-08", "institution": "試験診療所"}
        ongoing = [care("treatment", started, {"regimen": "2HREZ/4HR（標準治療A法）"})]
        finished = [care("treatment", started | {"ended_on": "2026-10-08"}, {"regimen": "2HREZ/4HR（標準治療A法）"})]
        spec = form_spec("F03")

        outpatient = compact(
            pdf_text(renderer.render_pdf_sync(spec, FormInput(summary(), PRINTED_AT, "x", care_records=ongoing)))
        )
        done = compact(
            pdf_text(renderer.render_pdf_sync(spec, FormInput(summary(), PRINTED_AT, "x", care_records=finished)))
        )

        assert "□入院■通院" in outpatient and "■有□無" in outpatient and "2HREZ/4HR（標準治療A法）" in outpatient
        assert "治療終了日令和8年10月8日（2026年10月8日）" in done and "□有■無" in done and "□入院□通院" in done

    def test_measures_print_the_newest_five_notes_clipped_and_count_the_rest(self, rich_text: str) -> None:
        lines = [line for line in rich_text.splitlines() if "令和8年" in line and "【" in line]
        assert len(lines) == 5
        assert "【会議・カンファレンス】接触者健診の対象者を決定。" in lines[0] and "係長 三郎" in lines[0]
        assert "【家庭訪問】自宅を訪問し" in lines[3] and "…" in lines[3] and "保健 太郎" in lines[3]
        assert LONG_NOTE not in compact(rich_text)
        assert "【電話】医療機関より発生届を受理。" in lines[4]
        assert "ほか 2 件" in rich_text
        assert "最初の記録" not in rich_text and "もっと古い記録" not in rich_text

    def test_a_minor_has_the_guardian_printed_and_an_adult_not(self, renderer: FormRenderer) -> None:
        spec = form_spec("F03")
        minor = pdf_text(renderer.render_pdf_sync(spec, rich_input(birth_date=date(2012, 3, 1))))
        adult = pdf_text(renderer.render_pdf_sync(spec, rich_input()))
        assert "試験 一郎（父）" in minor and "東京都世田谷区太子堂一丁目1番1号" in compact(minor)
        assert "試験 一郎" not in adult and "（未成年の場合）" in adult

    def test_the_classification_is_printed_with_its_label(self, rich_text: str) -> None:
        line = next(line for line in rich_text.splitlines() if "総合患者分類" in line)
        assert compact(line) == "病名肺結核および肺外結核総合患者分類1肺結核活動性・喀痰塗抹陽性・初回治療"

    def test_a_fully_filled_card_is_still_one_a4_page(self, renderer: FormRenderer) -> None:
        address = "東京都世田谷区世田谷四丁目21番27号 " + "試験町" * 20 + " 試験コーポラス1001号室"
        pdf = renderer.render_pdf_sync(form_spec("F03"), rich_input(address=address, birth_date=date(2012, 3, 1)))
        pages, size = pdf_pages(pdf)
        assert pages == 1 and size.startswith("595.276 x 841.89")


class TestFormRegistry:
    """Forms are found by their 別紙2 number however it is typed."""

    def test_f03_is_the_registration_card_of_the_patients_genre(self) -> None:
        spec = FORMS["F03"]
        assert (spec.title, spec.genre) == ("結核登録票", Genre.PATIENTS)

    @pytest.mark.parametrize("typed", ["F03", "f03", "Ｆ０３", " F03 "])
    def test_the_form_number_is_read_in_any_width_and_case(self, typed: str) -> None:
        assert form_spec(typed).id == "F03"

    def test_an_unknown_form_is_refused_with_a_japanese_message(self) -> None:
        with pytest.raises(InvalidInput) as refused:
            form_spec("F99")
        assert refused.value.errors["form"] == "帳票「F99」はありません。帳票の番号を確認してください。"

    def test_the_template_version_names_the_revision_and_the_template_digest(self) -> None:
        version = template_version(FORMS["F03"])
        assert version.startswith("1+") and len(version) == 10


@pytest.mark.req("R27", partial=True)
class TestFooter:
    """The footer names the form as people do (様式 number, title, edition); the template digest stays off paper."""

    def test_the_printed_card_names_its_form_and_edition_not_the_digest(self, renderer: FormRenderer) -> None:
        text = pdf_text(renderer.render_pdf_sync(form_spec("F03"), FormInput(summary(), PRINTED_AT, "x")))
        assert "様式 F03 結核登録票 第1版" in text
        digest = template_version(FORMS["F03"]).split("+")[1]
        assert digest not in text and "F03（様式" not in compact(text)

    @pytest.mark.parametrize("form_id", sorted(FORMS))
    def test_every_form_prints_its_number_title_and_edition(self, renderer: FormRenderer, form_id: str) -> None:
        spec = FORMS[form_id]
        html = renderer.render_html(spec, rich_input())
        footer = html.split('<footer class="page-footer">', 1)[1].split("</footer>", 1)[0]
        assert f"様式 {spec.id} {spec.title} 第{spec.revision}版" in footer and footer.count("版") == 1, footer
        assert template_version(spec) not in footer and template_version(spec) in html  # kept in the generator line

    def test_an_uploaded_revision_prints_its_own_edition(self, renderer: FormRenderer) -> None:
        source = TemplateSource("2+abcdef12", '{% extends "base.html" %}{% block content %}改正後{% endblock %}', "")
        html = renderer.render_html(form_spec("F03"), FormInput(summary(), PRINTED_AT, "x"), source)
        footer = html.split('<footer class="page-footer">', 1)[1].split("</footer>", 1)[0]
        assert "様式 F03 結核登録票 第2版" in footer and "abcdef12" not in footer

    def test_the_reading_is_labelled_furigana_and_keeps_the_space_between_the_names(
        self, renderer: FormRenderer
    ) -> None:
        patient = summary(name="試験　花子", name_kana="シケン　ハナコ")
        html = renderer.render_html(form_spec("F03"), FormInput(patient, PRINTED_AT, "x"))
        assert "ふりがな" not in html and "フ リ ガ ナ" in html
        assert "試験　花子" in html and "シケン　ハナコ" in html
        text = pdf_text(renderer.render_pdf_sync(form_spec("F03"), FormInput(summary(), PRINTED_AT, "x")))
        assert "試験 花子" in text and "シケン ハナコ" in text


class TestFormats:
    """Ages and print times as forms show them."""

    @pytest.mark.parametrize(
        ("day", "age"), [(date(2026, 2, 28), 55), (date(2026, 3, 1), 56), (date(2026, 12, 31), 56)]
    )
    def test_the_age_is_full_years_on_the_day(self, day: date, age: int) -> None:
        assert age_on(date(1970, 3, 1), day) == age

    def test_the_print_time_is_japan_time_in_wareki(self) -> None:
        assert printed_at_label(datetime(2019, 4, 30, 15, 5, tzinfo=UTC)) == "令和元年5月1日 0時05分"

    def test_text_is_clipped_to_a_width_with_an_ellipsis(self) -> None:
        assert clip("訪問\n  面接", 20) == "訪問 面接"
        assert clip("あいうえおかきくけこ", 10) == "あいうえ…"
        assert text_width(clip("ABCDEFGHIJ" * 3, 10)) <= 10
