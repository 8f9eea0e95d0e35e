"""Labels and formats every form shares: 登録区分, 性別, card codes, 和暦 dates, ages, check boxes, clipped text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from tbms_core.jp.wareki import format_both, format_wareki

JST = timezone(timedelta(hours=9), "JST")  # Japan keeps no daylight saving time

CATEGORY_LABELS = {
    "patient": "患者",
    "recovered": "回復者",
    "ltbi": "潜在性結核感染症",
    "provisional": "仮登録",
}
SEX_LABELS = {"male": "男", "female": "女"}

# Code lists of the registration card, as the patients service labels them (GET /reference/card). Copied, not
# fetched: a form is rendered from the read model alone. Only the lists forms print; care records carry their own
# labels (regimen, outcome, note kind) in CareRecordSaved.
OCCUPATION_LABELS = {
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
}
DISEASE_FORM_LABELS = {
    "pulmonary": "肺結核",
    "extrapulmonary": "肺外結核",
    "both": "肺結核および肺外結核",
    "ltbi": "潜在性結核感染症",
}
EXTRAPULMONARY_SITE_LABELS = {
    "pleura": "胸膜（胸膜炎）",
    "lymph_node": "リンパ節",
    "larynx": "喉頭",
    "bone_joint": "骨・関節（脊椎含む）",
    "meninges": "髄膜",
    "miliary": "粟粒",
    "intestine": "腸",
    "peritoneum": "腹膜",
    "urogenital": "泌尿生殖器",
    "skin": "皮膚",
    "eye": "眼",
    "pericardium": "心膜",
    "other": "その他",
}
ADULT_AGE = 18  # 民法4条 (since 2022-04-01): a 保護者 is printed for younger registrants
ELLIPSIS = "…"


@dataclass(frozen=True)
class Choice:
    """One printed check box: ■ when chosen, □ otherwise."""

    label: str
    checked: bool

    @property
    def mark(self) -> str:
        """The box as printed."""
        return "■" if self.checked else "□"


def choices(labels: dict[str, str], value: str) -> list[Choice]:
    """Every option of a coded field, with the stored one checked."""
    return [Choice(label, code == value) for code, label in labels.items()]


def age_on(birth_date: date, day: date) -> int:
    """Full years of age (満年齢) on a day."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def wareki_both(day: date | None) -> str:
    """昭和45年3月1日（1970年3月1日）, or blank for a date not recorded."""
    return format_both(day) if day else ""


def wareki(day: date | None) -> str:
    """令和8年4月8日 alone, for narrow table cells; blank for a date not recorded."""
    return format_wareki(day) if day else ""


def iso_date(value: object) -> date | None:
    """A date the events carry as JSON (2026-04-08), or None when absent or unreadable."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def text_width(text: str) -> int:
    """Printed width in half-width units: kanji and kana count 2, Latin letters and digits 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """One line of text made to fit a width (half-width units): whitespace folded, cut with … when too long."""
    folded = " ".join(text.split())
    if text_width(folded) <= width:
        return folded
    kept, used = [], text_width(ELLIPSIS)
    for ch in folded:
        used += text_width(ch)
        if used > width:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + ELLIPSIS


def printed_at_label(moment: datetime) -> str:
    """出力日時 in Japan time: 令和8年11月21日 14時05分."""
    local = moment.astimezone(JST)
    return f"{format_wareki(local.date())} {local.hour}時{local.minute:02d}分"
