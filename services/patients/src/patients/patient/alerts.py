"""The open alerts (未対応の注意事項) the patient header lists (R30), derived from what the patients API returns.

Each rule names something a 保健師 acts on: a date or outcome to enter, a form to send, a period about to run
out. Inputs are the API's JSON as plain dicts, so every item may be missing, None or an ISO date string; a rule
that cannot judge stays silent rather than guessing. Thresholds cite sections (§) of the TB practice notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tbms_core.dates import add_months
from tbms_core.jp.wareki import format_wareki

DANGER, WARNING, INFO = "danger", "warning", "info"
_LEVEL_RANK = {DANGER: 0, WARNING: 1, INFO: 2}

# §5.2: a course still running 12 months after its start is judged 「12か月を超える治療」 by the cohort.
COHORT_MONTHS = 12
# §1.5: a culture is final at 6 weeks (MGIT) or 8 weeks (小川); only then can 治癒 be told from 治療完了.
OUTCOME_GRACE_DAYS = 56
# §5.2, §5.3: sputum at the end of the 2-month intensive phase shows conversion (a 3-month positive extends the
# course) and 治癒 needs tests up to month 5 and in months 6–9, so a course should not go 2 months without one.
SPUTUM_INTERVAL_MONTHS = 2
# §3.1: 37条の2 pays until 6 months after the application (the upper bound when no 有効期間 is recorded); the
# 知事 decides within 1 month of receipt, so a renewal filed 30 days ahead keeps the 患者票 unbroken.
PUBLIC_EXPENSE_MONTHS = 6
PUBLIC_EXPENSE_NOTICE_DAYS = 30
# §4: a 20条 勧告入院 for TB runs 30 days and each extension 30 more on the 協議会's opinion ([U]: confirm in
# 施行令); the 協議会 meets about twice a month, so 14 days' notice leaves one meeting to consult.
RECOMMENDED_STAY_DAYS = 30
RECOMMENDED_STAY_NOTICE_DAYS = 14
# §1.3: 仮登録 records are left out of the 月報 and 年報; settled within a month, the next 月報 counts them.
PROVISIONAL_DAYS = 30

LTBI_REGIMENS = frozenset({"6H", "9H", "4R", "6R", "3-4HR"})
PULMONARY_FORMS = frozenset({"pulmonary", "both"})
RESPIRATORY_SPECIMENS = frozenset({"", "喀痰", "胃液", "気管支洗浄液"})
OUTPATIENT_BASES = frozenset({"37-2", "37_2", "37の2"})  # 法37条の2 (一般医療)
GRANTED = frozenset({"approved", "ended"})
CARE_PATHS = ("treatments", "hospitalisations", "transfers", "notes", "public-expenses")


@dataclass(frozen=True)
class Alert:
    """One open item in the patient header: how urgent, what to do, and the page section to do it in."""

    code: str  # stable machine code, e.g. "treatment_overdue"
    level: str  # "danger", "warning" or "info"
    message: str  # one short Japanese sentence for nurses
    section: str  # anchor stem of the patient-page section, e.g. "treatments"
    due_on: date | None = None  # the date the rule counts from: the deadline the workflow's to-do carries


@dataclass(frozen=True)
class _Chart:
    """The patient's record as the rules read it: care records reduced to their data, dates still raw."""

    patient: dict[str, Any]
    lab_results: list[dict[str, Any]]
    care: dict[str, list[dict[str, Any]]]
    public_expenses_loaded: bool
    today: date
    card_notice_days: int = PUBLIC_EXPENSE_NOTICE_DAYS  # configurable (TBMS_PATIENTS_BOARD_CARD_NOTICE_DAYS)

    @property
    def treatments(self) -> list[dict[str, Any]]:
        return self.care["treatments"]

    @property
    def ongoing(self) -> list[dict[str, Any]]:
        """Courses with neither an end date nor a final outcome (12か月超 is judged while still running)."""
        return [
            c for c in self.treatments if not _day(c.get("ended_on")) and c.get("outcome") in (None, "", "ongoing_12m")
        ]


