"""Rules that find unusual access in the operation history (N21), as pure functions of the events.

Each rule explains itself in Japanese and takes its thresholds from `Thresholds` (settings can change
every value). A rule returns findings keyed so that analysing the same day again replaces a finding
instead of adding a second one. What a finding shows is evidence, not a verdict: an auditor decides.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tbms_core.jp.calendar import day_off_name

JST = ZoneInfo("Asia/Tokyo")
WORK = frozenset({"create", "update", "delete", "print"})  # what counts as doing something with a record
LOOKS = frozenset({"read", "print", "export", "download"})  # what counts as looking at a person
# The auditor's own reading of the histories: watched by the other rules, but not a look at a person's data.
REVIEW_RECORDS = frozenset({"audit_log", "access_review", "login_history"})
EXPORT_COUNT = re.compile(r"(\d[\d,]*)\s*件")


@dataclass(frozen=True)
class Thresholds:
    """The rules' settings, each with the default the health center starts from."""

    office_start: time = time(8, 0)
    office_end: time = time(19, 0)
    burst_minimum: int = 30  # distinct people a day below which no day is a burst
    burst_factor: float = 3.0  # … and how many times the user's own usual day it must be
    burst_baseline_days: int = 28  # the days before that make the user's usual day
    burst_history_days: int = 5  # fewer earlier days than this: compare with colleagues on the same day
    export_people: int = 500  # rows in one export that make it a bulk export
    search_window_minutes: int = 10  # a look this soon after a search follows from the search
    work_window_hours: int = 24  # … and work on the person within this long makes it work
    search_without_work_people: int = 10  # people looked up without work on one day before it is a finding
    outside_district_people: int = 20  # people outside the user's own districts looked at on one day
    # users whose work is every case (事務, 課長 …): their looks are no "no relation" finding; user names
    unrelated_exempt_users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Access:
    """One row of the operation history, as the rules read it."""

    seq: int
    occurred_at: datetime
    user_id: str
    username: str
    client_ip: str
    operation: str
    person_id: str | None
    record_type: str
    query: str | None = None
    detail: str | None = None

    @property
    def day(self) -> date:
        """The Japanese date of the access."""
        return self.occurred_at.astimezone(JST).date()

    def evidence(self) -> dict[str, str | int | None]:
        """What the reviewer sees of this access."""
        return {
            "seq": self.seq,
            "at": self.occurred_at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"),
            "operation": self.operation,
            "person_id": self.person_id,
            "record_type": self.record_type,
            "client_ip": self.client_ip,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Rule:
    """A rule's code, name and the explanation the review list shows."""

    code: str
    name: str
    explanation: str
    level: str  # 要確認 (look now) or 確認 (look when reviewing)


@dataclass
class Finding:
    """Accesses one rule found unusual, for one user (and one person where the rule is about a person)."""

    rule: str
    key: str
    user_id: str
    username: str
    day: date
    summary: str
    person_id: str | None = None
    accesses: list[Access] = field(default_factory=list)

    def evidence(self, limit: int = 200) -> list[dict[str, str | int | None]]:
        """The accesses that make the finding, at most `limit` of them (the count is in the summary)."""
        return [access.evidence() for access in self.accesses[:limit]]


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "off_hours",
            "時間外・休日の閲覧",
            "勤務時間外(既定 8:00〜19:00 以外)または土日・祝日・振替休日・年末年始に個人の記録を閲覧・出力した",
            "確認",
        ),
        Rule(
            "burst",
            "閲覧件数の急増",
            "1日に閲覧した人数が、本人の過去の通常の日(既定 28日間の中央値)の既定 3倍を超え、かつ既定 30人以上",
            "要確認",
        ),
        Rule("bulk_export", "大量出力", "1回の出力(CSV等)で既定 500件以上の個人情報を出力した", "要確認"),
        Rule(
            "protected_person",
            "要保護者・職員の記録の閲覧",
            "管理者が指定した者(職員、報道等で注目される者、保護を要する者)の記録を閲覧・変更・出力した",
            "要確認",
        ),
        Rule(
            "no_relation",
            "担当外の閲覧",
            "担当保健師でも担当地区(同じ担当班の地区を含む)の職員でもなく、回議・供覧や To-Do にも名前のない職員が、"
            "個人の記録を閲覧・出力した(担当の分からない人と、設定で除いた職員は判定しない)",
            "要確認",
        ),
        Rule(
            "outside_district",
            "担当地区外の大量閲覧",
            "担当地区を持つ職員が、1日に担当地区(同じ担当班の地区を含む)以外の人を既定 20人以上閲覧した",
            "確認",
        ),
        Rule(
            "search_without_work",
            "検索のみの閲覧",
            "検索の直後(既定 10分以内)に閲覧した人について、その後(既定 24時間以内)に入力・印刷などの業務がない。"
            "1日に既定 10人以上",
            "確認",
        ),
    )
}


