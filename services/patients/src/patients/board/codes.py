"""Code lists of the 診査会: kinds of case, decisions, 勧告 articles, delivery and end reasons."""

from __future__ import annotations

# kind → (label, 公費 basis or "", needs the board's opinion)
CASE_KINDS: dict[str, tuple[str, str, bool]] = {
    "37-2_new": ("37条の2 新規申請", "37-2", True),
    "37-2_continuation": ("37条の2 継続申請（患者票の有効期間内）", "37-2", True),
    "37-2_change": ("37条の2 治療内容の変更（新規申請）", "37-2", True),
    "record_change": ("記載事項変更届（氏名・住所・保険・医療機関）", "37-2", False),
    "37_admission": ("37条 勧告入院の公費負担", "37", True),
    "art20": ("20条 入院勧告", "", True),
    "art20_extension": ("20条 入院勧告の延長", "", True),
    "art18": ("18条 就業制限", "", True),
    "art19_report": ("19条 応急入院の報告", "", False),
}
KIND_LABELS = {kind: label for kind, (label, _, _) in CASE_KINDS.items()}
COVER_KINDS = frozenset(k for k, (_, basis, board) in CASE_KINDS.items() if basis and board)

DECISIONS = {
    "approved": "承認",
    "conditional": "条件付き承認",
    "deferred": "保留（次回に継続審議）",
    "refused": "不承認",
}
DECISION_LABELS = {**DECISIONS, "": "未決定", "withdrawn": "取消・取下げ", "received": "受理"}
# cases only recorded, without the board: closed by their receipt (受理); a 記載事項変更届 also changes the 患者票
RECEIVED_KINDS = frozenset({"record_change", "art19_report"})
# the items of a 記載事項変更届 the 患者票 carries (the patient's name and address print from the patient's record)
CARD_ITEMS = {"institution": "指定医療機関", "pharmacy": "指定薬局"}
GRANTING = frozenset({"approved", "conditional"})

SESSION_STATUSES = {"planned": "開催予定", "held": "開催済み", "closed": "議事録確定"}

ARTICLES = {
    "18": "18条 就業制限",
    "19": "19条 入院勧告（応急）",
    "20": "20条 入院勧告",
    "20_extension": "20条 入院勧告の延長",
}
DELIVERIES = {"hand": "手渡し", "mail": "郵送"}
END_REASONS = {
    "criteria_met": "退院基準・就業制限解除の基準を満たした",
    "period_ended": "期間満了",
    "transferred": "転出・他の勧告へ移行",
    "other": "その他",
}
CARD_STATUSES = {"issued": "交付済み", "returned": "返還済み", "void": "無効（決定取消）"}
# 施行規則11条: TB's restricted work, printed on the 18条 notice
RESTRICTED_WORK = "接客業その他の多数の者に接触する業務"
