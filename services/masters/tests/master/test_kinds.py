"""The kinds of master data: every kind of the contract, its codes with their check digits, its data rules."""

from typing import Any

import pytest
from masters.master.checks import MasterValues, prepare
from masters.master.kinds import KINDS

CONTRACT_KINDS = [
    "institution",
    "doctor",
    "laboratory",
    "municipality",
    "letterhead",
    "board_member",
    "district",
    "staff_assignment",
    "payer_number",
    "code",
    "population",
    "gaiji",
]
HOSPITAL = {"type": "hospital"}


def check(kind: str, code: str = "", name: str = "試験", kana: str = "", **data: Any) -> dict[str, str]:
    """The messages a record of the kind meets (empty when valid)."""
    return prepare(KINDS[kind], code, name, kana, data)[1]


def stored(kind: str, code: str = "", name: str = "試験", kana: str = "", **data: Any) -> MasterValues:
    """The values a valid record of the kind is stored with."""
    values, errors = prepare(KINDS[kind], code, name, kana, data)
    assert values is not None, errors
    return values


class TestKindsTable:
    """The kinds as GET /masters/kinds shows them."""

    @pytest.mark.req("R25", partial=True)
    def test_every_kind_of_the_contract_is_there_in_display_order(self) -> None:
        assert list(KINDS) == CONTRACT_KINDS

    def test_fields_use_the_contract_types_and_refer_to_kinds_that_exist(self) -> None:
        for kind in KINDS.values():
            for field in kind.public()["fields"]:
                assert field["type"] in {"text", "date", "bool", "int", "choice", "multiline", "ref"}
                assert field["label"]
                if field["type"] == "ref":
                    assert field["ref_kind"] in KINDS
                if field["type"] == "choice":
                    assert field["choices"]

    def test_export_columns_are_code_name_kana_data_and_period(self) -> None:
        columns = [column.key for column in KINDS["doctor"].columns()]
        assert columns == ["code", "name", "kana", "institution_code", "specialty", "valid_from", "valid_to"]
        assert KINDS["doctor"].label_of("institution_code") == "所属医療機関"


class TestInstitutionCode:
    """医療機関コード: 都道府県2 + 点数表1 + 郡市区2 + 番号4 + 検証番号1, the digit over 郡市区 and 番号."""

    # 13 1 01 2345 ?: over 012345 from the right, 5×2=10→1+0=1, 4×1=4, 3×2=6, 2×1=2, 1×2=2, 0×1=0;
    # sum 15, last digit 5, 10−5 = 5 → 1310123455
    VALID = "1310123455"
    # 13 1 98 7654 ?: 4×2=8, 5, 6×2=12→3, 7, 8×2=16→7, 9; sum 39, 10−9 = 1 → 1319876541
    OTHER = "1319876541"

    @pytest.mark.req("R25", partial=True)
    @pytest.mark.parametrize("code", [VALID, OTHER])
    def test_codes_with_their_check_digit_are_accepted(self, code: str) -> None:
        assert check("institution", code, **HOSPITAL) == {}

    @pytest.mark.req("R25", partial=True)
    def test_a_wrong_check_digit_gets_a_japanese_message_beside_the_code(self) -> None:
        errors = check("institution", "1310123454", **HOSPITAL)
        assert errors == {
            "code": "医療機関コードの検証番号（最後の1桁）が合いません。コードに誤りがないか確認してください。"
        }

    @pytest.mark.parametrize("code", ["131012345", "13101234555", "13101234S5"])
    def test_a_code_of_the_wrong_length_or_with_letters_is_refused(self, code: str) -> None:
        assert "10桁の数字" in check("institution", code, **HOSPITAL)["code"]

    def test_full_width_digits_are_read_as_digits(self) -> None:
        assert stored("institution", "１３１０１２３４５５", **HOSPITAL).code == self.VALID

    def test_the_prefecture_must_exist(self) -> None:
        # 48 1 01 2345 5: the check digit is right (same six digits) but there is no prefecture 48
        assert "都道府県番号" in check("institution", "4810123455", **HOSPITAL)["code"]