def off_hours(accesses: Iterable[Access], limits: Thresholds) -> list[Finding]:
    """One finding per user and day for looks at people outside office hours or on a day off."""
    found: dict[tuple[str, date], Finding] = {}
    for access in accesses:
        if access.operation not in LOOKS or not access.person_id:
            continue
        local = access.occurred_at.astimezone(JST)
        closed = day_off_name(local.date())
        if closed is None and limits.office_start <= local.time() < limits.office_end:
            continue
        key = (access.user_id, local.date())
        if key not in found:
            why = closed or "勤務時間外"
            found[key] = Finding(
                "off_hours", f"{access.user_id}:{local.date()}", access.user_id, access.username, local.date(), why
            )
        found[key].accesses.append(access)
    for finding in found.values():
        people = len({access.person_id for access in finding.accesses})
        finding.summary = f"{finding.summary}に {people}人の記録を {len(finding.accesses)}回閲覧・出力"
    return list(found.values())


def daily_people(accesses: Iterable[Access]) -> dict[tuple[str, date], set[str]]:
    """The distinct people each user looked at on each day (reading the histories as an auditor aside)."""
    people: dict[tuple[str, date], set[str]] = defaultdict(set)
    for access in accesses:
        if access.operation in LOOKS and access.person_id and access.record_type not in REVIEW_RECORDS:
            people[(access.user_id, access.day)].add(access.person_id)
    return people


Baseline = dict[str, dict[date, int]]  # user -> day -> distinct people looked at


def burst(accesses: Sequence[Access], baseline: Baseline, limits: Thresholds) -> list[Finding]:
    """Days on which a user looked at far more people than on their own usual day.

    `baseline` holds the people counts of earlier days, user -> day -> count, for the days the user looked
    at anyone. A user with fewer than `burst_history_days` such days (someone new) is compared with the
    median of their colleagues on the same day instead."""
    daily = daily_people(accesses)
    findings = []
    for (user, day), people in daily.items():
        since = day - timedelta(days=limits.burst_baseline_days)
        earlier = [count for when, count in baseline.get(user, {}).items() if since <= when < day]
        colleagues = [len(seen) for (who, when), seen in daily.items() if who != user and when == day]
        if len(earlier) >= limits.burst_history_days:
            usual, usual_text = statistics.median(earlier), "通常 {:g}人/日"
        elif colleagues:
            usual, usual_text = (
                statistics.median(colleagues),
                "本人の過去の記録が少ないため同日の他の職員の中央値 {:g}人/日と比較",
            )
        else:
            usual, usual_text = 0, "比較できる記録なし"
        if len(people) < limits.burst_minimum or len(people) <= usual * limits.burst_factor:
            continue
        mine = [a for a in accesses if a.user_id == user and a.day == day and a.person_id in people]
        summary = f"{len(people)}人を閲覧({usual_text.format(usual)})"
        findings.append(Finding("burst", f"{user}:{day}", user, mine[0].username, day, summary, accesses=mine))
    return findings


def review_record(access: Access) -> bool:
    """True for the auditor's reading of the histories."""
    return access.record_type in REVIEW_RECORDS


def exported_count(access: Access) -> int:
    """How many rows an export says it wrote (`CSV 1,234件`), 0 when it does not say."""
    match = EXPORT_COUNT.search(access.detail or "")
    return int(match.group(1).replace(",", "")) if match else 0


def bulk_export(accesses: Iterable[Access], limits: Thresholds) -> list[Finding]:
    """Each export of at least `export_people` rows."""
    return [
        Finding(
            "bulk_export",
            f"{access.user_id}:{access.seq}",
            access.user_id,
            access.username,
            access.day,
            f"{access.record_type} を {exported_count(access):,}件出力",
            accesses=[access],
        )
        for access in accesses
        if access.operation in {"export", "download"} and exported_count(access) >= limits.export_people
    ]


def protected_person(accesses: Iterable[Access], protected: dict[str, str]) -> list[Finding]:
    """Every user's accesses to each protected person, one finding per user, person and day."""
    found: dict[tuple[str, str, date], Finding] = {}
    for access in accesses:
        if not access.person_id or access.person_id not in protected or access.operation == "search":
            continue
        key = (access.user_id, access.person_id, access.day)
        if key not in found:
            found[key] = Finding(
                "protected_person",
                f"{access.user_id}:{access.person_id}:{access.day}",
                access.user_id,
                access.username,
                access.day,
                f"指定者({protected[access.person_id]})の記録",
                person_id=access.person_id,
            )
        found[key].accesses.append(access)
    for finding in found.values():
        operations = "・".join(sorted({access.operation for access in finding.accesses}))
        finding.summary = f"{finding.summary}を {len(finding.accesses)}回({operations})"
    return list(found.values())


