"""The コード表 entries the masters service ships (its migration 0005 seeds them, in this order, in force since
SEEDED_SINCE): the code lists the forms used before masters became their source, with the same codes and
Japanese labels, so existing records read as before. Masters' MasterChanged events then carry every change
(kind `code`, data {list, value, label, sort_order}); services keep the lists they use and fall back to their
built-in copies of these until masters has sent anything."""

from __future__ import annotations

from datetime import date

SEEDED_SINCE = date(1900, 1, 1)  # before anything this system holds

SEEDED: dict[str, dict[str, str]] = {
    "occupation": {
        "employee": "被用者（常用勤労者）",
        "self_employed": "自営業・自由業",
        "healthcare": "医療従事者",
        "care_worker": "介護・福祉職員",
        "teacher": "教員・保育士",
        "food_service": "接客業・飲食業",
        "student": "学生・生徒",
        "child": "乳幼児",
        "homemaker": "家事従事者",
        "unemployed": "無職",
        "other": "その他",
        "unknown": "不明",
    },
    "specimen": {v: v for v in ("喀痰", "胃液", "気管支洗浄液", "胸水", "尿", "組織", "その他")},
    "drug": {v: v for v in ("INH", "RFP", "EB", "SM", "PZA", "LVFX", "KM", "TH", "EVM", "PAS", "CS", "DLM", "BDQ")},
    "regimen": {
        "2HREZ/4HR": "2HREZ/4HR（標準治療A法）",
        "2HRE/7HR": "2HRE/7HR（PZAを使えない場合・B法）",
        "2HREZ/7HR": "2HREZ/7HR（延長）",
        "2HRS/7HR": "2HRS/7HR",
        "6HR": "6HR",
        "9HR": "9HR",
        "MDR": "多剤耐性結核の治療",
        "6H": "6H（LTBI）",
        "9H": "9H（LTBI）",
        "4R": "4R（LTBI）",
        "6R": "6R（LTBI・INHを使えない場合）",
        "3-4HR": "3〜4HR（LTBI）",
        "other": "その他（備考に記入）",
    },
    "exam_kind": {
        "smear": "塗抹",
        "culture": "培養",
        "naat": "核酸増幅法",
        "identification": "同定",
        "dst": "薬剤感受性",
        "igra": "IGRA",
        "tst": "ツベルクリン反応",
    },
    "exclusion_reason": {
        "two_years": "治療終了後2年経過",
        "no_followup": "経過観察不要と判断（LTBIを含む）",
        "death": "死亡",
        "transfer_out": "転出",
        "diagnosis_changed": "診断変更（結核でない）",
        "followup_ended": "経過観察終了",
        "other": "その他",
    },
    "contact_setting": {
        "household": "同居家族",
        "family": "別居家族",
        "workplace": "職場",
        "school": "学校",
        "medical": "医療機関",
        "facility": "施設",
        "aircraft": "航空機",
        "other": "その他",
    },
    "dots_type": {
        "hospital": "院内DOTS",
        "outpatient": "外来DOTS",
        "visit": "訪問DOTS",
        "contact": "連絡確認DOTS",
    },
}


# The lists of the contacts service, seeded by masters' migration 0006 in the same way: 健診の検査の種類 with the
# codes contacts' screening rules key on, and 続柄・関係 (choices offered beside free text, which stays allowed).
SEEDED_CONTACTS: dict[str, dict[str, str]] = {
    "screening_exam": {
        "igra_qft": "IGRA（QFT）",
        "igra_tspot": "IGRA（T-SPOT）",
        "tst": "ツベルクリン反応",
        "xray": "胸部X線",
        "sputum": "喀痰検査",
    },
    "contact_relation": {
        "spouse": "配偶者",
        "child": "子",
        "parent": "父母",
        "sibling": "兄弟姉妹",
        "grandparent": "祖父母",
        "grandchild": "孫",
        "relative": "その他の親族",
        "colleague": "同僚",
        "classmate": "同級生",
        "teacher": "教職員",
        "friend": "友人・知人",
        "resident": "施設の入所者",
        "staff": "施設の職員",
        "healthcare_worker": "医療従事者",
        "patient": "同室の患者",
        "other": "その他",
    },
}


# 接触者健診の終了・対象外の理由, seeded by masters' migration 0007 (the codes contacts stored before masters held
# them, so every ended contact keeps reading as before).
SEEDED_CONTACT_ENDS: dict[str, dict[str, str]] = {
    "contact_end_reason": {
        "completed": "健診終了",
        "excluded": "対象外（接触なしと判明など）",
        "transferred": "他自治体へ移管",
        "lost": "追跡不能",
        "other": "その他",
    },
}


def seeded_order(place: int) -> int:
    """The 表示順 of the seeded entry at this place of its list (10, 20, …: room to insert between)."""
    return (place + 1) * 10