class TestMunicipalityCode:
    """全国地方公共団体コード: weights 6,5,4,3,2 on five digits, 11 − (sum mod 11), its last digit kept."""

    # 13901: 1×6 + 3×5 + 9×4 + 0×3 + 1×2 = 59; 59 mod 11 = 4; 11−4 = 7 → 139017
    VALID = "139017"
    # 20000: 2×6 = 12; 12 mod 11 = 1; 11−1 = 10, last digit kept → 0 → 200000
    TEN = "200000"

    @pytest.mark.req("R25", partial=True)
    @pytest.mark.parametrize("code", [VALID, TEN])
    def test_codes_with_their_check_digit_are_accepted(self, code: str) -> None:
        assert check("municipality", code, name="試験市") == {}

    @pytest.mark.req("R25", partial=True)
    def test_a_wrong_check_digit_gets_a_japanese_message(self) -> None:
        assert "検査数字（最後の1桁）が合いません" in check("municipality", "139018")["code"]

    def test_five_digits_are_not_enough(self) -> None:
        assert "6桁の数字" in check("municipality", "13901")["code"]


class TestPayerNumber:
    """公費負担者番号: 法別番号2 + 都道府県2 + 実施機関3 + 検証番号1, the 法別番号 matching the law."""

    # 1013001: from the right 1×2=2, 0, 0×2=0, 3, 1×2=2, 0, 1×2=2; sum 9, 10−9 = 1 → 10130011
    GENERAL = "10130011"
    # 1113001: 2, 0, 0, 3, 2, 1, 2; sum 10, last digit 0 → 0 → 11130010
    ADMISSION = "11130010"

    @pytest.mark.req("R25", partial=True)
    def test_numbers_of_both_laws_are_accepted_with_their_law(self) -> None:
        assert check("payer_number", self.GENERAL, law="10", agency="試験区") == {}
        assert check("payer_number", self.ADMISSION, law="37条（入院勧告）", agency="試験区") == {}

    @pytest.mark.req("R25", partial=True)
    def test_the_law_number_must_match_the_law(self) -> None:
        errors = check("payer_number", self.ADMISSION, law="10", agency="試験区")
        assert errors == {"law": "番号の法別番号「11」は37条（入院勧告）です。根拠法と番号を確認してください。"}

    def test_a_wrong_check_digit_is_refused(self) -> None:
        assert "検証番号" in check("payer_number", "10130012", law="10", agency="試験区")["code"]

    def test_other_laws_are_not_tuberculosis_numbers(self) -> None:
        # 法別番号 51 belongs to another law: refused before its check digit matters
        assert "「10」" in check("payer_number", "51130011", law="10", agency="試験区")["code"]


class TestData:
    """Data as typed in a form or a CSV cell: cleaned, checked, stored as JSON."""

    @pytest.mark.req("R26")
    def test_typed_values_are_cleaned_and_labels_are_read_as_their_codes(self) -> None:
        values = stored(
            "institution",
            TestInstitutionCode.VALID,
            name="試験病院",
            kana="ｼｹﾝ ﾋﾞｮｳｲﾝ",
            type="病院",
            postal_code="1540017",
            phone="03ー1234ー5678",
            designated="はい",
            designated_from="R1.5.1",
            tb_beds="○",
            tb_bed_count="１２",
            departments="内科\n\n 呼吸器内科 \n",
        )
        assert values.kana == "シケン ビョウイン"
        assert values.data["type"] == "hospital"
        assert values.data["postal_code"] == "154-0017"
        assert values.data["phone"] == "03-1234-5678"
        assert values.data["designated"] is True and values.data["designated_from"] == "2019-05-01"
        assert values.data["tb_beds"] is True and values.data["tb_bed_count"] == 12
        assert values.data["departments"] == "内科\n呼吸器内科"

    def test_each_wrong_field_gets_its_own_japanese_message(self) -> None:
        errors = check(
            "institution",
            TestInstitutionCode.VALID,
            name="",
            kana="Shiken",
            type="大学",
            postal_code="12",
            designated_from="R1.13.1",
            tb_bed_count="-1",
            color="red",
        )
        assert errors == {
            "name": "必須項目です。",
            "kana": "カナはカタカナまたはひらがなで入力してください。",
            "type": "選択肢（病院・診療所・薬局）から選んでください。",
            "postal_code": "郵便番号は7桁の数字で入力してください（例: 154-0017）。",
            "designated_from": "「令和元年13月1日」は存在しない日付です。",
            "tb_bed_count": "0以上の整数を数字で入力してください。",
            "color": "この項目は入力できません。",
        }

    def test_a_required_choice_left_blank_is_missing(self) -> None:
        assert check("institution", TestInstitutionCode.VALID) == {"type": "必須項目です。"}

    def test_rules_across_fields(self) -> None:
        errors = check(
            "institution",
            TestInstitutionCode.VALID,
            type="hospital",
            designated_from="2020-04-01",
            designated_to="2019-03-31",
            tb_bed_count="10",
        )
        assert errors == {
            "designated_to": "指定の終了日が指定年月日より前になっています。",
            "designated": "指定期間があるときは「結核指定医療機関」を「はい」にしてください。",
            "tb_bed_count": "結核病床が「なし」のときは病床数を入力しないでください。",
        }

    def test_a_period_must_not_end_before_it_starts(self) -> None:
        values, errors = prepare(KINDS["laboratory"], "L1", "試験検査所", "", {}, "R8.4.1", "R8.3.31")
        assert values is None and errors == {"valid_to": "有効期間の終了日が開始日より前になっています。"}

    def test_a_free_code_is_ascii_without_spaces(self) -> None:
        assert "半角英数字" in check("doctor", "D 1", institution_code="x")["code"]