def search_without_work(accesses: Sequence[Access], day: date, limits: Thresholds) -> list[Finding]:
    """People a user found by a search on `day` and looked at, with no work on them afterwards.

    `accesses` are in time order and run past `day` by at least the work window, so that work done the
    next morning counts."""
    window = timedelta(minutes=limits.search_window_minutes)
    work_window = timedelta(hours=limits.work_window_hours)
    last_search: dict[str, datetime] = {}
    looked: dict[tuple[str, str], Access] = {}
    worked: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for access in accesses:
        if access.operation == "search":
            last_search[access.user_id] = access.occurred_at
        elif access.person_id and access.operation in WORK:
            worked[(access.user_id, access.person_id)].append(access.occurred_at)
        elif access.person_id and access.operation == "read" and access.day == day and not review_record(access):
            searched = last_search.get(access.user_id)
            pair = (access.user_id, access.person_id)
            if searched and access.occurred_at - searched <= window and pair not in looked:
                looked[pair] = access
    per_user: dict[str, list[Access]] = defaultdict(list)
    for pair, access in looked.items():
        if not any(access.occurred_at <= when <= access.occurred_at + work_window for when in worked[pair]):
            per_user[access.user_id].append(access)
    return [
        Finding(
            "search_without_work",
            f"{user}:{day}",
            user,
            found[0].username,
            day,
            f"検索して閲覧した {len(found)}人に業務の記録がない",
            accesses=found,
        )
        for user, found in per_user.items()
        if len(found) >= limits.search_without_work_people
    ]


@dataclass(frozen=True)
class Relations:
    """Who is related to each person, from the assignments read model (the owning services' events)."""

    nurses: dict[str, frozenset[str]] = field(default_factory=dict)  # person -> 担当保健師 user names
    districts: dict[str, frozenset[str]] = field(default_factory=dict)  # person -> districts (a contact: its index's)
    participants: dict[str, frozenset[str]] = field(default_factory=dict)  # person -> user ids/names on 回議・To-Do
    team: dict[str, frozenset[str]] = field(default_factory=dict)  # district -> user names of its team's staff
    user_districts: dict[str, frozenset[str]] = field(default_factory=dict)  # user name -> districts of their team

    def known(self, person: str) -> bool:
        """True when the read model knows who is responsible for the person."""
        return bool(self.nurses.get(person) or self.districts.get(person))

    def related(self, access: Access) -> bool:
        """True when the user is the person's nurse, on the team of the person's district, or on a circulation
        or to-do of the person."""
        person = access.person_id or ""
        if access.username in self.nurses.get(person, ()):
            return True
        if any(access.username in self.team.get(d, ()) for d in self.districts.get(person, ())):
            return True
        named = self.participants.get(person, frozenset())
        return access.user_id in named or access.username in named


def person_looks(accesses: Iterable[Access]) -> Iterable[Access]:
    """Looks at a person's own record (the auditor's reading of the histories aside)."""
    return (a for a in accesses if a.operation in LOOKS and a.person_id and not review_record(a))


def no_relation(accesses: Iterable[Access], relations: Relations, limits: Thresholds) -> list[Finding]:
    """A user's looks at a person they have no relation to, one finding per user, person and day."""
    found: dict[tuple[str, str, date], Finding] = {}
    exempt = set(limits.unrelated_exempt_users)
    for access in person_looks(accesses):
        person = access.person_id or ""
        if access.username in exempt or not relations.known(person) or relations.related(access):
            continue
        key = (access.user_id, person, access.day)
        if key not in found:
            found[key] = Finding(
                "no_relation",
                f"{access.user_id}:{person}:{access.day}",
                access.user_id,
                access.username,
                access.day,
                "",
                person_id=person,
            )
        found[key].accesses.append(access)
    for finding in found.values():
        districts = "・".join(sorted(relations.districts.get(finding.person_id or "", ()))) or "不明"
        nurses = "・".join(sorted(relations.nurses.get(finding.person_id or "", ()))) or "未設定"
        finding.summary = (
            f"担当外(地区 {districts}、担当保健師 {nurses})の人の記録を {len(finding.accesses)}回閲覧・出力"
        )
    return list(found.values())


def outside_district(accesses: Iterable[Access], relations: Relations, limits: Thresholds) -> list[Finding]:
    """Days on which a user with districts looked at many people of other districts."""
    outside: dict[tuple[str, date], dict[str, Access]] = defaultdict(dict)
    for access in person_looks(accesses):
        own = relations.user_districts.get(access.username)
        theirs = relations.districts.get(access.person_id or "")
        if own and theirs and not own & theirs:
            outside[(access.user_id, access.day)].setdefault(access.person_id or "", access)
    findings = []
    for (user, day), people in outside.items():
        if len(people) < limits.outside_district_people:
            continue
        first = next(iter(people.values()))
        own = "・".join(sorted(relations.user_districts[first.username]))
        summary = f"担当地区({own})以外の {len(people)}人を閲覧"
        findings.append(
            Finding(
                "outside_district", f"{user}:{day}", user, first.username, day, summary, accesses=list(people.values())
            )
        )
    return findings
