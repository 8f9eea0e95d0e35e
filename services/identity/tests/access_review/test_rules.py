"""The unusual-access rules on hand-made histories: each finds its planted case and leaves a normal day alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from identity.access_review import rules
from identity.access_review.rules import JST, Access, Relations, Thresholds

LIMITS = Thresholds()
WEDNESDAY = date(2026, 6, 10)  # an ordinary working day
seq = iter(range(1, 1_000_000))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a Japanese day."""
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


def access(
    moment: datetime,
    operation: str = "read",
    person: str | None = "p1",
    user: str = "u1",
    record_type: str = "patient",
    **more,
) -> Access:
    """One row of a synthetic history."""
    return Access(next(seq), moment, user, f"name-{user}", "192.0.2.1", operation, person, record_type, **more)


# p0-p29 live in 北地区 (nurse name-u1, her teammate name-u2 on the same 担当班 through 東地区); q0-q29 in 南地区
# (name-u3); c1 is a contact of p1; r1 has a circulation acted on by u9 and a to-do of name-u8.
RELATIONS = Relations(
    nurses={**{f"p{n}": frozenset({"name-u1"}) for n in range(30)}, "c1": frozenset({"name-u1"})},
    districts={
        **{f"p{n}": frozenset({"北"}) for n in range(30)},
        **{f"q{n}": frozenset({"南"}) for n in range(30)},
        "c1": frozenset({"北"}),
        "r1": frozenset({"南"}),
    },
    participants={"r1": frozenset({"u9", "name-u8"})},
    team={
        "北": frozenset({"name-u1", "name-u2"}),
        "東": frozenset({"name-u1", "name-u2"}),
        "南": frozenset({"name-u3"}),
    },
    user_districts={
        "name-u1": frozenset({"北", "東"}),
        "name-u2": frozenset({"北", "東"}),
        "name-u3": frozenset({"南"}),
    },
)


def normal_day(day: date = WEDNESDAY, user: str = "u1", people: int = 12) -> list[Access]:
    """A nurse's ordinary day: people looked at and worked on during office hours, a search before each."""
    rows = []
    for n in range(people):
        moment = at(day, 9 + n % 8, (n * 7) % 60)
        rows += [
            access(moment, "search", None, user, query=f"試験{n}"),
            access(moment + timedelta(minutes=1), "read", f"p{n}", user),
            access(moment + timedelta(minutes=5), "update", f"p{n}", user),
        ]
    return rows


class TestANormalDay:
    @pytest.mark.req("N21", partial=True)
    def test_no_rule_flags_an_ordinary_working_day(self) -> None:
        day = normal_day()
        baseline = {"u1": {WEDNESDAY - timedelta(days=n): 12 for n in range(1, 20)}}
        assert rules.off_hours(day, LIMITS) == []
        assert rules.burst(day, baseline, LIMITS) == []
        assert rules.bulk_export(day, LIMITS) == []
        assert rules.protected_person(day, {"someone-else": "職員"}) == []
        assert rules.search_without_work(day, WEDNESDAY, LIMITS) == []
        assert rules.no_relation(day, RELATIONS, LIMITS) == []
        assert rules.outside_district(day, RELATIONS, LIMITS) == []


class TestOffHours:
    @pytest.mark.req("N21", partial=True)
    @pytest.mark.parametrize(
        ("moment", "why"),
        [
            (at(WEDNESDAY, 22, 30), "勤務時間外"),
            (at(WEDNESDAY, 7, 50), "勤務時間外"),
            (at(date(2026, 6, 13), 10), "土曜日"),
            (at(date(2026, 5, 6), 10), "憲法記念日 振替休日"),  # 5/3 is a Sunday: the Wednesday is off
            (at(date(2026, 9, 22), 10), "国民の休日"),  # between 敬老の日 and 秋分の日
            (at(date(2026, 12, 29), 10), "年末年始"),
        ],
    )
    def test_a_look_outside_office_hours_or_on_a_day_off_is_found(self, moment: datetime, why: str) -> None:
        [finding] = rules.off_hours([access(moment), access(moment + timedelta(minutes=3), "print")], LIMITS)
        assert finding.summary == f"{why}に 1人の記録を 2回閲覧・出力"
        assert (finding.user_id, finding.day) == ("u1", moment.date())

    def test_office_hours_end_is_exclusive_and_searches_alone_are_not_looks(self) -> None:
        assert rules.off_hours([access(at(WEDNESDAY, 18, 59))], LIMITS) == []
        assert len(rules.off_hours([access(at(WEDNESDAY, 19, 0))], LIMITS)) == 1
        assert rules.off_hours([access(at(WEDNESDAY, 23), "search", None)], LIMITS) == []


