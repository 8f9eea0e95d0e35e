"""How the history shows fields and values: Japanese labels, dates as 和暦（西暦）."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tbms_core.jp.wareki import WarekiError, format_both

FIELD_LABELS = {
    "name": "氏名",
    "name_kana": "カナ",
    "sex": "性別",
    "birth_date": "生年月日",
    "category": "登録区分",
    "registered_on": "登録年月日",
    "postal_code": "郵便番号",
    "address": "住所",
    "phone": "電話番号",
    "district": "地区",
    "nurse": "担当保健師",
    "specimen": "検体",
    "collected_on": "採取日",
    "result_on": "結果日",
    "laboratory": "検査機関",
    "kind": "検査種別",
    "mdr": "多剤耐性（MDR）",
    "details.grade": "塗抹（判定）",
    "details.gaffky": "塗抹（ガフキー号数）",
    "details.medium": "培養（培地）",
    "details.result": "結果",
    "details.colony_grade": "培養（菌量）",
    "details.method": "方法",
    "details.organism": "同定",
    "details.species": "菌種",
    "details.test": "IGRA（検査）",
    "details.value": "測定値",
    "details.judgement": "判定",
    "details.induration_mm": "硬結（mm）",
    "details.erythema_mm": "発赤（mm）",
}
VALUE_LABELS = {
    "sex": {"male": "男性", "female": "女性"},
    "category": {"patient": "患者", "recovered": "回復者", "ltbi": "LTBI", "provisional": "仮登録"},
}
RECORD_LABELS = {"patient": "基本情報", "lab_result": "菌検査"}
EMPTY = "（空欄）"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_label(field: str) -> str:
    """The Japanese name of a changed field (感受性（INH） for a drug of a DST)."""
    if field.startswith("details.results."):
        return f"感受性（{field.rsplit('.', 1)[1]}）"
    return FIELD_LABELS.get(field, field)


def format_value(field: str, value: Any) -> str:
    """A stored value as staff read it: labels for codes, 和暦（西暦） for dates, （空欄） when empty."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "該当" if value else "非該当"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return format_both(date.fromisoformat(value))
        except (ValueError, WarekiError):
            return value
    return VALUE_LABELS.get(field, {}).get(str(value), str(value))
