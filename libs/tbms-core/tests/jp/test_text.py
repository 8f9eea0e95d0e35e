"""Input normalisation and search keys for Japanese names (N11)."""

from __future__ import annotations

import unicodedata

import pytest
from tbms_core.jp.text import (
    VARIANT_FOLDING,
    digits_only,
    is_kana_reading,
    normalize_input,
    search_key,
    to_katakana,
)

COMPAT_RYU = "\uf9dc"  # 隆, a CJK compatibility ideograph that even NFC rewrites to U+9686
UNIFIED_SAKI = "\ufa11"  # 﨑, in the compatibility block but a unified ideograph (NFKC keeps it)


class TestNormalizeInput:
    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("ﾀﾅｶ ﾀﾛｳ", "タナカ タロウ"),
            ("ｶﾞｯｺｳ", "ガッコウ"),
            ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
            ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
            ("ｽｰﾊﾟｰ", "スーパー"),
            ("ｦ｡｢ｱ｣､･", "ヲ。「ア」、・"),
        ],
    )
    def test_half_width_katakana_becomes_full_width_with_voiced_marks(self, typed: str, stored: str) -> None:
        assert normalize_input(typed) == stored

    def test_voiced_mark_that_cannot_combine_becomes_a_spacing_mark(self) -> None:
        assert normalize_input("ｱﾞ") == "ア゛"
        assert normalize_input("ﾟ") == "゜"

    @pytest.mark.req("N11")
    def test_full_width_letters_and_digits_become_half_width(self) -> None:
        assert normalize_input("ＡＢＣｘｙｚ０１２３４５６７８９") == "ABCxyz0123456789"

    def test_full_width_symbols_are_left_as_typed(self) -> None:
        assert normalize_input("（株）＃１") == "（株）＃1"

    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("  田中太郎  ", "田中太郎"),
            ("\u3000田中太郎\u3000", "田中太郎"),
            (" \u3000田中\u3000太郎\u3000 ", "田中\u3000太郎"),
            ("\t田中\n", "田中"),
        ],
    )
    def test_surrounding_spaces_are_trimmed(self, typed: str, stored: str) -> None:
        assert normalize_input(typed) == stored

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("田中 太郎", "田中 太郎"),
            ("田中\u3000太郎", "田中\u3000太郎"),
            ("田中   太郎", "田中 太郎"),
            ("田中\u3000\u3000太郎", "田中\u3000太郎"),
            ("田中\u3000 太郎", "田中\u3000太郎"),
        ],
    )
    def test_single_inner_spaces_stay_and_runs_collapse_to_the_first(self, typed: str, stored: str) -> None:
        assert normalize_input(typed) == stored

    def test_line_breaks_inside_notes_are_kept(self) -> None:
        assert normalize_input("一行目\n二行目") == "一行目\n二行目"

    @pytest.mark.parametrize("name", [f"山{UNIFIED_SAKI}", "髙橋", f"{COMPAT_RYU}", "𠮷田", "德永", "渡邉"])
    def test_kanji_are_never_changed(self, name: str) -> None:
        assert normalize_input(name) == name

    def test_hiragana_and_full_width_katakana_are_left_as_typed(self) -> None:
        assert normalize_input("たなか タナカ") == "たなか タナカ"

    def test_normalising_twice_changes_nothing_more(self) -> None:
        once = normalize_input("  ﾀﾅｶ\u3000\u3000ＴＡＲＯ１ ")
        assert normalize_input(once) == once == "タナカ\u3000TARO1"

    def test_empty_and_blank_input_become_empty(self) -> None:
        assert normalize_input("") == ""
        assert normalize_input(" \u3000 ") == ""


class TestToKatakana:
    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        ("typed", "reading"),
        [
            ("たなか たろう", "タナカ タロウ"),
            ("しぇーん", "シェーン"),
            ("ゔぁいおりん", "ヴァイオリン"),
            ("ゕゖ", "ヵヶ"),
            ("いすゞ", "イスヾ"),
            ("ﾀﾅｶ", "タナカ"),
            (" やまだ　はなこ ", "ヤマダ\u3000ハナコ"),
            ("タナカ", "タナカ"),
        ],
    )
    def test_hiragana_and_half_width_kana_become_katakana(self, typed: str, reading: str) -> None:
        assert to_katakana(typed) == reading

    def test_kanji_are_left_alone(self) -> None:
        assert to_katakana("田中たろう") == "田中タロウ"


class TestIsKanaReading:
    @pytest.mark.parametrize("value", ["タナカ タロウ", "タナカ\u3000タロウ", "スミス・ジョン", "ヴァージニア", "ヽヾ"])
    def test_katakana_with_long_mark_dot_and_spaces_is_a_reading(self, value: str) -> None:
        assert is_kana_reading(value)

    @pytest.mark.parametrize("value", ["たなか", "ﾀﾅｶ", "田中", "TANAKA", "タナカ1", "", " \u3000"])
    def test_anything_else_or_blank_is_not_a_reading(self, value: str) -> None:
        assert not is_kana_reading(value)

    def test_hiragana_typed_into_a_kana_field_is_accepted_after_conversion(self) -> None:
        assert is_kana_reading(to_katakana("たなか たろう"))


