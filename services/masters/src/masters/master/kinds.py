"""The kinds of master data (医療機関, 医師, 保健所・自治体 …): their fields, codes and rules, in display order."""

from __future__ import annotations

from pydantic import BaseModel
from tbms_core.jp.check_digits import has_valid_check_digit, institution_code_is_valid, municipality_code_is_valid
from tbms_core.jp.gaiji import gaiji_code, is_private_use

from masters.master import values
from masters.master.spec import FieldSpec, MasterKind, all_of, kind, period

__all__ = ["KINDS", "FieldSpec", "MasterKind", "kind_of"]

PREFECTURES = range(1, 48)  # 都道府県番号 01 北海道 … 47 沖縄県 (JIS X 0401)
INSTITUTION_TYPES = {"hospital": "病院", "clinic": "診療所", "pharmacy": "薬局"}
BOARD_ROLES = {"doctor": "医師", "legal": "法律関係者", "academic": "学識経験者", "other": "その他"}
PAYER_LAWS = {"10": "37条の2（一般医療）", "11": "37条（入院勧告）"}  # 法別番号 (MHLW 設定要領)
CODE_LISTS = {
    "occupation": "職業区分",
    "specimen": "検体",
    "drug": "薬剤",
    "regimen": "処方（レジメン）",
    "exam_kind": "検査種別",
    "exclusion_reason": "登録除外の理由",
    "contact_setting": "接触の場",
    "contact_relation": "接触者の続柄・関係",
    "screening_exam": "接触者健診の検査の種類",
    "contact_end_reason": "接触者健診の終了の理由",
    "dots_type": "DOTSの種類",
}
# 5-year groups of the 国勢調査 and the 結核登録者情報調査年報, 85 and over in one.
AGE_GROUPS = {f"{low}-{low + 4}": f"{low}〜{low + 4}歳" for low in range(0, 85, 5)} | {"85-": "85歳以上"}
SEXES = {"male": "男性", "female": "女性"}

ADDRESS = (
    FieldSpec("postal_code", "郵便番号", hint="例: 154-0017", max_length=10, parse=values.postal_code),
    FieldSpec("address", "住所"),
    FieldSpec("phone", "電話番号", hint="例: 03-1234-5678", max_length=20, parse=values.phone),
    FieldSpec("fax", "FAX番号", max_length=20, parse=values.phone),
)


def _digits(code: str, length: int, what: str, layout: str) -> str:
    typed = values.text(code)
    if not (len(typed) == length and typed.isascii() and typed.isdigit()):
        raise ValueError(f"{what}は{length}桁の数字で入力してください（{layout}）。")
    return typed


def _prefecture(code: str, what: str) -> None:
    if int(code[:2]) not in PREFECTURES:
        raise ValueError(f"{what}の先頭2桁（都道府県番号）は01〜47です。")


def institution_code(code: str) -> str:
    """A 医療機関コード with its 検証番号 (over 郡市区番号 and 医療機関番号)."""
    typed = _digits(code, 10, "医療機関コード", "都道府県2桁・点数表1桁・郡市区2桁・番号4桁・検証番号1桁")
    _prefecture(typed, "医療機関コード")
    if not institution_code_is_valid(typed):
        raise ValueError("医療機関コードの検証番号（最後の1桁）が合いません。コードに誤りがないか確認してください。")
    return typed


def municipality_code(code: str) -> str:
    """A 全国地方公共団体コード with its 検査数字."""
    typed = _digits(code, 6, "全国地方公共団体コード", "団体コード5桁・検査数字1桁")
    _prefecture(typed, "全国地方公共団体コード")
    if not municipality_code_is_valid(typed):
        raise ValueError(
            "全国地方公共団体コードの検査数字（最後の1桁）が合いません。コードに誤りがないか確認してください。"
        )
    return typed


def payer_number(code: str) -> str:
    """A 公費負担者番号 of 法37条 or 37条の2 with its 検証番号."""
    typed = _digits(code, 8, "公費負担者番号", "法別番号2桁・都道府県2桁・実施機関3桁・検証番号1桁")
    if typed[:2] not in PAYER_LAWS:
        raise ValueError("結核の公費負担者番号は法別番号「10」（37条の2）か「11」（37条）で始まります。")
    if not has_valid_check_digit(typed):
        raise ValueError("公費負担者番号の検証番号（最後の1桁）が合いません。番号に誤りがないか確認してください。")
    return typed


def gaiji_character(value: object) -> str:
    """The 外字 itself: one character that JIS X 0208 lacks (a JIS X 0213 or CJK extension character, or a
    private-use code point of the city's own 外字)."""
    typed = values.text(value)
    if len(typed) != 1:
        raise ValueError("外字は1文字で入力してください（結合文字や複数の文字は登録できません）。")
    if not is_private_use(typed) and _in_jis_x_0208(typed):
        raise ValueError(
            f"「{typed}」はJIS X 0208の文字で、どの出力でもそのまま扱えます。外字として登録する必要はありません。"
        )
    return typed