def open_alerts(
    patient: dict[str, Any],
    lab_results: list[dict[str, Any]],
    care: dict[str, list[dict[str, Any]]],
    today: date,
    card_notice_days: int = PUBLIC_EXPENSE_NOTICE_DAYS,
) -> list[Alert]:
    """The patient's open alerts, danger first, then warning, then info; none for an excluded patient."""
    patient = patient if isinstance(patient, dict) else {}
    if patient.get("status") == "excluded":
        return []
    care = care if isinstance(care, dict) else {}
    chart = _Chart(
        patient,
        [r for r in lab_results or [] if isinstance(r, dict)],
        {path: _data_of(care.get(path)) for path in CARE_PATHS},
        care.get("public-expenses") is not None,
        today,
        card_notice_days,
    )
    alerts = [alert for rule in RULES for alert in rule(chart)]
    return sorted(alerts, key=lambda alert: _LEVEL_RANK.get(alert.level, len(_LEVEL_RANK)))


def _mdr_regimen_unconfirmed(chart: _Chart) -> Iterator[Alert]:
    """MDR found (§1.5: INH and RFP resistant) but no course on an MDR regimen recorded."""
    found, collected = _mdr_evidence(chart)
    if not found or any(c.get("regimen") == "MDR" for c in chart.treatments):
        return
    when = f"（{_wareki(collected)}採取）" if collected else ""
    yield Alert(
        "mdr_regimen_unconfirmed",
        DANGER,
        f"多剤耐性（INH・RFPともに耐性）の薬剤感受性結果があります{when}。"
        "多剤耐性結核の治療になっているか主治医に確認し、治療の記録を更新してください。",
        "treatments",
        collected or _day(chart.patient.get("registered_on")),
    )


def _treatment_overdue(chart: _Chart) -> Iterator[Alert]:
    """A running course whose planned end date has passed."""
    for course in chart.ongoing:
        planned = _day(course.get("planned_end_on"))
        if planned and planned < chart.today:
            yield Alert(
                "treatment_overdue",
                WARNING,
                f"治療終了予定日（{_wareki(planned)}）を過ぎています。終了日と治療成績を入力するか、"
                "延長した場合は終了予定日を修正してください。",
                "treatments",
                planned,
            )


def _public_expense_cover(chart: _Chart) -> Iterator[Alert]:
    """37条の2 cover that has run out, or runs out soon, while the treatment goes on (no renewal pending)."""
    ongoing = chart.ongoing
    outpatient = [d for d in chart.care["public-expenses"] if str(d.get("basis") or "") in OUTPATIENT_BASES]
    if not ongoing or any(d.get("status") == "applied" for d in outpatient):
        return
    end = max((e for d in outpatient if d.get("status") in GRANTED and (e := _cover_end(d))), default=None)
    if end is None:
        return
    if end < chart.today:
        yield Alert(
            "public_expense_expired",
            WARNING,
            f"公費負担（37条の2）の有効期間が{_wareki(end)}で終わっていますが、治療が続いています。"
            "新たな申請を案内してください。",
            "public-expenses",
            end,
        )
    elif (end - chart.today).days <= chart.card_notice_days and any(_runs_past(c, end) for c in ongoing):
        yield Alert(
            "public_expense_expiring",
            WARNING,
            f"公費負担（37条の2）の有効期間が{_wareki(end)}で終わります。治療が続くため、期限までに継続の申請を案内してください。",
            "public-expenses",
            end,
        )