class TestSearchKey:
    @pytest.mark.req("N11")
    @pytest.mark.parametrize("typed", ["ﾀﾅｶﾀﾛｳ", "タナカタロウ", "たなかたろう", "たなか たろう", "タナカ\u3000タロウ"])
    def test_width_kana_kind_and_spaces_do_not_matter(self, typed: str) -> None:
        assert search_key(typed) == search_key("たなかたろう") == "たなかたろう"

    @pytest.mark.req("N11")
    @pytest.mark.parametrize("typed", ["SMITH", "smith", "Smith", "ＳＭＩＴＨ", "ｓｍｉｔｈ"])
    def test_case_and_width_of_letters_do_not_matter(self, typed: str) -> None:
        assert search_key(typed) == "smith"

    @pytest.mark.req("N11")
    @pytest.mark.parametrize(
        ("registered", "typed"),
        [
            ("髙橋", "高橋"),
            (f"山{UNIFIED_SAKI}", "山崎"),
            ("山嵜", "山崎"),
            ("\U0002550e山", "崎山"),
            ("渡邊", "渡辺"),
            ("渡邉", "渡辺"),
            ("齋藤", "斎藤"),
            ("齊藤", "斎藤"),
            ("濱田", "浜田"),
            ("澤田", "沢田"),
            ("櫻井", "桜井"),
            ("廣瀬", "広瀬"),
            ("國分", "国分"),
            ("德永", "徳永"),
            ("瀨戸", "瀬戸"),
            ("𠮷田", "吉田"),
            ("槇原", "槙原"),
            ("眞理子", "真理子"),
            ("惠子", "恵子"),
            ("龍之介", "竜之介"),
        ],
    )
    def test_variant_kanji_match_their_common_form(self, registered: str, typed: str) -> None:
        assert search_key(registered) == search_key(typed)

    @pytest.mark.parametrize(
        ("compat", "unified"),
        [(COMPAT_RYU, "隆"), ("\ufa10", "塚"), ("\uf91f", "蘭"), ("\u2fbc", "高")],
    )
    def test_compatibility_ideographs_fold_through_their_decomposition(self, compat: str, unified: str) -> None:
        assert search_key(compat) == search_key(unified) == unified

    def test_every_variant_in_the_table_survives_nfkc_so_the_table_reaches_it(self) -> None:
        assert all(unicodedata.normalize("NFKC", variant) == variant for variant in VARIANT_FOLDING)

    def test_table_targets_are_final_forms(self) -> None:
        assert not set(VARIANT_FOLDING.values()) & set(VARIANT_FOLDING)

    @pytest.mark.parametrize(("typed", "key"), [("シェーン", "しぇーん"), ("ァィゥェォッャュョ", "ぁぃぅぇぉっゃゅょ")])
    def test_long_vowel_and_small_kana_are_kept(self, typed: str, key: str) -> None:
        assert search_key(typed) == key

    def test_middle_dot_between_name_parts_does_not_matter(self) -> None:
        assert search_key("スミス・ジョン") == search_key("スミス ジョン") == search_key("すみすじょん")

    @pytest.mark.parametrize(
        "typed",
        [
            "03-1234-5678",
            "03ー1234ー5678",
            "03‐1234‐5678",
            "03−1234−5678",
            "03–1234—5678",
            "03－1234－5678",
            "０３ｰ１２３４ｰ５６７８",
            "03 - 1234 - 5678",
        ],
    )
    def test_hyphen_like_characters_between_digits_fold_to_a_hyphen(self, typed: str) -> None:
        assert search_key(typed) == "03-1234-5678"

    def test_long_vowel_mark_between_kana_is_not_a_hyphen(self) -> None:
        assert search_key("ラーメン1ー2") == "らーめん1-2"

    def test_folding_twice_changes_nothing_more(self) -> None:
        key = search_key("ﾀﾅｶ 髙橋 ＳＭＩＴＨ 03ｰ1234")
        assert search_key(key) == key

    def test_stored_name_is_not_changed_by_deriving_a_key(self) -> None:
        name = f"山{UNIFIED_SAKI}\u3000{COMPAT_RYU}"
        search_key(name)
        assert name == f"山{UNIFIED_SAKI}\u3000{COMPAT_RYU}"


class TestDigitsOnly:
    @pytest.mark.parametrize(
        ("typed", "digits"),
        [
            ("03-1234-5678", "0312345678"),
            ("０３（１２３４）５６７８", "0312345678"),
            ("090ー1234ー5678", "09012345678"),
            ("TEL: 03 1234 5678", "0312345678"),
            ("", ""),
            ("なし", ""),
        ],
    )
    def test_keeps_only_half_width_digits(self, typed: str, digits: str) -> None:
        assert digits_only(typed) == digits
