"""Reading uploads: UTF-8 with or without BOM, CP932, .xlsx by its signature, and refusals in Japanese."""

import io

import pytest
from masters.transfer.errors import FileTooLarge, UnreadableFile
from masters.transfer.files import MAX_ROWS, read_table
from openpyxl import Workbook
from tbms_core.tables import UnreadableTable, decode

CSV = "コード,名称,カナ\r\n1310000010,試験病院,シケンビョウイン\r\n"


class TestDecode:
    """Telling UTF-8 from CP932 by trying strict UTF-8 first."""

    @pytest.mark.req("R26")
    def test_utf8_with_bom_is_read_without_the_bom(self) -> None:
        text, encoding = decode(("\ufeff" + CSV).encode("utf-8"))
        assert (text, encoding) == (CSV, "utf-8")

    def test_utf8_without_bom_is_read(self) -> None:
        assert decode(CSV.encode("utf-8")) == (CSV, "utf-8")

    @pytest.mark.req("R26")
    def test_cp932_as_excel_saves_it_is_read(self) -> None:
        assert decode(CSV.encode("cp932")) == (CSV, "cp932")

    def test_cp932_only_characters_are_read(self) -> None:
        text = "名称\r\n①髙橋クリニック\r\n"  # NEC and IBM extensions that plain Shift_JIS lacks
        assert decode(text.encode("cp932")) == (text, "cp932")

    def test_bytes_neither_encoding_reads_are_refused_in_japanese(self) -> None:
        with pytest.raises(UnreadableTable, match="文字コード"):
            decode(b"\x81\x39\xff\xfe\x80")


class TestReadTable:
    """Header and data rows, blank rows skipped, line numbers as Excel shows them."""

    def test_header_rows_and_line_numbers(self) -> None:
        table = read_table(("\ufeff" + CSV + "\r\n,,\r\n1310000028,試験診療所,\r\n").encode("utf-8"))
        assert table.header == ["コード", "名称", "カナ"]
        assert table.rows == [["1310000010", "試験病院", "シケンビョウイン"], ["1310000028", "試験診療所", ""]]
        assert table.lines == [2, 5]

    def test_short_rows_are_padded_and_a_quoted_cell_may_hold_line_breaks(self) -> None:
        table = read_table('コード,名称,地域\r\nd1,試験地区,"試験町1丁目\n試験町2丁目"\r\nd2\r\n'.encode())
        assert table.rows == [["d1", "試験地区", "試験町1丁目\n試験町2丁目"], ["d2", "", ""]]

    @pytest.mark.req("R26")
    def test_xlsx_is_told_by_its_signature_whatever_its_name(self) -> None:
        book = Workbook()
        book.active.append(["コード", "名称", "病床数", "指定日"])
        book.active.append(["0123456789", "試験病院", 12, None])
        buffer = io.BytesIO()
        book.save(buffer)
        table = read_table(buffer.getvalue())
        assert table.encoding == "xlsx"
        assert table.rows == [["0123456789", "試験病院", "12", ""]]

    def test_old_xls_is_refused_with_what_to_do(self) -> None:
        with pytest.raises(UnreadableFile, match=r"\.xlsx"):
            read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)

    def test_a_broken_xlsx_is_refused_in_japanese(self) -> None:
        with pytest.raises(UnreadableFile, match="Excel"):
            read_table(b"PK\x03\x04not really a workbook")

    def test_an_empty_file_is_refused(self) -> None:
        with pytest.raises(UnreadableFile, match="見出し"):
            read_table(b"\xef\xbb\xbf\r\n")

    def test_more_rows_than_one_import_takes_are_refused(self) -> None:
        with pytest.raises(FileTooLarge, match="分けて"):
            read_table(("コード\n" + "x\n" * (MAX_ROWS + 1)).encode())
