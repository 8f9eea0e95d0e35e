"""The items of the 行動調査票 (F08, 第2版) with their shipped default; a health center adds its own items in the
settings (`TBMS_PATIENTS_INVESTIGATION_EXTRA_ITEMS`, JSON {"key": "label"}), kept in `extra` (R33).

TB_PRACTICE §8 marks the item list [U]: no national standard form was found; this default follows it.
"""

from __future__ import annotations

SYMPTOMS = {
    "cough": "咳",
    "sputum": "痰",
    "fever": "発熱",
    "hemoptysis": "血痰・喀血",
    "chest_pain": "胸痛",
    "weight_loss": "体重減少",
    "night_sweat": "寝汗",
    "fatigue": "倦怠感",
    "other": "その他",
}
SETTING_KINDS = {"work": "職場", "school": "学校・学級", "facility": "施設（通所・入所）"}
PLACE_KINDS = {"facility": "施設", "club": "サークル・クラブ", "transport": "交通機関", "other": "その他"}
VENTILATION = {"good": "良好", "poor": "不良（換気の悪い部屋）", "unknown": "不明"}
BCG = {"yes": "接種あり", "no": "接種なし", "unknown": "不明"}
SECTIONS = {
    "symptoms": "症状と出現日",
    "visits": "受診歴（受診日・医療機関・内容）",
    "diagnosis": "診断・発見の経緯",
    "household": "同居者",
    "settings": "職場・学校（時間・部屋・換気）",
    "places": "定期的に行く場所（施設・サークル・交通機関）",
    "travel": "旅行歴",
    "background": "出生国・入国年・既往歴・接触歴・BCG・合併症",
}
