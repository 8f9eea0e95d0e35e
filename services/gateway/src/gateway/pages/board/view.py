"""What the 診査会 pages show and send: labels, the parsed entries of their forms, the next case on the agenda."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from tbms_core.jp.wareki import WarekiError, parse_date

JST = timezone(timedelta(hours=9))
KINDS = {
    "37-2_new": "37条の2 新規申請",
    "37-2_continuation": "37条の2 継続申請（患者票の有効期間内）",
    "37-2_change": "37条の2 治療内容の変更（新規申請）",
    "record_change": "記載事項変更届（診査不要）",
    "37_admission": "37条 勧告入院の公費負担",
    "art20": "20条 入院勧告",
    "art20_extension": "20条 入院勧告の延長",
    "art18": "18条 就業制限",
    "art19_report": "19条 応急入院の報告（診査不要）",
}
DECISIONS = {
    "approved": "承認",
    "conditional": "条件付き承認",
    "deferred": "保留（次回に継続審議）",
    "refused": "不承認",
}
SESSION_STATUSES = {"planned": "開催予定", "held": "開催済み", "closed": "議事録確定"}
CASE_TEXTS = (
    "summary",
    "bacteriology",
    "xray",
    "gakkai",
    "treatment_plan",
    "certificate_doctor",
    "institution",
    "pharmacy",
)
# 健感発第0907001号 (TB_PRACTICE §4): shown beside a 20条 decision; the members judge, nothing is decided here
ADMISSION_CRITERIA = (
    "喀痰塗抹陽性",
    "塗抹陰性でも培養・核酸増幅法が陽性で、入院を要する呼吸器症状、外来中の排菌量増加、"
    "不規則治療・中断後の再発のいずれかがある",
)
DISCHARGE_CRITERIA = (
    "症状が消失し、異なる日の喀痰培養が連続3回陰性（3回目は核酸増幅法でも可）",
    "2週間以上の標準治療で臨床症状が改善し、その後の異なる日の塗抹または培養が連続3回陰性で、"
    "服薬継続と感染対策を理解している",
)


def entry_date(value: str, errors: dict[str, str], key: str) -> str | None:
    """A typed 和暦 or 西暦 date as ISO, or parse_date's message under its key: the words static/checks.js says of
    the same input before sending (N27), as the gateway's generated forms do (Field.problem)."""
    typed = value.strip()
    if not typed:
        return None
    try:
        return parse_date(typed).isoformat()
    except WarekiError as exc:
        errors[key] = str(exc)
        return None


def held_at(day: str, time: str, errors: dict[str, str]) -> str | None:
    """The session's date and time as an aware ISO moment in Japan time."""
    on = entry_date(day, errors, "day")
    if on is None:
        errors.setdefault("day", "開催日を入力してください。")
        return None
    try:
        moment = datetime.strptime(f"{on} {time.strip() or '14:00'}", "%Y-%m-%d %H:%M")
    except ValueError:
        errors["time"] = "開始時刻は 14:00 のように入力してください。"
        return None
    return moment.isoformat() + "+09:00"


def next_case_id(cases: list[dict[str, Any]], after: str) -> str:
    """The next undecided case after one on the agenda (the decision form the keyboard goes to), or ""."""
    ids = [c["id"] for c in cases]
    start = ids.index(after) + 1 if after in ids else 0
    for case in cases[start:] + cases[:start]:
        if case["id"] != after and case["data"]["decision"] in ("", "deferred"):
            return str(case["id"])
    return ""


def latest_results(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The patient's latest smear, culture and NAA results, for the criteria shown beside a 20条 decision."""
    items = record.get("lab_results") or []
    return sorted(items, key=lambda r: str(r.get("collected_on") or ""), reverse=True)[:6]


def days_left_text(days: int | None) -> str:
    """「あと5日」, 「本日」 or 「3日超過」."""
    if days is None:
        return ""
    if days > 0:
        return f"あと{days}日"
    return "本日" if days == 0 else f"{-days}日超過"


def parse_iso(value: str | None) -> date | None:
    """An ISO date from the API, or None."""
    return date.fromisoformat(value[:10]) if value else None


def session_day(held_at: str) -> str:
    """The day a session meets, in Japan time, as ISO."""
    moment = datetime.fromisoformat(held_at)
    return moment.astimezone(JST).date().isoformat() if moment.tzinfo else moment.date().isoformat()


BOARD_FORMS = {
    "F16": "諮問書", "F17": "委員用資料", "F28": "諮問書（委員用）", "F09": "協議会結果（病院あて）",
    "F13": "決定通知書", "F15": "患者票", "F10": "就業制限通知書（18条）", "F11": "入院勧告書（19条）",
    "F12": "入院勧告書（20条）", "F14": "あて名ラベル",
}  # fmt: skip
PRINT_SETS = {
    "F16,F17,F28,F09,F13,F15,F10,F11,F12": "全部の書類",
    "F16": "諮問書（F16）",
    "F17,F28": "委員に配る資料（F17・F28、氏名・住所なし）",
    "F09,F13": "決定の通知（F09・F13）",
    "F15": "患者票（F15）",
    "F10,F11,F12": "勧告書・通知書（F10・F11・F12）",
    "F14": "あて名ラベル（F14、患者と医療機関、A4ラベル用紙）",
}


def printable(forms: str) -> str:
    """The chosen form ids that are 診査会 forms, all of them when none is chosen."""
    chosen = [f for f in forms.upper().split(",") if f in BOARD_FORMS]
    return ",".join(chosen) or ",".join(BOARD_FORMS)


def inline(filename: str) -> str:
    """Content-Disposition inline with an ASCII fallback and the real name RFC 5987-encoded."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


ARTICLES = {
    "18": "18条 就業制限",
    "19": "19条 入院勧告（応急、72時間以内）",
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
MEASURE_DATES = ("issued_on", "starts_on", "delivered_on", "ended_on")


def measure_body(typed: dict[str, str], errors: dict[str, str], *, new: bool) -> dict[str, Any]:
    """A 勧告 form's entries as the API takes them; a typed date that cannot be read is a message."""
    body: dict[str, Any] = {}
    for key in MEASURE_DATES:
        if key in typed and (on := entry_date(typed[key], errors, key)):
            body[key] = on
    for key in ("hospital", "restricted_work", "statement", "end_note", "delivery", "end_reason"):
        if typed.get(key):
            body[key] = typed[key]
    if new:
        body["article"] = typed.get("article", "")
        if typed.get("case_id"):
            body["case_id"] = typed["case_id"]
        first_day = body.get("starts_on") or body.get("issued_on")
        if typed.get("article") == "19" and first_day:
            time = typed.get("starts_time", "").strip() or "00:00"
            if not re.fullmatch(r"\d{1,2}:\d{2}", time):
                errors["starts_time"] = "開始時刻は 15:00 のように入力してください。"
            body["starts_at"] = f"{first_day}T{time.zfill(5)}:00+09:00"
    return body
