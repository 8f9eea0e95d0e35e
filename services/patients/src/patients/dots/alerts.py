"""The DOTS item of the patient's open alerts: the next 服薬確認 due under the plan in force, which becomes a
deadline in the patient's snapshot (R07, R11). A gap longer than the plan's contact interval is overdue."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.jp.wareki import format_wareki

from patients.dots.adherence import Due, next_due
from patients.dots.config import DEFAULT_INTENSITIES
from patients.dots.repository import ConfirmationRepository, PlanRepository, SettingRepository
from patients.patient.alerts import INFO, WARNING, Alert

SECTION = "dots"
# The rule behind each alert, as the to-do shows it (TB_PRACTICE §5.1: the intensity sets the contact frequency).
RULES = {
    "dots_confirmation_due": "服薬支援計画の支援強度の頻度で服薬を確認する（§5.1）",
    "dots_confirmation_overdue": "支援強度の頻度を超えて服薬確認がなければ、訪問・電話で状況を確認する（§5.1）",
}


def dots_alerts(due: Due | None, today: date) -> list[Alert]:
    """The next confirmation due (info), or overdue (warning) once its day has passed; none without a plan."""
    if due is None:
        return []
    if due.on < today:
        message = f"服薬確認が{format_wareki(due.on)}から途絶えています（{due.why}）。状況を確認してください。"
        return [Alert("dots_confirmation_overdue", WARNING, message, SECTION, due.on)]
    message = f"次の服薬確認は{format_wareki(due.on)}までに（{due.why}）"
    return [Alert("dots_confirmation_due", INFO, message, SECTION, due.on)]


async def confirmation_due(session: AsyncSession, patient_id: uuid.UUID, as_of: date) -> Due | None:
    """The next confirmation due under the plan in force on a day (None without one): the last contact plus the
    plan's interval (its own, else its intensity's)."""
    plans = await PlanRepository(session).of_patient(patient_id)
    plan = next((p for p in plans if p.starts_on <= as_of and (p.ends_on is None or p.ends_on >= as_of)), None)
    if plan is None:
        return None
    stored = (await SettingRepository(session).all()).get("intensities")
    intensities = stored.value if stored else DEFAULT_INTENSITIES
    interval = plan.interval_days or int((intensities.get(plan.intensity) or {}).get("interval_days", 1))
    last = await ConfirmationRepository(session).last_before(patient_id, as_of)
    return next_due(plan.starts_on, last, interval, f"支援強度{plan.intensity}")
