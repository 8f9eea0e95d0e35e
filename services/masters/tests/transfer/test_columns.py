"""Columns of a master's file: header matching, cells read as stored and shown as staff read them."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from masters.transfer.columns import CellError, Column, HeaderMismatch, columns_of, match_header


@dataclass(frozen=True)
class FakeField:
    """A data field as the kinds describe it."""

    key: str
    label: str
    type: str
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)


FIELDS = [
    FakeField("type", "種別", "choice", True, {"hospital": "病院", "clinic": "診療所", "pharmacy": "薬局"}),
    FakeField("designated", "結核指定医療機関", "bool"),
    FakeField("designated_from", "指定日", "date"),
    FakeField("tb_bed_count", "結核病床数", "int"),
    FakeField("departments", "診療科", "multiline"),
]
COLUMNS = columns_of(FIELDS)
BY_KEY = {c.key: c for c in COLUMNS}


class TestColumnsOf:
    """The export's column order."""

    def test_code_name_kana_then_fields_then_the_period(self) -> None:
        labels = [c.label for c in COLUMNS]
        assert labels == ["コード", "名称", "カナ", "種別", "結核指定医療機関", "指定日", "結核病床数", "診療科",
                          "有効開始日", "有効終了日"]  # fmt: skip


class TestMatchHeader:
    """Headers are the export's labels; what cannot be matched is named in the refusal."""

    def test_headers_in_any_order_and_width_match(self) -> None:
        matched = match_header(COLUMNS, ["名称", "ｺｰﾄﾞ", "種別"], aliases={})
        assert [c.key for c in matched if c] == ["name", "code", "type"]

    def test_an_alias_such_as_the_kinds_code_label_matches(self) -> None:
        matched = match_header(COLUMNS, ["医療機関コード", "名称", "種別"], aliases={"医療機関コード": "code"})
        assert matched[0] is BY_KEY["code"]

    def test_a_blank_header_is_no_column(self) -> None:
        assert match_header(COLUMNS, ["コード", "名称", "種別", ""], aliases={})[3] is None

    @pytest.mark.req("R26", partial=True)
    def test_missing_required_and_unknown_columns_are_named(self) -> None:
        with pytest.raises(HeaderMismatch) as caught:
            match_header(COLUMNS, ["コード", "種別", "備考", "種別"], aliases={})
        assert caught.value.missing == ["名称"]
        assert caught.value.unknown == ["備考"]
        assert caught.value.repeated == ["種別"]


class TestRead:
    """A cell's text read as the value it stores."""

    @pytest.mark.parametrize("text", ["病院", "hospital", " 病院 "])
    def test_choice_by_label_or_value(self, text: str) -> None:
        assert BY_KEY["type"].read(text) == "hospital"

    def test_unknown_choice_names_the_choices(self) -> None:
        with pytest.raises(CellError, match="「病院」「診療所」「薬局」のいずれか"):
            BY_KEY["type"].read("医院")

    @pytest.mark.parametrize(("text", "value"), [("はい", True), ("1", True), ("TRUE", True), ("いいえ", False),
                                                 ("0", False), ("false", False), ("", False)])  # fmt: skip
    def test_bools(self, text: str, value: bool) -> None:
        assert BY_KEY["designated"].read(text) is value

    def test_a_bool_that_is_neither_is_refused(self) -> None:
        with pytest.raises(CellError, match="「はい」か「いいえ」"):
            BY_KEY["designated"].read("たぶん")

    @pytest.mark.parametrize("text", ["令和2年4月1日", "R2.4.1", "2020-04-01", "2020/4/1", "20200401"])
    def test_dates_in_wareki_or_seireki(self, text: str) -> None:
        assert BY_KEY["designated_from"].read(text) == date(2020, 4, 1)

    def test_a_wrong_date_says_why_in_japanese(self) -> None:
        with pytest.raises(CellError, match="日付"):
            BY_KEY["designated_from"].read("2020年13月")

    def test_ints_with_full_width_digits_and_commas(self) -> None:
        assert BY_KEY["tb_bed_count"].read("１,２００") == 1200
        assert BY_KEY["tb_bed_count"].read("") is None
        with pytest.raises(CellError, match="整数"):
            BY_KEY["tb_bed_count"].read("十")

    def test_kana_in_hiragana_or_half_width_becomes_katakana(self) -> None:
        assert BY_KEY["kana"].read("しけんﾋﾞｮｳｲﾝ") == "シケンビョウイン"

    def test_multiline_keeps_its_lines(self) -> None:
        assert BY_KEY["departments"].read("内科\r\n呼吸器内科 \r\n") == "内科\n呼吸器内科"

    def test_the_exports_apostrophe_before_a_formula_is_dropped(self) -> None:
        assert BY_KEY["name"].read('\'=HYPERLINK("x")') == '=HYPERLINK("x")'
        assert BY_KEY["name"].read("'試験病院") == "'試験病院"


class TestShown:
    """Values as the export writes them and the preview shows them."""

    def test_labels_yes_no_and_seireki(self) -> None:
        assert BY_KEY["type"].shown("clinic") == "診療所"
        assert BY_KEY["designated"].shown(True) == "はい"
        assert BY_KEY["designated"].shown(None) == "いいえ"
        assert BY_KEY["designated_from"].shown("2020-04-01") == "2020-04-01"
        assert BY_KEY["tb_bed_count"].shown(12) == 12
        assert BY_KEY["name"].shown(None) == ""

    @pytest.mark.parametrize(
        ("key", "value"),
        [("type", "pharmacy"), ("designated", True), ("designated", False), ("designated_from", date(2020, 4, 1)),
         ("tb_bed_count", 3), ("departments", "内科\n外科"), ("name", "=試験病院"), ("valid_to", None)],
    )  # fmt: skip
    def test_what_is_shown_reads_back_as_stored(self, key: str, value: object) -> None:
        column: Column = BY_KEY[key]
        assert column.read(str(column.shown(value))) == column.stored(value)