class TestBurst:
    @pytest.mark.req("N21", partial=True)
    def test_a_day_far_above_the_users_own_usual_day_is_found(self) -> None:
        baseline = {"u1": {WEDNESDAY - timedelta(days=n): 10 for n in range(1, 15)}}
        day = [access(at(WEDNESDAY, 10, n % 60), "read", f"p{n}") for n in range(31)]
        [finding] = rules.burst(day, baseline, LIMITS)
        assert finding.summary == "31人を閲覧(通常 10人/日)"
        assert len(finding.accesses) == 31

    def test_a_busy_user_with_a_busy_usual_day_and_a_small_burst_are_not_found(self) -> None:
        busy = {"u1": {WEDNESDAY - timedelta(days=n): 40 for n in range(1, 15)}}
        day = [access(at(WEDNESDAY, 10, n % 60), "read", f"p{n}") for n in range(100)]
        assert rules.burst(day, busy, LIMITS) == []  # 100 is not more than 3 × 40
        quiet = {"u1": {WEDNESDAY - timedelta(days=n): 1 for n in range(1, 15)}}
        assert rules.burst(day[:29], quiet, LIMITS) == []  # under the minimum of 30 people

    def test_only_the_baseline_window_counts(self) -> None:
        old_busy = {"u1": {WEDNESDAY - timedelta(days=n): 100 for n in range(29, 60)}}
        day = [access(at(WEDNESDAY, 10, n % 60), "read", f"p{n}") for n in range(35)]
        [finding] = rules.burst(day, old_busy, LIMITS)
        assert finding.summary == "35人を閲覧(比較できる記録なし)"

    def test_someone_new_is_compared_with_colleagues_on_the_same_day(self) -> None:
        new = [access(at(WEDNESDAY, 10, n % 60), "read", f"p{n}", "new") for n in range(40)]
        colleagues = [access(at(WEDNESDAY, 11), "read", f"q{n}", f"c{n % 3}") for n in range(30)]
        [finding] = rules.burst([*new, *colleagues], {"new": {WEDNESDAY - timedelta(days=1): 40}}, LIMITS)
        assert finding.summary == "40人を閲覧(本人の過去の記録が少ないため同日の他の職員の中央値 10人/日と比較)"
        busy_colleagues = [access(at(WEDNESDAY, 11), "read", f"q{n}", f"c{n % 3}") for n in range(45)]
        assert rules.burst([*new, *busy_colleagues], {}, LIMITS) == []  # 40 is not 3 × 15

    def test_an_auditor_reading_the_histories_is_not_a_burst_of_looks(self) -> None:
        reading = [access(at(WEDNESDAY, 10, n % 60), "read", f"p{n}", record_type="audit_log") for n in range(50)]
        assert rules.burst(reading, {}, LIMITS) == []


class TestBulkExport:
    @pytest.mark.req("N21", partial=True)
    def test_an_export_of_many_people_is_found_and_a_small_one_is_not(self) -> None:
        big = access(at(WEDNESDAY, 10), "export", None, detail="CSV 1,200件")
        small = access(at(WEDNESDAY, 11), "export", None, detail="CSV 499件")
        [finding] = rules.bulk_export([big, small], LIMITS)
        assert finding.summary == "patient を 1,200件出力"
        assert rules.exported_count(small) == 499


class TestProtectedPerson:
    @pytest.mark.req("N21", partial=True)
    def test_any_access_to_a_protected_person_is_found_per_user_and_day(self) -> None:
        rows = [
            access(at(WEDNESDAY, 10), "read", "staff-1", "u1"),
            access(at(WEDNESDAY, 10, 5), "update", "staff-1", "u1"),
            access(at(WEDNESDAY, 11), "read", "staff-1", "u2"),
            access(at(WEDNESDAY, 12), "read", "p9", "u2"),
        ]
        found = rules.protected_person(rows, {"staff-1": "職員"})
        assert sorted((f.user_id, f.summary) for f in found) == [
            ("u1", "指定者(職員)の記録を 2回(read・update)"),
            ("u2", "指定者(職員)の記録を 1回(read)"),
        ]