def gaiji_substitute(value: object) -> str:
    """The 代替文字 outputs and search use for a 外字: JIS X 0208 characters only, so every output carries it."""
    typed = values.text(value)
    lacking = [c for c in typed if is_private_use(c) or not _in_jis_x_0208(c)]
    if lacking:
        raise ValueError(f"代替文字はJIS X 0208の文字で入力してください（「{'」「'.join(lacking)}」は使えません）。")
    return typed


def _in_jis_x_0208(char: str) -> bool:
    try:
        char.encode("shift_jis")
    except UnicodeEncodeError:
        return False
    return True


def _gaiji_code(code: str) -> str:
    typed = values.text(code).upper()
    if not (typed.startswith("U+") and 4 <= len(typed) - 2 <= 6):
        raise ValueError("外字のコードは「U+」と16進数のコードポイントです（例: U+20BB7）。空欄なら自動で付けます。")
    return typed


def _self_code(code: str) -> str:
    return values.text(code)


def _law_matches(code: str, data: BaseModel) -> dict[str, str]:
    law = data.law  # type: ignore[attr-defined]
    if law and code[:2] in PAYER_LAWS and code[:2] != law:
        return {"law": f"番号の法別番号「{code[:2]}」は{PAYER_LAWS[code[:2]]}です。根拠法と番号を確認してください。"}
    return {}


def _beds(_: str, data: BaseModel) -> dict[str, str]:
    if data.tb_bed_count and not data.tb_beds:  # type: ignore[attr-defined]
        return {"tb_bed_count": "結核病床が「なし」のときは病床数を入力しないでください。"}
    return {}


def _designation(_: str, data: BaseModel) -> dict[str, str]:
    if (data.designated_from or data.designated_to) and not data.designated:  # type: ignore[attr-defined]
        return {"designated": "指定期間があるときは「結核指定医療機関」を「はい」にしてください。"}
    return {}


def _population_code(data: BaseModel) -> str:
    d = data
    return f"{d.district_code}:{d.age_group}:{d.sex}:{d.reference_date.isoformat()}"  # type: ignore[attr-defined]


def _population_name(data: BaseModel) -> str:
    d = data
    return f"{d.district_code} {AGE_GROUPS[d.age_group]} {SEXES[d.sex]} {d.reference_date.isoformat()}"  # type: ignore[attr-defined]


