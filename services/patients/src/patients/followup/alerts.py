"""The 管理検診 items of the patient's open alerts, which become deadlines in the patient's snapshot (R11, R06):
a notice to send, an examination due or overdue, a result to enter, and the 登録除外 proposal to confirm."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tbms_core.dates import add_months
from tbms_core.jp.wareki import format_wareki

from patients.followup.models import FollowupExam, FollowupPlan
from patients.followup.rules import Profile, exam_status, exclusion_proposal, period_end
from patients.patient.alerts import INFO, WARNING, Alert

NOTICE_LEAD_MONTHS = 1
SECTION = "followup"


def followup_alerts(
    plan: FollowupPlan | None, profile: Profile | None, exams: Sequence[FollowupExam], today: date
) -> list[Alert]:
    """The open follow-up items: the next exam (notice, due or overdue), missing results and the proposal."""
    if plan is None or profile is None:
        return []
    alerts: list[Alert] = []
    live = [exam for exam in exams if not exam.cancelled]
    for exam in live:
        status = exam_status(
            cancelled=False,
            due_on=exam.due_on,
            examined_on=exam.examined_on,
            judgement=exam.judgement,
            appointment_on=exam.appointment_on,
            today=today,
        )
        when = format_wareki(exam.due_on)
        if status == "result_missing":
            alerts.append(
                Alert("followup_result_missing", WARNING, f"第{exam.seq}回管理検診の結果・判定を入力してください。",
                      SECTION, exam.examined_on)
            )  # fmt: skip
        elif status in ("overdue", "not_attended"):
            alerts.append(
                Alert("followup_exam_overdue", WARNING,
                      f"第{exam.seq}回管理検診（{when}予定）が未受診です。再通知または訪問・電話で確認してください。",
                      SECTION, exam.due_on)
            )  # fmt: skip
        elif (
            status == "scheduled"
            and exam.notice_sent_on is None
            and today >= add_months(exam.due_on, -NOTICE_LEAD_MONTHS)
        ):
            alerts.append(
                Alert("followup_notice_due", INFO, f"第{exam.seq}回管理検診（{when}予定）のお知らせを送ってください。",
                      SECTION, add_months(exam.due_on, -NOTICE_LEAD_MONTHS))
            )  # fmt: skip
    upcoming = next((e for e in live if not (e.examined_on or e.judgement) and e.due_on >= today), None)
    if upcoming and not any(a.due_on == upcoming.due_on for a in alerts):
        alerts.append(
            Alert("followup_exam_due", INFO, f"次の管理検診は第{upcoming.seq}回（{format_wareki(upcoming.due_on)}）",
                  SECTION, upcoming.due_on)
        )  # fmt: skip
    proposal = exclusion_proposal(plan.ended_on, profile, [e.judgement for e in live], today)
    if proposal and proposal.propose_exclusion:
        alerts.append(
            Alert("followup_exclusion_proposed", INFO, proposal.message, SECTION, period_end(plan.ended_on, profile))
        )
    return alerts
