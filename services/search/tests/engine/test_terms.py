"""Typed queries become words, birth years and dates; records become folded keys (N11)."""

from datetime import date

from search.engine.base import SearchDocument
from search.engine.terms import bigrams, birth_tokens, index_text, parse_query


class TestParseQuery:
    """How a typed query is read."""

    def test_era_and_western_years_become_birth_years(self) -> None:
        terms = parse_query("たなか s45 昭和46年 1972")
        assert terms.words == ["たなか"] and terms.birth_years == [1970, 1971, 1972]

    def test_an_impossible_era_year_is_searched_as_text(self) -> None:
        assert parse_query("平成40").words == ["平成40"]

    def test_four_digits_outside_plausible_years_are_text(self) -> None:
        assert parse_query("0312 1234").words == ["0312", "1234"]

    def test_full_dates_become_birth_dates_but_bare_digits_stay_text(self) -> None:
        terms = parse_query("S45.3.1 19700301")
        assert terms.birth_dates == [date(1970, 3, 1)] and terms.words == ["19700301"]

    def test_words_are_folded_and_hyphens_between_digits_dropped(self) -> None:
        assert parse_query("ﾀﾅｶ 髙橋 03-5555-0101").words == ["たなか", "高橋", "0355550101"]

    def test_spaces_only_is_empty(self) -> None:
        assert parse_query(" 　 ").empty


class TestDocumentKeys:
    """What a record can be found by."""

    def test_birth_tokens_include_era_forms(self) -> None:
        assert birth_tokens(date(1989, 1, 8)) == ["1989", "19890108", "h1", "平成1", "h元", "平成元", "h1.1.8"]

    def test_birth_dates_before_meiji_6_have_no_era_forms(self) -> None:
        assert birth_tokens(date(1870, 5, 1)) == ["1870", "18700501"]

    def test_index_text_holds_names_numbers_and_address(self) -> None:
        document = SearchDocument(
            record_type="patient",
            id="p1",
            version=1,
            area="patients",
            name="髙橋 検証",
            name_kana="タカハシ ケンショウ",
            birth_date=date(1970, 3, 1),
            registration_no="2024-00001",
            status="active",
            active=True,
            phone="03-5555-0101",
            postal_code="154-0017",
            address="太子堂1-2-3",
        )
        assert index_text(document).split("\n") == [
            "\x02高橋検証",  # whole-field keys start with KEY_START: their exact and prefix matches rank first
            "\x02たかはしけんしょう",
            "\x02202400001",
            "\x020355550101",
            "1540017",
            "太子堂123",
            "1970",
            "19700301",
            "s45",
            "昭和45",
            "s45.3.1",
            "",  # every field ends with SEPARATOR
        ]

    def test_bigrams_cover_every_character_with_its_successor(self) -> None:
        assert bigrams("\x02田中\ns45\n").split(" ") == ["\x02田", "田中", "中\n", "\ns", "s4", "45", "5\n"]
