"""Columns of a master's file: the kind's Japanese headers, matched back on import; cells as staff read them."""

from datetime import date

import pytest
from masters.master.kinds import KINDS
from masters.master.schemas import MasterRead
from masters.transfer.columns import HeaderMismatch, cells, header, match_header, typed

INSTITUTION = KINDS["institution"]


class TestHeader:
    """The export's header row."""

    @pytest.mark.req("R26")
    def test_code_name_kana_each_field_then_the_period_in_japanese(self) -> None:
        assert header(INSTITUTION) == [
            "医療機関コード", "名称", "カナ", "郵便番号", "住所", "電話番号", "FAX番号", "種別", "結核指定医療機関",
            "指定年月日", "指定の終了日", "結核病床", "結核病床数", "診療科", "有効期間（開始）", "有効期間（終了）",
        ]  # fmt: skip

    def test_a_label_two_columns_share_is_told_apart(self) -> None:
        names = header(KINDS["code"])
        assert "表示名" in names
        assert "表示名（label）" in names
        assert len(set(names)) == len(names)

    @pytest.mark.parametrize("kind", sorted(KINDS))
    def test_every_kinds_header_matches_itself(self, kind: str) -> None:
        names = header(KINDS[kind])
        assert [column.key for column in match_header(KINDS[kind], names) if column] == [
            column.key for column in KINDS[kind].columns()
        ]


class TestMatchHeader:
    """Headers by label, key or a plain alias, in any order; what cannot be matched is named."""

    def test_any_order_width_and_plain_names(self) -> None:
        matched = match_header(INSTITUTION, ["名称", "ｺｰﾄﾞ", "種別", "有効開始日", "tb_bed_count"])
        assert [c.key for c in matched if c] == ["name", "code", "type", "valid_from", "tb_bed_count"]

    def test_a_blank_header_is_no_column(self) -> None:
        assert match_header(INSTITUTION, ["医療機関コード", "名称", "種別", ""])[3] is None

    @pytest.mark.req("R26")
    def test_missing_required_unknown_and_repeated_columns_are_named(self) -> None:
        with pytest.raises(HeaderMismatch) as caught:
            match_header(INSTITUTION, ["医療機関コード", "種別", "備考", "種別"])
        assert caught.value.missing == ["名称"]
        assert caught.value.unknown == ["備考"]
        assert caught.value.repeated == ["種別"]


class TestCells:
    """A record's row as the export writes it."""

    def test_dates_in_seireki_yes_no_and_choice_labels(self) -> None:
        record = MasterRead(
            kind="institution",
            code="1311234561",
            name="=試験病院",
            kana="シケンビョウイン",
            data={
                "type": "clinic",
                "designated": True,
                "designated_from": "2020-04-01",
                "tb_beds": False,
                "tb_bed_count": None,
                "departments": "内科\n呼吸器内科",
                "postal_code": "",
                "address": "",
                "phone": "",
                "fax": "",
                "designated_to": None,
            },
            valid_from=date(2019, 5, 1),
            version=1,
        )
        row = dict(zip(header(INSTITUTION), cells(INSTITUTION, record), strict=True))
        assert row["種別"] == "診療所"
        assert (row["結核指定医療機関"], row["結核病床"]) == ("はい", "いいえ")
        assert (row["指定年月日"], row["有効期間（開始）"], row["有効期間（終了）"]) == ("2020-04-01", "2019-05-01", "")
        assert row["診療科"] == "内科\n呼吸器内科"
        assert row["結核病床数"] == ""


class TestTyped:
    """The apostrophe the CSV export puts before what Excel would run as a formula comes off again."""

    def test_the_exports_apostrophe_is_dropped(self) -> None:
        assert typed("'=HYPERLINK(1)") == "=HYPERLINK(1)"
        assert typed("'試験病院") == "'試験病院"
