"""The 接触者健診 rules with cases from TB_PRACTICE §6: exposure class, priority, IGRA/TST timing, X-ray table."""

import uuid
from dataclasses import replace
from datetime import date

import pytest
from contacts.contact import rules
from contacts.contact.rules import Exposure, Person, ScreeningRules
from contacts.contact.view import plan_status
from contacts.exam.models import Exam

RULES = ScreeningRules()
ADULT = Person(birth_date=date(1980, 5, 10))
FOUND = date(2026, 4, 1)


def dues(person: Person, *exposures: Exposure, found_on: date = FOUND, **kw: object) -> list[tuple[str, str, date]]:
    """The plan as (kind, step, day)."""
    return [(d.kind, d.step, d.on) for d in rules.plan(person, exposures, RULES, found_on=found_on, **kw)]  # type: ignore[arg-type]


class TestExposureClass:
    """ハイリスク / 濃厚 / 非濃厚."""

    def test_eight_hours_on_an_aircraft_is_close_contact(self) -> None:
        flight = Exposure("aircraft", date(2026, 3, 20), hours=8)
        judged = rules.exposure_class(ADULT, flight, FOUND, RULES)
        assert judged.value == "close" and "8時間" in judged.why

    def test_a_shorter_flight_is_not_close_contact(self) -> None:
        flight = Exposure("aircraft", date(2026, 3, 20), hours=5.5)
        assert rules.exposure_class(ADULT, flight, FOUND, RULES).value == "other"

    def test_a_short_stay_in_a_poorly_ventilated_closed_room_is_close_contact(self) -> None:
        room = Exposure("workplace", date(2026, 3, 20), hours=1, closed_room=True, poor_ventilation=True)
        assert rules.exposure_class(ADULT, room, FOUND, RULES).value == "close"

    def test_an_immunosuppressed_contact_is_high_risk_whatever_the_setting(self) -> None:
        person = Person(birth_date=date(1960, 1, 1), risk_factors=frozenset({"immunosuppressed"}))
        judged = rules.exposure_class(person, Exposure("school", date(2026, 3, 20), hours=1), FOUND, RULES)
        assert judged.value == "high_risk" and "免疫抑制" in judged.why

    def test_a_preschool_child_is_counted_as_an_infant_from_the_birth_date(self) -> None:
        child = Person(birth_date=date(2022, 6, 1))
        assert rules.exposure_class(child, Exposure("other", None), FOUND, RULES).value == "high_risk"


class TestPriority:
    """Index infectiousness × exposure class (table unconfirmed: the basis says so)."""

    @pytest.mark.req("R12", partial=True)
    @pytest.mark.parametrize(
        ("infectiousness", "setting", "expected"),
        [
            ("high", "household", "top"),
            ("high", "other", "high"),
            ("low", "household", "high"),
            ("low", "other", "low"),
            ("none", "household", "low"),
            ("unknown", "household", "top"),  # not yet assessed: treated as highly infectious
        ],
    )
    def test_priority_follows_infectiousness_and_exposure(
        self, infectiousness: str, setting: str, expected: str
    ) -> None:
        exposure = Exposure(setting, date(2026, 3, 20), infectiousness=infectiousness)
        judged = rules.priority(ADULT, exposure, FOUND, RULES)
        assert judged.value == expected
        assert "未確認" in judged.basis

    def test_the_most_urgent_exposure_decides(self) -> None:
        low = rules.priority(ADULT, Exposure("other", None, infectiousness="low"), FOUND, RULES)
        top = rules.priority(ADULT, Exposure("household", None, infectiousness="high"), FOUND, RULES)
        assert rules.highest_priority([low, top]) == top


