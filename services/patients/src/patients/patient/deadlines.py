"""The patient's open alerts as deadlines (R11): what the workflow service keeps as to-dos, one per key.

Published in every PatientRegistered / PatientUpdated snapshot. A key names the patient, the rule and the
n-th alert of that rule, so a deadline whose date moves keeps its key (and its to-do).
"""

from __future__ import annotations

from tbms_contracts.deadlines import Deadline, DeadlineRecord

from patients.dots.alerts import RULES as DOTS_RULES
from patients.patient.alerts import Alert
from patients.patient.models import Patient

# The rule behind each alert code, as a to-do shows why it is due (sections of the TB practice notes).
RULES = {
    "mdr_regimen_unconfirmed": "多剤耐性の薬剤感受性結果があれば多剤耐性結核の治療を確認する（§1.5）",
    "treatment_overdue": "治療終了予定日を過ぎたら終了日と治療成績を入力する",
    "public_expense_expired": "公費負担（37条の2）の有効期間が切れて治療が続くなら新たな申請を案内する（§3.1）",
    "public_expense_expiring": "公費負担（37条の2）の有効期間の30日前までに継続の申請を案内する（§3.1）",
    "recommended_stay_expiring": "勧告入院の期間（30日）の満了前に延長を診査協議会に諮る（§4）",
    "sputum_test_overdue": "肺結核の治療中は2か月以内ごとに喀痰の塗抹・培養検査を行う（§5.2, §5.3）",
    "transfer_card_not_sent": "転出したら登録票を直ちに転出先の保健所へ送付する（施行規則27条の8第2項）",
    "treatment_outcome_missing": "治療終了から8週以内に治療成績（転帰）を入力する（§1.5）",
    "notification_date_missing": "発生届の届出日を入力する（§2.1）",
    "provisional_registration_pending": "仮登録は30日以内に登録区分を確定する（§1.3）",
    "treatment_beyond_12_months": "治療開始から12か月を超えたら延長の理由を確認する（§5.2）",
    "public_expense_missing": "治療中は公費負担の申請の有無を確認する（申請日からの適用）",
    "followup_notice_due": "管理検診の予定日の1か月前にお知らせ（F29）を送付する（§7）",
    "followup_exam_due": "治療終了後の管理検診を計画どおり行う（§7・保健所の設定）",
    "followup_exam_overdue": "未受診の管理検診は再通知し、家庭訪問か電話で状況を確認する（§7）",
    "followup_result_missing": "管理検診の結果（胸部X線・喀痰）と判定を入力する（§7）",
    "followup_exclusion_proposed": "経過観察期間が所見なく終わったら登録除外（経過観察終了）を確認する（§1.2）",
} | DOTS_RULES


def deadlines_of(patient: Patient, alerts: list[Alert]) -> list[Deadline]:
    """One deadline per alert with a date: for the patient's nurse and district, keyed by rule and ordinal."""
    record = DeadlineRecord(
        service="patients",
        aggregate="patient",
        id=str(patient.id),
        label=f"{patient.registration_no} {patient.name}",
    )
    seen: dict[str, int] = {}
    deadlines = []
    for alert in alerts:
        if alert.due_on is None:
            continue
        seen[alert.code] = seen.get(alert.code, 0) + 1
        deadlines.append(
            Deadline(
                key=f"patients:patient:{patient.id}:{alert.code}:{seen[alert.code]}",
                kind=alert.code,
                rule=RULES.get(alert.code, ""),
                what=alert.message,
                due_on=alert.due_on,
                severity=alert.level,  # type: ignore[arg-type]
                nurse=patient.nurse,
                team=patient.district,
                record=record,
            )
        )
    return deadlines
