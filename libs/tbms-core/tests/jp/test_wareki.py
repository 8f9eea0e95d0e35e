"""和暦 ⇄ 西暦: exact era boundaries, the inputs staff type, and the messages they see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tbms_core.jp.wareki import (
    Era,
    WarekiError,
    era_of,
    format_both,
    format_wareki,
    looks_like_era_year,
    parse_date,
    parse_year,
)

# Each boundary day with the day before and after, as the era and year forms print them.
BOUNDARIES = [
    (date(1873, 1, 1), "明治6年1月1日", "M6.1.1"),
    (date(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
    (date(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
    (date(1912, 7, 31), "大正元年7月31日", "T1.7.31"),
    (date(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
    (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
    (date(1926, 12, 26), "昭和元年12月26日", "S1.12.26"),
    (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
    (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
    (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
    (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
    (date(2020, 1, 1), "令和2年1月1日", "R2.1.1"),
]


class TestParseDate:
    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        "typed",
        [
            "S45.3.1",
            "s45.3.1",
            "S45/3/1",
            "S45-03-01",
            "昭和45年3月1日",
            "昭和４５年３月１日",
            "Ｓ４５．３．１",
            "Ｓ４５。３。１",
            "S45ー3ー1",
            "昭和 45年 3月 1日",
            "昭和45.3.1",
            "1970-03-01",
            "1970/3/1",
            "19700301",
            "1970年3月1日",
            "１９７０－０３－０１",
            "  S45.3.1  ",
            "\u3000昭和45年3月1日\u3000",
        ],
    )
    def test_accepts_the_ways_staff_type_a_date(self, typed: str) -> None:
        assert parse_date(typed) == date(1970, 3, 1)

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("昭和元年12月25日", date(1926, 12, 25)),
            ("R1.5.1", date(2019, 5, 1)),
            ("令和元年5月1日", date(2019, 5, 1)),
            ("R元.5.1", date(2019, 5, 1)),
            ("H31.4.30", date(2019, 4, 30)),
            ("2019-05-01", date(2019, 5, 1)),
            ("2019/5/1", date(2019, 5, 1)),
            ("20190501", date(2019, 5, 1)),
            ("2019年5月1日", date(2019, 5, 1)),
        ],
    )
    def test_reads_era_and_gregorian_forms(self, typed: str, expected: date) -> None:
        assert parse_date(typed) == expected

    @pytest.mark.parametrize(("day", "long", "short"), BOUNDARIES)
    def test_reads_both_forms_on_each_side_of_every_era_boundary(self, day: date, long: str, short: str) -> None:
        assert parse_date(long) == parse_date(short) == day

    @pytest.mark.parametrize(
        ("old_era", "new_era", "day"),
        [
            ("明治45年7月30日", "大正元年7月30日", date(1912, 7, 30)),
            ("大正15年12月25日", "昭和元年12月25日", date(1926, 12, 25)),
        ],
    )
    def test_same_day_era_change_reads_in_either_era(self, old_era: str, new_era: str, day: date) -> None:
        assert parse_date(old_era) == parse_date(new_era) == day

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("H31.5.1", "「平成31年5月1日」は存在しません（平成は31年4月30日まで）。"),
            ("R1.4.30", "「令和元年4月30日」は存在しません（令和は元年5月1日から）。"),
            ("H1.1.7", "「平成元年1月7日」は存在しません（平成は元年1月8日から）。"),
            ("S64.1.8", "「昭和64年1月8日」は存在しません（昭和は64年1月7日まで）。"),
            ("明治45年7月31日", "「明治45年7月31日」は存在しません（明治は45年7月30日まで）。"),
            ("大正元年7月29日", "「大正元年7月29日」は存在しません（大正は元年7月30日から）。"),
            ("大正15年12月26日", "「大正15年12月26日」は存在しません（大正は15年12月25日まで）。"),
            ("昭和元年12月24日", "「昭和元年12月24日」は存在しません（昭和は元年12月25日から）。"),
        ],
    )
    def test_refuses_a_day_outside_its_era(self, typed: str, message: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_date(typed)
        assert str(raised.value) == message

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("平成32年1月1日", "「平成32年」は存在しません（平成は31年4月30日まで）。"),
            ("S65.1.1", "「昭和65年」は存在しません（昭和は64年1月7日まで）。"),
            ("昭和65年1月1日", "「昭和65年」は存在しません（昭和は64年1月7日まで）。"),
            ("T16.1.1", "「大正16年」は存在しません（大正は15年12月25日まで）。"),
            ("M46.1.1", "「明治46年」は存在しません（明治は45年7月30日まで）。"),
            ("S0.1.1", "「昭和0年」は存在しません（昭和は元年からです）。"),
        ],
    )
    def test_refuses_a_year_the_era_never_had(self, typed: str, message: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_date(typed)
        assert str(raised.value) == message

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("平成12年2月29日", date(2000, 2, 29)),
            ("令和2年2月29日", date(2020, 2, 29)),
            ("S63.2.29", date(1988, 2, 29)),
            ("2024-02-29", date(2024, 2, 29)),
        ],
    )
    def test_accepts_february_29_in_leap_years(self, typed: str, expected: date) -> None:
        assert parse_date(typed) == expected

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("令和5年2月29日", "「令和5年2月29日」は存在しない日付です。"),
            ("明治33年2月29日", "「明治33年2月29日」は存在しない日付です。"),  # 1900: not a leap year
            ("H31.2.29", "「平成31年2月29日」は存在しない日付です。"),
            ("2023-02-29", "「2023年2月29日」は存在しない日付です。"),
            ("S45.2.30", "「昭和45年2月30日」は存在しない日付です。"),
            ("S45.13.1", "「昭和45年13月1日」は存在しない日付です。"),
            ("S45.4.31", "「昭和45年4月31日」は存在しない日付です。"),
            ("20190230", "「2019年2月30日」は存在しない日付です。"),
        ],
    )
    def test_refuses_an_impossible_calendar_date(self, typed: str, message: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_date(typed)
        assert str(raised.value) == message

    @pytest.mark.parametrize("typed", ["明治5年12月2日", "M1.10.23", "明治元年10月23日", "M5.12.31"])
    def test_asks_for_seireki_before_meiji_6(self, typed: str) -> None:
        with pytest.raises(WarekiError, match="明治5年以前は西暦で入力してください"):
            parse_date(typed)

    def test_meiji_6_new_year_is_the_first_gregorian_day(self) -> None:
        assert parse_date("明治6年1月1日") == date(1873, 1, 1)

    @pytest.mark.parametrize("typed", ["", "   ", "\u3000"])
    def test_asks_for_a_date_when_empty(self, typed: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_date(typed)
        assert str(raised.value) == "日付を入力してください。"

    @pytest.mark.parametrize(
        "typed",
        [
            "abc",
            "S45",
            "昭和45年3月",
            "X45.3.1",
            "45.3.1",
            "2019-5",
            "S45.3.1.1",
            "令和元年五月一日",
        ],
    )
    def test_explains_the_accepted_forms_when_unreadable(self, typed: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_date(typed)
        assert str(raised.value) == "日付の形式が正しくありません。例: S45.3.1、昭和45年3月1日、1970-03-01"

    @pytest.mark.parametrize("typed", ["S450301", "昭450301", "昭45.3.1", "昭 45・3・1".replace("・", "."), "3450301"])
    def test_reads_compact_dates_and_one_kanji_eras(self, typed: str) -> None:
        assert parse_date(typed) == date(1970, 3, 1)

    @pytest.mark.parametrize("typed", ["450301", "201951"])
    def test_six_digits_without_an_era_ask_for_one(self, typed: str) -> None:
        with pytest.raises(WarekiError, match="元号が分かりません"):
            parse_date(typed)

    def test_compact_dates_keep_the_era_checks(self) -> None:
        with pytest.raises(WarekiError, match="存在しません"):
            parse_date("4320501")  # 平成32年

    def test_error_is_a_value_error_for_form_validators(self) -> None:
        with pytest.raises(ValueError):
            parse_date("H31.5.1")


class TestParseYear:
    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        ("typed", "year"),
        [
            ("S45", 1970),
            ("s45", 1970),
            ("Ｓ４５", 1970),
            ("昭和45", 1970),
            ("昭和45年", 1970),
            ("R1", 2019),
            ("r元", 2019),
            ("令和元年", 2019),
            ("H31", 2019),
            ("平成元年", 1989),
            ("S64", 1989),
            ("T15", 1926),
            ("大正元年", 1912),
            ("M45", 1912),
            ("M6", 1873),
            ("1970", 1970),
            ("1970年", 1970),
            (" S45 ", 1970),
        ],
    )
    def test_reads_era_and_gregorian_years(self, typed: str, year: int) -> None:
        assert parse_year(typed) == year

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("昭和65年", "「昭和65年」は存在しません（昭和は64年1月7日まで）。"),
            ("H32", "「平成32年」は存在しません（平成は31年4月30日まで）。"),
            ("T16", "「大正16年」は存在しません（大正は15年12月25日まで）。"),
            ("R0", "「令和0年」は存在しません（令和は元年からです）。"),
        ],
    )
    def test_refuses_a_year_the_era_never_had(self, typed: str, message: str) -> None:
        with pytest.raises(WarekiError) as raised:
            parse_year(typed)
        assert str(raised.value) == message

    def test_asks_for_seireki_before_meiji_6(self) -> None:
        with pytest.raises(WarekiError, match="明治5年以前は西暦で入力してください"):
            parse_year("M5")

    @pytest.mark.parametrize("typed", ["たなか", "S", "45", "S45.3", "19700"])
    def test_refuses_what_is_not_a_year(self, typed: str) -> None:
        with pytest.raises(WarekiError, match="年の形式が正しくありません"):
            parse_year(typed)

    def test_asks_for_a_year_when_empty(self) -> None:
        with pytest.raises(WarekiError, match="年を入力してください"):
            parse_year(" ")


class TestLooksLikeEraYear:
    @pytest.mark.parametrize("token", ["s45", "S45", "Ｓ４５", "昭和45", "昭和45年", "R元", "令和元年", "H99"])
    def test_era_year_words_are_recognised_even_when_out_of_range(self, token: str) -> None:
        assert looks_like_era_year(token)

    @pytest.mark.parametrize("token", ["たなか", "1970", "S", "SMITH", "S45.3.1", "sato", ""])
    def test_names_dates_and_gregorian_years_are_not_era_years(self, token: str) -> None:
        assert not looks_like_era_year(token)


class TestFormatWareki:
    @pytest.mark.parametrize(("day", "long", "short"), BOUNDARIES)
    def test_prints_the_era_in_force_on_each_side_of_every_boundary(self, day: date, long: str, short: str) -> None:
        assert format_wareki(day) == long
        assert format_wareki(day, style="short") == short

    @pytest.mark.parametrize(
        ("day", "long"),
        [(date(1912, 7, 30), "大正元年7月30日"), (date(1926, 12, 25), "昭和元年12月25日")],
    )
    def test_same_day_era_change_prints_the_new_era(self, day: date, long: str) -> None:
        assert format_wareki(day) == long

    def test_first_year_prints_as_gannen_in_long_style_and_1_in_short(self) -> None:
        assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
        assert format_wareki(date(2019, 5, 1), style="short") == "R1.5.1"

    def test_prints_without_zero_padding(self) -> None:
        assert format_wareki(date(1970, 3, 1)) == "昭和45年3月1日"
        assert format_wareki(date(1970, 3, 1), style="short") == "S45.3.1"

    @pytest.mark.parametrize(
        ("day", "long", "short"),
        [
            (date(1872, 12, 31), "1872年12月31日", "1872.12.31"),
            (date(1868, 10, 23), "1868年10月23日", "1868.10.23"),
        ],
    )
    def test_prints_seireki_before_meiji_6(self, day: date, long: str, short: str) -> None:
        assert format_wareki(day) == long
        assert format_wareki(day, style="short") == short

    def test_refuses_an_unknown_style(self) -> None:
        with pytest.raises(ValueError, match="unknown wareki style"):
            format_wareki(date(1970, 3, 1), style="medium")  # type: ignore[arg-type]


class TestFormatBoth:
    def test_prints_wareki_with_seireki_in_brackets(self) -> None:
        assert format_both(date(1970, 3, 1)) == "昭和45年3月1日（1970年3月1日）"
        assert format_both(date(2019, 5, 1)) == "令和元年5月1日（2019年5月1日）"

    def test_prints_seireki_once_before_meiji_6(self) -> None:
        assert format_both(date(1870, 5, 1)) == "1870年5月1日"


class TestEraOf:
    @pytest.mark.parametrize(
        ("day", "name", "letter", "year"),
        [
            (date(1873, 1, 1), "明治", "M", 6),
            (date(1912, 7, 30), "大正", "T", 1),
            (date(1926, 12, 25), "昭和", "S", 1),
            (date(1989, 1, 7), "昭和", "S", 64),
            (date(1989, 1, 8), "平成", "H", 1),
            (date(2019, 4, 30), "平成", "H", 31),
            (date(2019, 5, 1), "令和", "R", 1),
        ],
    )
    def test_gives_era_and_year_number(self, day: date, name: str, letter: str, year: int) -> None:
        era = era_of(day)
        assert (era.name, era.letter, era.year) == (name, letter, year)

    def test_gives_the_eras_first_and_last_day(self) -> None:
        assert era_of(date(2000, 1, 1)) == Era("平成", "H", date(1989, 1, 8), date(2019, 4, 30), 12)
        assert era_of(date(2030, 1, 1)).last_day is None

    def test_refuses_dates_before_meiji_6(self) -> None:
        with pytest.raises(WarekiError, match="明治5年以前"):
            era_of(date(1872, 12, 31))


def _days(first: date, last: date, step: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


@pytest.mark.parametrize("style", ["long", "short"])
def test_formatted_dates_read_back_as_the_same_day_from_1873_to_2030(style: str) -> None:
    days = _days(date(1873, 1, 1), date(2030, 12, 31), 17)
    assert [day for day in days if parse_date(format_wareki(day, style=style)) != day] == []  # type: ignore[arg-type]


@pytest.mark.parametrize("boundary", [date(1912, 7, 30), date(1926, 12, 25), date(1989, 1, 8), date(2019, 5, 1)])
@pytest.mark.parametrize("style", ["long", "short"])
def test_every_day_around_an_era_boundary_reads_back(boundary: date, style: str) -> None:
    days = _days(boundary - timedelta(days=40), boundary + timedelta(days=40), 1)
    assert [day for day in days if parse_date(format_wareki(day, style=style)) != day] == []  # type: ignore[arg-type]
