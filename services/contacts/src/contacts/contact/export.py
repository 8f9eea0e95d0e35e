"""The screening list as CSV for Excel (UTF-8 with BOM, Japanese header), one row per contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tbms_core.dates import age_on

from contacts.contact.schemas import ContactRead, Outcome

NARROW_BY = "期限・地区・接触の場・優先度・状態"
SEX = {"male": "男", "female": "女"}
OUTCOMES = {
    Outcome.NO_DISEASE: "異常なし（終了）",
    Outcome.OBSERVATION: "要経過観察",
    Outcome.LTBI_TREATMENT: "LTBI（治療）",
    Outcome.LTBI_OBSERVATION: "LTBI（経過観察）",
    Outcome.DISEASE: "発病",
    Outcome.PENDING: "判定保留",
    Outcome.NOT_EXAMINED: "未受診",
    Outcome.LOST: "追跡不能",
}
EXPORT_HEADER = (
    "氏名",
    "カナ",
    "性別",
    "生年月日",
    "年齢",
    "電話番号",
    "住所",
    "学校・勤務先",
    "発端患者",
    "接触の場",
    "最終接触日",
    "優先度",
    "次の検査",
    "次の予定日",
    "期限超過",
    "検査結果",
    "転帰",
    "状態",
    "登録日",
)


@dataclass(frozen=True)
class CsvExport:
    """A file to download: its Japanese name, header and rows, and the 外字 master's substitutes in force."""

    filename: str
    header: list[str]
    rows: list[list[object]]
    substitutes: dict[str, str] = field(default_factory=dict)  # {外字: 代替文字} a CP932 file writes (N26)


def export_row(contact: ContactRead, today: date) -> list[object]:
    """One contact as a CSV row; several exposures are joined with 「、」."""
    due = contact.next_due
    lasts = [e.last_contact_on for e in contact.exposures if e.last_contact_on]
    done = [e for e in contact.exams if e.status == "done"]
    reason = contact.end_reason_label
    state = "経過観察中" if contact.status == "active" else f"終了（{reason}）" if reason else "終了"
    return [
        contact.name,
        contact.name_kana,
        SEX.get(contact.sex, ""),
        contact.birth_date,
        age_on(contact.birth_date, today) if contact.birth_date else "",
        contact.phone,
        contact.address,
        contact.affiliation,
        "、".join(e.index_patient_name for e in contact.exposures),
        "、".join(e.setting_label or e.setting for e in contact.exposures),
        max(lasts) if lasts else "",
        contact.priority.label,
        due.label if due else "",
        due.due_on if due else "",
        "期限超過" if due and due.status == "overdue" else "",
        "、".join(f"{e.kind_label} {e.result_label}".strip() for e in done),
        OUTCOMES.get(contact.outcome, ""),  # type: ignore[call-overload]
        state,
        contact.found_on,
    ]