class TestInfectionTest:
    """IGRA ≥8 weeks after the last contact; baseline at once for high-risk; TST below the set age."""

    @pytest.mark.req("R13", partial=True)
    def test_igra_is_due_eight_weeks_after_the_last_contact(self) -> None:
        plan = rules.plan(
            ADULT, [Exposure("workplace", date(2026, 3, 10), infectiousness="low")], RULES, found_on=FOUND
        )
        igra = [d for d in plan if d.kind == "igra"]
        assert [(d.step, d.on) for d in igra] == [("after_window", date(2026, 5, 5))]
        assert "令和8年3月10日" in igra[0].why and "8週" in igra[0].why

    def test_a_contact_found_after_the_window_is_tested_at_once(self) -> None:
        assert ("igra", "after_window", FOUND) in dues(ADULT, Exposure("workplace", date(2026, 1, 5)))

    @pytest.mark.req("R13", partial=True)
    def test_a_high_risk_contact_gets_a_baseline_at_once_and_a_repeat_after_eight_weeks(self) -> None:
        person = Person(birth_date=date(1950, 1, 1), risk_factors=frozenset({"hiv"}))
        plan = dues(person, Exposure("facility", date(2026, 3, 25)))
        assert ("igra", "baseline", FOUND) in plan and ("igra", "after_window", date(2026, 5, 20)) in plan

    def test_a_close_contact_of_a_highly_infectious_index_gets_a_baseline(self) -> None:
        plan = dues(ADULT, Exposure("household", date(2026, 3, 25), infectiousness="high"))
        assert ("igra", "baseline", FOUND) in plan

    @pytest.mark.req("R13", partial=True)
    def test_a_child_under_six_gets_tst_instead_of_igra(self) -> None:
        child = Person(birth_date=date(2022, 6, 1))  # 3 years old
        kinds = {kind for kind, _, _ in dues(child, Exposure("household", date(2026, 3, 25))) if kind != "xray"}
        assert kinds == {"tst"}

    def test_a_health_center_with_the_under_two_rule_tests_a_three_year_old_by_igra(self) -> None:
        child = Person(birth_date=date(2022, 6, 1))
        plan = rules.plan(
            child, [Exposure("household", date(2026, 3, 25))], replace(RULES, tst_age_under=2), found_on=FOUND
        )
        assert {d.kind for d in plan if d.kind != "xray"} == {"igra"}

    def test_without_a_last_contact_date_only_date_free_items_are_planned(self) -> None:
        assert dues(Person(symptomatic=True), Exposure("other", None)) == [("xray", "now", FOUND)]


class TestChestXray:
    """At once when symptomatic or IGRA positive; else 6 and 12 months, to 2 years for a highly infectious index."""

    @pytest.mark.req("R13", partial=True)
    def test_xray_at_six_and_twelve_months_after_the_last_contact(self) -> None:
        xrays = [
            (s, d)
            for k, s, d in dues(ADULT, Exposure("workplace", date(2026, 1, 31), infectiousness="low"))
            if k == "xray"
        ]
        assert xrays == [("month_6", date(2026, 7, 31)), ("month_12", date(2027, 1, 31))]

    def test_a_highly_infectious_index_extends_the_xrays_to_two_years(self) -> None:
        plan = dues(ADULT, Exposure("workplace", date(2025, 8, 31), infectiousness="high"))
        assert [d for k, _, d in plan if k == "xray"] == [
            date(2026, 2, 28),
            date(2026, 8, 31),
            date(2027, 2, 28),
            date(2027, 8, 31),
        ]

    def test_a_symptomatic_contact_gets_an_xray_at_once(self) -> None:
        assert ("xray", "now", FOUND) in dues(Person(symptomatic=True), Exposure("household", date(2026, 3, 25)))

    def test_a_positive_igra_calls_for_an_xray_that_day(self) -> None:
        plan = dues(ADULT, Exposure("household", date(2026, 1, 5)), igra_positive_on=date(2026, 4, 10))
        assert ("xray", "now", date(2026, 4, 10)) in plan


class TestPlanStatus:
    """Matching examinations done to the plan."""

    def test_an_igra_before_the_eight_weeks_does_not_count_for_the_eight_week_test(self) -> None:
        plan = rules.plan(
            ADULT, [Exposure("workplace", date(2026, 3, 10), infectiousness="low")], RULES, found_on=FOUND
        )
        early = Exam(kind="igra_qft", status="done", done_on=date(2026, 4, 21), result="negative")
        status = plan_status(plan, [early], today=date(2026, 5, 12), ended=False)
        igra = next(d for d in status if d.kind == "igra")
        assert igra.status == "overdue" and igra.exam_id is None

    def test_an_igra_in_the_window_marks_the_test_done(self) -> None:
        plan = rules.plan(
            ADULT, [Exposure("workplace", date(2026, 3, 10), infectiousness="low")], RULES, found_on=FOUND
        )
        exam = Exam(kind="igra_tspot", status="done", done_on=date(2026, 5, 7), result="negative")
        exam.id = uuid.uuid4()
        status = plan_status(plan, [exam], today=date(2026, 5, 12), ended=False)
        assert next(d for d in status if d.kind == "igra").status == "done"
