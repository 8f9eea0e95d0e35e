"""CSV downloads for Excel: BOM, CRLF, Japanese file names, Japan time, and no formulas smuggled into cells."""

import csv
import io
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from tbms_core.csv_export import BOM, csv_response, csv_text, jst, safe_cell


def rows_of(text: str) -> list[list[str]]:
    """The cells of a CSV text written with a BOM."""
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


class TestCsvText:
    """csv_text: what Excel reads."""

    def test_starts_with_a_bom_and_ends_lines_with_crlf(self) -> None:
        text = csv_text(["登録番号", "氏名"], [["2026-00001", "試験 太郎"], ["2026-00002", None]])
        assert text == BOM + "登録番号,氏名\r\n2026-00001,試験 太郎\r\n2026-00002,\r\n"

    def test_commas_quotes_and_line_breaks_stay_inside_their_cell(self) -> None:
        value = 'メモ,"引用"\n2行目'
        assert rows_of(csv_text(["備考"], [[value]])) == [["備考"], [value]]

    @pytest.mark.parametrize(
        "typed", ['=HYPERLINK("http://example.test","開く")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    )
    def test_text_that_excel_would_run_as_a_formula_gets_an_apostrophe(self, typed: str) -> None:
        assert rows_of(csv_text(["氏名"], [[typed]]))[1] == ["'" + typed]

    def test_numbers_dates_and_ordinary_text_are_written_as_they_are(self) -> None:
        row = [-5, -1.5, 0, date(2026, 11, 22), "2026-11-22", "試験=太郎", "ア-イ", ""]
        assert rows_of(csv_text(["a"] * len(row), [row]))[1] == [
            "-5",
            "-1.5",
            "0",
            "2026-11-22",
            "2026-11-22",
            "試験=太郎",
            "ア-イ",
            "",
        ]

    def test_headers_are_protected_too(self) -> None:
        assert rows_of(csv_text(["=項目"], []))[0] == ["'=項目"]


class TestSafeCell:
    """safe_cell alone."""

    def test_none_becomes_blank_and_non_text_is_untouched(self) -> None:
        assert safe_cell(None) == "" and safe_cell(-3) == -3 and safe_cell(True) is True


class TestCsvResponse:
    """csv_response: the download the browser saves."""

    def test_a_japanese_file_name_is_sent_with_an_ascii_fallback(self) -> None:
        response = csv_response("患者一覧_20261122.csv", ["氏名"], [["試験 花子"]])
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=\"export.csv\"; filename*=UTF-8''")
        assert unquote(disposition.split("''", 1)[1]) == "患者一覧_20261122.csv"
        assert response.media_type == "text/csv; charset=utf-8"
        assert response.body.startswith(BOM.encode()) and "試験 花子".encode() in response.body


def test_jst_shows_a_moment_in_japan_time() -> None:
    assert jst(datetime(2026, 4, 1, 15, 30, tzinfo=UTC)) == "2026-04-02 00:30:00"
    assert jst(None) == ""
