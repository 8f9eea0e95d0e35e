"""F03 結核登録票 renders as a one-page A4 card with the registration data in 和暦 and 西暦."""

from __future__ import annotations

import re
import subprocess
import uuid
from datetime import UTC, date, datetime

import pytest
from reports.forms.common import age_on, printed_at_label
from reports.forms.registry import FORMS, form_spec
from reports.forms.render import FormRenderer, template_version
from reports.forms.spec import FormInput, Genre
from reports.patient_summary.models import PatientSummary
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
            "ふりがな",
            "氏名",
            "性別",
            "生年月日",
            "担当保健師",
            "1/1",
        ):
            assert label in compact(text), label

    def test_the_card_keeps_the_empty_sections_later_issues_fill(self, renderer: FormRenderer) -> None:
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


class TestFormats:
    """Ages and print times as forms show them."""

    @pytest.mark.parametrize(
        ("day", "age"), [(date(2026, 2, 28), 55), (date(2026, 3, 1), 56), (date(2026, 12, 31), 56)]
    )
    def test_the_age_is_full_years_on_the_day(self, day: date, age: int) -> None:
        assert age_on(date(1970, 3, 1), day) == age

    def test_the_print_time_is_japan_time_in_wareki(self) -> None:
        assert printed_at_label(datetime(2019, 4, 30, 15, 5, tzinfo=UTC)) == "令和元年5月1日 0時05分"
