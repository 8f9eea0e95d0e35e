"""What the administration pages show besides the records: names of results, record kinds, services and problems."""

from __future__ import annotations

from typing import Any

from gateway.web.templating import jst

RESULTS = {"success": "成功", "denied": "拒否", "failure": "失敗", "error": "失敗"}
RECORD_TYPES = {  # what was touched, as staff call it; unknown kinds are shown as recorded
    "patient": "患者",
    "patient_history": "患者の修正履歴",
    "patient_record": "患者の記録（全体）",
    "treatment": "治療",
    "hospitalisation": "入院",
    "transfer": "転入・転出",
    "progress_note": "経過記録",
    "dots_assessment": "DOTSアセスメント",
    "dots_plan": "服薬支援計画",
    "dots_confirmation": "服薬確認",
    "dots_cohort_review": "コホート判定",
    "dots_setting": "DOTSの設定",
    "dots_day_sheet": "服薬確認の日報",
    "public_expense": "公費負担",
    "field_definition": "追加項目の定義",
    "patient_duplicate_check": "重複確認",
    "lab_result": "菌検査",
    "contact": "接触者",
    "document": "帳票",
    "search": "検索",
    "user": "ユーザ",
    "access_user": "ユーザの権限",
    "access_group": "グループの権限",
    "login_history": "ログイン履歴",
    "audit_log": "操作履歴",
    "disclosure": "本人開示",
    "master_record": "マスタ",
    "protected_person": "閲覧に注意を要する人",
    "access_review": "不審なアクセスの確認",
    "rights_review": "権限の見直し",
    "review_calendar": "点検の実施記録",
    "assignments": "担当の取り込み",
    "change_log": "変更管理記録",
    "help_text": "使い方・お知らせの文章",
    "snapshots:patients": "読み取りモデル用の患者の写し",
    "snapshots:lab-results": "読み取りモデル用の菌検査の写し",
    "snapshots:care-records": "読み取りモデル用の治療・公費負担・DOTSの写し",
    "snapshots:followup-exams": "読み取りモデル用の管理検診の写し",
    "snapshots:investigations": "読み取りモデル用の行動調査の写し",
    "snapshots:board-records": "読み取りモデル用の診査会の写し",
}
SERVICES = {
    "patients": "患者管理",
    "contacts": "接触者管理",
    "reports": "帳票",
    "search": "検索",
    "identity": "利用者・監査",
    "masters": "マスタ",
    "workflow": "決裁・予定",
    "gateway": "画面",
}
OPERATIONS_KINDS = {  # the operations log (N18)
    "component_down": "停止を検知",
    "component_up": "復旧を検知",
    "message_parked": "イベントの処理を保留",
    "outbox_parked": "イベントの送信を保留",
    "reconciliation_repair": "不整合の修復",
    "maintenance_start": "計画停止の開始",
    "maintenance_end": "計画停止の終了",
}
OPERATIONS_DETAILS = {
    "consumer": "処理",
    "subject": "イベント種別",
    "event_id": "イベントID",
    "deliveries": "配信回数",
    "attempts": "送信の試行回数",
    "error": "エラーの種類",
    "url": "確認先",
    "plan": "予定",
    "planned_end": "終了予定",
    "started": "開始",
}


def operations_details(details: dict[str, str]) -> list[tuple[str, str]]:
    """An operations-log entry's details as (label, value), in the order of OPERATIONS_DETAILS, others after."""
    order = list(OPERATIONS_DETAILS)
    names = sorted(details, key=lambda name: (order.index(name) if name in order else len(order), name))
    return [(OPERATIONS_DETAILS.get(name, name), _detail_value(name, str(details[name]))) for name in names]


def _detail_value(name: str, value: str) -> str:
    if name in ("planned_end", "started"):
        try:
            return jst(value)
        except ValueError:
            return value
    return value


PROBLEMS = {
    "altered": "内容の改変",
    "relinked": "差し替え・挿入",
    "missing": "削除",
    "unchained": "正規の手順によらない追加",
    "head_mismatch": "末尾の不一致",
}


def group_levels(groups: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """{group name: {area: level}} from identity's group matrices."""
    return {g["name"]: {a["area"]: a["level"] for a in g["areas"]} for g in groups}