KINDS: dict[str, MasterKind] = dict(
    [
        kind(
            "institution",
            "医療機関",
            "医療機関コード",
            (
                *ADDRESS,
                FieldSpec("type", "種別", "choice", required=True, choices=INSTITUTION_TYPES),
                FieldSpec("designated", "結核指定医療機関", "bool", hint="感染症法38条の指定"),
                FieldSpec("designated_from", "指定年月日", "date"),
                FieldSpec("designated_to", "指定の終了日", "date"),
                FieldSpec("tb_beds", "結核病床", "bool"),
                FieldSpec("tb_bed_count", "結核病床数", "int"),
                FieldSpec("departments", "診療科", "multiline", hint="1行に1つ", max_length=2000),
            ),
            code_hint="10桁（都道府県2桁＋点数表1桁＋郡市区2桁＋番号4桁＋検証番号1桁）",
            check_code=institution_code,
            rules=all_of(
                period("designated_from", "designated_to", "指定の終了日が指定年月日より前になっています。"),
                _designation,
                _beds,
            ),
            detail_keys=("address",),
        ),
        kind(
            "doctor",
            "医師",
            "医師コード",
            (
                FieldSpec("institution_code", "所属医療機関", "ref", required=True, ref_kind="institution"),
                FieldSpec("specialty", "専門・診療科"),
            ),
            code_hint="例: D00001",
            name_label="氏名",
            ref_key="institution_code",
            detail_keys=("specialty",),
        ),
        kind(
            "laboratory",
            "検査機関",
            "検査機関コード",
            (FieldSpec("phone", "電話番号", max_length=20, parse=values.phone), FieldSpec("contact", "担当・連絡先")),
            detail_keys=("contact",),
        ),
        kind(
            "municipality",
            "保健所・自治体",
            "全国地方公共団体コード",
            (
                FieldSpec("health_center_name", "保健所名"),
                FieldSpec("director_name", "保健所長名"),
                *ADDRESS,
            ),
            code_hint="6桁（団体コード5桁＋検査数字1桁）",
            check_code=municipality_code,
            detail_keys=("health_center_name",),
        ),
        kind(
            "letterhead",
            "自所の情報（レターヘッド）",
            "コード",
            (
                *ADDRESS,
                FieldSpec("director_name", "所長名", required=True),
                FieldSpec("director_title", "所長の職名", hint="例: 世田谷保健所長"),
                FieldSpec("contact_text", "問い合わせ先", "multiline", hint="文書の末尾に載せる文", max_length=2000),
            ),
            code_hint="常に self",
            name_label="保健所名",
            check_code=_self_code,
            derive_code=lambda _: "self",
        ),
        kind(
            "board_member",
            "診査会委員",
            "委員コード",
            (
                FieldSpec("role", "区分", "choice", required=True, choices=BOARD_ROLES),
                FieldSpec("term_from", "任期（開始）", "date"),
                FieldSpec("term_to", "任期（終了）", "date"),
            ),
            name_label="氏名",
            rules=period("term_from", "term_to", "任期の終了日が開始日より前になっています。"),
            detail_keys=("role",),
        ),
        kind(
            "district",
            "地区",
            "地区コード",
            (
                FieldSpec("sort_order", "表示順", "int"),
                FieldSpec("team", "担当班"),
                FieldSpec("areas", "町丁目", "multiline", hint="1行に1つ", max_length=4000),
            ),
            code_hint="例: setagaya",
            name_label="地区名",
            detail_keys=("team",),
            ordered=True,
        ),
        kind(
            "staff_assignment",
            "担当保健師",
            "担当コード",
            (
                FieldSpec("district_code", "地区", "ref", required=True, ref_kind="district"),
                FieldSpec("nurse_username", "保健師のユーザ名", max_length=64),
                FieldSpec("nurse_name", "保健師名", required=True),
                FieldSpec("areas", "担当町丁目", "multiline", hint="1行に1つ、空欄は地区全体", max_length=4000),
            ),
            name_label="名称",
            ref_key="district_code",
            detail_keys=("nurse_name",),
        ),
        kind(
            "payer_number",
            "公費負担者番号",
            "公費負担者番号",
            (
                FieldSpec("law", "根拠法（法別番号）", "choice", required=True, choices=PAYER_LAWS),
                FieldSpec("agency", "実施機関名", required=True),
            ),
            code_hint="8桁（法別番号2桁＋都道府県2桁＋実施機関3桁＋検証番号1桁）",
            check_code=payer_number,
            rules=_law_matches,
            detail_keys=("agency",),
        ),
        kind(
            "code",
            "コード表",
            "コード",
            (
                FieldSpec("list", "コード表の種類", "choice", required=True, choices=CODE_LISTS),
                FieldSpec("value", "値", required=True, max_length=40, parse=values.list_value),
                FieldSpec("label", "表示名", required=True),
                FieldSpec("sort_order", "表示順", "int"),
            ),
            code_hint="<種類>:<値>（空欄なら自動）",
            name_label="表示名",
            check_code=_self_code,
            derive_code=lambda d: f"{d.list}:{d.value}",  # type: ignore[attr-defined]
            default_name=lambda d: d.label,  # type: ignore[attr-defined]
            ref_key="list",
            detail_keys=("list",),
            ordered=True,
        ),
        kind(
            "population",
            "人口",
            "コード",
            (
                FieldSpec("district_code", "地区", "ref", required=True, ref_kind="district"),
                FieldSpec("age_group", "年齢階級", "choice", required=True, choices=AGE_GROUPS),
                FieldSpec("sex", "性別", "choice", required=True, choices=SEXES),
                FieldSpec("reference_date", "基準日", "date", required=True, hint="10月1日現在"),
                FieldSpec("count", "人口", "int", required=True),
            ),
            code_hint="<地区>:<年齢階級>:<性別>:<基準日>（空欄なら自動）",
            check_code=_self_code,
            derive_code=_population_code,
            default_name=_population_name,
            ref_key="district_code",
            detail_keys=("count",),
        ),
        kind(
            "gaiji",
            "外字",
            "コードポイント",
            (
                FieldSpec(
                    "character", "外字", required=True, hint="例: 𠮷（私用領域の文字も可）", parse=gaiji_character
                ),
                FieldSpec(
                    "substitute",
                    "代替文字",
                    required=True,
                    hint="例: 吉（帳票・CSV・NESID・検索で使う表記）",
                    max_length=10,
                    parse=gaiji_substitute,
                ),
                FieldSpec("note", "備考", hint="例: 住基の字形、使う地区など"),
            ),
            code_hint="U+とコードポイント（空欄なら自動）",
            name_label="表示",
            check_code=_gaiji_code,
            derive_code=lambda d: gaiji_code(d.character),  # type: ignore[attr-defined]
            default_name=lambda d: f"{d.character}（{d.substitute}）",  # type: ignore[attr-defined]
            detail_keys=("substitute",),
        ),
    ]
)


def kind_of(key: str) -> MasterKind | None:
    """The kind with this key, or None."""
    return KINDS.get(key)