class TestSearchWithoutWork:
    @pytest.mark.req("N21", partial=True)
    def test_people_looked_up_by_name_with_no_work_afterwards_are_found(self) -> None:
        rows = []
        for n in range(10):
            moment = at(WEDNESDAY, 8 + n, 30)
            rows += [
                access(moment, "search", None, query=f"名前{n}"),
                access(moment + timedelta(minutes=2), "read", f"x{n}"),
            ]
        [finding] = rules.search_without_work(rows, WEDNESDAY, LIMITS)
        assert finding.summary == "検索して閲覧した 10人に業務の記録がない"
        assert rules.search_without_work(rows[:-2], WEDNESDAY, LIMITS) == []  # nine people: under the threshold

    def test_work_the_next_morning_clears_it_and_a_late_look_does_not_follow_from_the_search(self) -> None:
        rows = []
        for n in range(10):
            moment = at(WEDNESDAY, 8 + n, 30)
            rows += [access(moment, "search", None), access(moment + timedelta(minutes=2), "read", f"x{n}")]
        next_morning = access(at(WEDNESDAY + timedelta(days=1), 8), "update", "x0")
        assert rules.search_without_work([*rows, next_morning], WEDNESDAY, LIMITS) == []
        late = [access(at(WEDNESDAY, 9), "search", None)] + [
            access(at(WEDNESDAY, 9, 11 + n), "read", f"y{n}") for n in range(12)
        ]
        assert rules.search_without_work(late, WEDNESDAY, LIMITS) == []  # 11 minutes after the search


class TestNoRelation:
    @pytest.mark.req("N21", partial=True)
    def test_the_nurse_her_team_and_those_on_a_circulation_or_to_do_are_related_and_others_are_found(self) -> None:
        related = [
            access(at(WEDNESDAY, 9), "read", "p1", "u1"),  # the responsible nurse
            access(at(WEDNESDAY, 9, 5), "read", "p1", "u2"),  # her teammate
            access(at(WEDNESDAY, 9, 10), "print", "c1", "u2"),  # a contact of her patient
            access(at(WEDNESDAY, 9, 15), "read", "r1", "u9"),  # acted on a circulation (by user id)
            access(at(WEDNESDAY, 9, 20), "read", "r1", "u8"),  # holds a to-do (by user name)
            access(at(WEDNESDAY, 9, 25), "read", "unknown-person", "u7"),  # nobody known: not judged
            access(at(WEDNESDAY, 9, 30), "read", "p2", "u7", record_type="audit_log"),  # an auditor's reading
        ]
        assert rules.no_relation(related, RELATIONS, LIMITS) == []
        curious = [access(at(WEDNESDAY, 10), "read", "p3", "u3"), access(at(WEDNESDAY, 10, 2), "print", "p3", "u3")]
        [finding] = rules.no_relation([*related, *curious], RELATIONS, LIMITS)
        assert (finding.rule, finding.user_id, finding.person_id) == ("no_relation", "u3", "p3")
        assert finding.summary == "担当外(地区 北、担当保健師 name-u1)の人の記録を 2回閲覧・出力"

    def test_an_exempt_user_is_not_judged(self) -> None:
        looks = [access(at(WEDNESDAY, 10), "read", "p3", "u3")]
        assert rules.no_relation(looks, RELATIONS, Thresholds(unrelated_exempt_users=("name-u3",))) == []


class TestOutsideDistrict:
    @pytest.mark.req("N21", partial=True)
    def test_many_people_of_other_districts_in_a_day_are_found(self) -> None:
        looks = [access(at(WEDNESDAY, 10, n), "read", f"q{n}", "u1") for n in range(20)]
        [finding] = rules.outside_district(looks, RELATIONS, LIMITS)
        assert (finding.rule, finding.user_id, finding.summary) == (
            "outside_district",
            "u1",
            "担当地区(北・東)以外の 20人を閲覧",
        )
        assert rules.outside_district(looks[:19], RELATIONS, LIMITS) == []  # under the threshold
        assert rules.outside_district(looks[:5], RELATIONS, Thresholds(outside_district_people=5)) != []

    def test_own_district_and_users_without_a_district_are_not_found(self) -> None:
        own = [access(at(WEDNESDAY, 10, n), "read", f"p{n}", "u2") for n in range(30)]
        nobody = [access(at(WEDNESDAY, 10, n), "read", f"q{n}", "u5") for n in range(30)]
        assert rules.outside_district([*own, *nobody], RELATIONS, LIMITS) == []