def _recommended_stay_expiring(chart: _Chart) -> Iterator[Alert]:
    """A 勧告入院 whose current 30-day period ends within the notice days, with no discharge recorded."""
    for stay in chart.care["hospitalisations"]:
        admitted = _day(stay.get("admitted_on"))
        if stay.get("recommended") is not True or admitted is None or _day(stay.get("discharged_on")):
            continue
        days = (chart.today - admitted).days
        if days < 0:
            continue
        period_end = admitted + timedelta(days=(days // RECOMMENDED_STAY_DAYS + 1) * RECOMMENDED_STAY_DAYS - 1)
        if (period_end - chart.today).days <= RECOMMENDED_STAY_NOTICE_DAYS:
            yield Alert(
                "recommended_stay_expiring",
                WARNING,
                f"勧告入院（{_wareki(admitted)}入院）の期間が{_wareki(period_end)}で満了します。"
                "延長が必要なら診査協議会に諮り、退院していれば退院日を入力してください。",
                "hospitalisations",
                period_end,
            )


def _sputum_test_overdue(chart: _Chart) -> Iterator[Alert]:
    """Pulmonary TB on treatment with no sputum smear or culture for more than 2 months."""
    if not _pulmonary(chart.patient):
        return
    tests = [
        collected
        for result in chart.lab_results
        if result.get("kind") in ("smear", "culture")
        and (result.get("specimen") or "") in RESPIRATORY_SPECIMENS
        and (collected := _day(result.get("collected_on")))
    ]
    for course in chart.ongoing:
        started = _day(course.get("started_on"))
        if started is None or course.get("regimen") in LTBI_REGIMENS:
            continue
        last = max((d for d in tests if d >= started), default=None)
        if chart.today <= add_months(last or started, SPUTUM_INTERVAL_MONTHS):
            continue
        since = f"最後の喀痰検査（{_wareki(last)}採取）から" if last else f"治療開始（{_wareki(started)}）から"
        yield Alert(
            "sputum_test_overdue",
            WARNING,
            f"{since}{SPUTUM_INTERVAL_MONTHS}か月以上、喀痰の塗抹・培養検査の記録がありません。"
            "主治医に菌検査の実施と結果を確認してください。",
            "lab",
            add_months(last or started, SPUTUM_INTERVAL_MONTHS),
        )


def _transfer_card_not_sent(chart: _Chart) -> Iterator[Alert]:
    """A move out with no date the 登録票 was sent (施行規則27条の8第2項: send it at once, §1.1)."""
    for move in chart.care["transfers"]:
        moved = _day(move.get("moved_on"))
        if move.get("direction") != "out" or _day(move.get("card_sent_on")) or (moved and moved > chart.today):
            continue
        when = f"（{_wareki(moved)}）" if moved else ""
        yield Alert(
            "transfer_card_not_sent",
            WARNING,
            f"転出{when}の登録票の送付日が入力されていません。転出先の保健所に通知し、登録票を送付してください。",
            "transfers",
            moved or _day(chart.patient.get("registered_on")),
        )


def _treatment_outcome_missing(chart: _Chart) -> Iterator[Alert]:
    """A course ended more than 8 weeks ago without its cohort outcome."""
    for course in chart.treatments:
        ended = _day(course.get("ended_on"))
        if ended and not course.get("outcome") and (chart.today - ended).days > OUTCOME_GRACE_DAYS:
            yield Alert(
                "treatment_outcome_missing",
                WARNING,
                f"治療は{_wareki(ended)}に終了していますが、治療成績（転帰）が入力されていません。",
                "treatments",
                ended + timedelta(days=OUTCOME_GRACE_DAYS),
            )


def _notification_date_missing(chart: _Chart) -> Iterator[Alert]:
    """A patient (or an LTBI on treatment, the only LTBI notified, §2.1) with no 発生届 date."""
    category = chart.patient.get("category")
    if category != "patient" and not (category == "ltbi" and chart.treatments):
        return
    notification = chart.patient.get("notification")
    if isinstance(notification, dict) and _day(notification.get("notified_on")):
        return
    yield Alert(
        "notification_date_missing",
        WARNING,
        "発生届の届出日が入力されていません。届出を確認して届出日を入力してください。",
        "notification",
        _day(chart.patient.get("registered_on")),
    )


def _provisional_registration_pending(chart: _Chart) -> Iterator[Alert]:
    """A 仮登録 left unsettled for more than 30 days."""
    registered = _day(chart.patient.get("registered_on"))
    if chart.patient.get("category") != "provisional" or registered is None:
        return
    if (chart.today - registered).days > PROVISIONAL_DAYS:
        yield Alert(
            "provisional_registration_pending",
            WARNING,
            f"仮登録のまま{PROVISIONAL_DAYS}日を超えています（登録日 {_wareki(registered)}）。"
            "仮登録は月報・年報に計上されないため、登録区分を確定してください。",
            "basic",
            registered + timedelta(days=PROVISIONAL_DAYS),
        )


def _treatment_beyond_12_months(chart: _Chart) -> Iterator[Alert]:
    """A course still running (and not yet overdue) more than 12 months after its start, not yet judged so."""
    for course in chart.ongoing:
        started, planned = _day(course.get("started_on")), _day(course.get("planned_end_on"))
        if started is None or course.get("outcome") == "ongoing_12m" or (planned and planned < chart.today):
            continue
        if chart.today > add_months(started, COHORT_MONTHS):
            yield Alert(
                "treatment_beyond_12_months",
                INFO,
                f"治療開始（{_wareki(started)}）から{COHORT_MONTHS}か月を超えて治療中です。"
                "延長の理由を確認し、治療成績を「12か月を超える治療」としてください。",
                "treatments",
                add_months(started, COHORT_MONTHS),
            )


def _public_expense_missing(chart: _Chart) -> Iterator[Alert]:
    """On treatment with no 公費負担 record at all (only when the records were loaded)."""
    if chart.public_expenses_loaded and chart.ongoing and not chart.care["public-expenses"]:
        started = min((d for c in chart.ongoing if (d := _day(c.get("started_on")))), default=None)
        yield Alert(
            "public_expense_missing",
            INFO,
            "治療中ですが、公費負担の記録がありません。公費負担は申請日からの適用でさかのぼれないため、申請の有無を確認してください。",
            "public-expenses",
            started,
        )


RULES: tuple[Callable[[_Chart], Iterator[Alert]], ...] = (
    _mdr_regimen_unconfirmed,
    _treatment_overdue,
    _public_expense_cover,
    _recommended_stay_expiring,
    _sputum_test_overdue,
    _transfer_card_not_sent,
    _treatment_outcome_missing,
    _notification_date_missing,
    _provisional_registration_pending,
    _treatment_beyond_12_months,
    _public_expense_missing,
)


def _mdr_evidence(chart: _Chart) -> tuple[bool, date | None]:
    """Whether any result (or record #1's DST) shows INH and RFP resistance, and the earliest such collection."""
    dates = [
        _day(r.get("collected_on"))
        for r in chart.lab_results
        if r.get("mdr") is True or (r.get("kind") == "dst" and _resistant(_dict(r.get("details")).get("results")))
    ]
    at_registration = _dict(_dict(chart.patient.get("at_registration")).get("bacteriology")).get("dst")
    known = [d for d in dates if d]
    return bool(dates) or _resistant(at_registration), min(known, default=None)


def _resistant(results: object) -> bool:
    return isinstance(results, dict) and results.get("INH") == "R" and results.get("RFP") == "R"


def _pulmonary(patient: dict[str, Any]) -> bool:
    """Pulmonary TB (alone or with extrapulmonary), by the current disease form or else record #1's."""
    if patient.get("category") in ("ltbi", "provisional"):
        return False
    form = _dict(patient.get("disease")).get("form")
    form = form or _dict(_dict(patient.get("at_registration")).get("disease")).get("form")
    return form in PULMONARY_FORMS


def _cover_end(data: dict[str, Any]) -> date | None:
    """The last day of a 37条の2 cover: its 有効期間 end, else 6 months from its start or application."""
    end = _day(data.get("valid_to"))
    start = _day(data.get("valid_from")) or _day(data.get("applied_on"))
    if end is None and start is not None:
        end = add_months(start, PUBLIC_EXPENSE_MONTHS) - timedelta(days=1)
    return end


def _runs_past(course: dict[str, Any], day: date) -> bool:
    planned = _day(course.get("planned_end_on"))
    return planned is None or planned > day


def _data_of(records: object) -> list[dict[str, Any]]:
    """The data of each care record as the API lists them; anything malformed counts as no record."""
    if not isinstance(records, list):
        return []
    return [record["data"] for record in records if isinstance(record, dict) and isinstance(record.get("data"), dict)]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _day(value: object) -> date | None:
    """A date from the API (ISO string, date or datetime); None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _wareki(day: date | None) -> str:
    return format_wareki(day) if day else ""