class TestDerivedCodes:
    """Kinds whose code is made of their data: コード表, 人口, and the one letterhead."""

    @pytest.mark.req("R25", partial=True)
    def test_a_code_list_entry_is_coded_list_and_value_and_named_by_its_label(self) -> None:
        values = stored("code", name="", list="regimen", value="2HREZ/4HR", label="標準治療A法", sort_order="1")
        assert (values.code, values.name) == ("regimen:2HREZ/4HR", "標準治療A法")

    def test_a_code_that_disagrees_with_the_data_is_refused(self) -> None:
        errors = check("code", "regimen:X", list="regimen", value="6HR", label="6HR")
        assert errors == {"code": "コードは「regimen:6HR」になります（空欄にすると自動で付きます）。"}

    @pytest.mark.req("R25", partial=True)
    def test_population_is_coded_by_district_age_group_sex_and_reference_date(self) -> None:
        values = stored(
            "population",
            name="",
            district_code="setagaya",
            age_group="0-4",
            sex="女性",
            reference_date="R7.10.1",
            count="1,234",
        )
        assert values.code == "setagaya:0-4:female:2025-10-01"
        assert values.data["count"] == 1234

    def test_the_letterhead_is_always_self(self) -> None:
        values = stored("letterhead", name="試験保健所", director_name="試験 所長")
        assert values.code == "self"
        assert check("letterhead", "other", name="試験保健所", director_name="試験 所長") == {
            "code": "コードは「self」になります（空欄にすると自動で付きます）。"
        }


@pytest.mark.req("N26", partial=True)
class TestGaiji:
    """外字: a character JIS X 0208 lacks, its 代替文字 (JIS X 0208 only) and its reading, coded by code point."""

    def test_a_gaiji_is_coded_by_its_code_point_and_named_with_its_substitute(self) -> None:
        values = stored("gaiji", name="", kana="よし", character="𠮷", substitute="吉")
        assert (values.code, values.name, values.kana) == ("U+20BB7", "𠮷（吉）", "ヨシ")
        private = stored("gaiji", name="", character="\ue000", substitute="辺")
        assert private.code == "U+E000" and private.data["substitute"] == "辺"

    def test_a_jis_x_0208_character_needs_no_entry(self) -> None:
        errors = check("gaiji", name="", character="吉", substitute="吉")
        assert "JIS X 0208の文字" in errors["character"] and "登録する必要はありません" in errors["character"]

    def test_a_substitute_must_be_carried_by_every_output(self) -> None:
        errors = check("gaiji", name="", character="𠮷", substitute="𩸽")
        assert errors["substitute"] == "代替文字はJIS X 0208の文字で入力してください（「𩸽」は使えません）。"

    def test_one_character_only(self) -> None:
        assert "1文字で" in check("gaiji", name="", character="𠮷田", substitute="吉田")["character"]
