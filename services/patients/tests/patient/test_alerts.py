"""Open alerts of the patient header: each rule at its boundary, levels in order, untidy input never crashes."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from patients.patient.alerts import (
    COHORT_MONTHS,
    OUTCOME_GRACE_DAYS,
    PROVISIONAL_DAYS,
    PUBLIC_EXPENSE_NOTICE_DAYS,
    RECOMMENDED_STAY_NOTICE_DAYS,
    Alert,
    open_alerts,
)

TODAY = date(2026, 4, 1)  # 令和8年4月1日


def iso(day: date) -> str:
    """A date as the API writes it."""
    return day.isoformat()


def ago(days: int) -> str:
    """The ISO date so many days before TODAY (negative: after)."""
    return iso(TODAY - timedelta(days=days))


def patient(**changes: Any) -> dict[str, Any]:
    """A synthetic active pulmonary patient whose card is complete, as GET /patients/{id} returns it."""
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "registration_no": "2026-0001",
        "registered_on": "2026-01-10",
        "category": "patient",
        "name": "試験 花子",
        "status": "active",
        "excluded_on": None,
        "notification": {"notified_on": "2026-01-09", "received_on": "2026-01-09", "type": "confirmed"},
        "disease": {"form": "pulmonary"},
        "at_registration": {},
        "classification_code": "1",
        "nurse": "保健師A",
        "district": "世田谷",
        **changes,
    }


def record(**data: Any) -> dict[str, Any]:
    """A care record as GET /patients/{id}/<path> lists it."""
    return {"id": str(uuid.uuid4()), "version": 1, "data": data, "labels": {}}


def course(**data: Any) -> dict[str, Any]:
    """A running standard course started 20 days ago and planned to end in 5 months."""
    return record(**{"regimen": "2HREZ/4HR", "started_on": ago(20), "planned_end_on": ago(-150), **data})


def lab(kind: str, collected_on: str | None, specimen: str = "喀痰", **extra: Any) -> dict[str, Any]:
    """A test result as GET /patients/{id}/lab-results lists it."""
    result = {"id": str(uuid.uuid4()), "kind": kind, "specimen": specimen, "collected_on": collected_on, "mdr": False}
    return {**result, **extra}


def alerts(
    person: dict[str, Any] | None = None,
    labs: list[dict[str, Any]] | None = None,
    today: date = TODAY,
    **care: list[dict[str, Any]],
) -> list[Alert]:
    """The open alerts; care paths by keyword, public_expenses meaning "public-expenses"."""
    paths = {name.replace("_", "-"): records for name, records in care.items()}
    return open_alerts(person or patient(), labs or [], paths, today)


def codes(found: list[Alert]) -> list[str]:
    """The codes of the alerts, in order."""
    return [alert.code for alert in found]


def only(found: list[Alert], code: str) -> Alert:
    """The one alert with this code."""
    matching = [alert for alert in found if alert.code == code]
    assert len(matching) == 1, codes(found)
    return matching[0]


class TestNothingOpen:
    """A tidy record shows no alerts."""

    def test_a_complete_record_without_care_has_no_alerts(self) -> None:
        assert alerts() == []

    def test_a_fresh_course_with_tests_and_cover_has_no_alerts(self) -> None:
        found = alerts(
            labs=[lab("culture", ago(3))],
            treatments=[course()],
            public_expenses=[record(basis="37-2", status="approved", valid_from=ago(20), valid_to=ago(-160))],
        )
        assert found == []


class TestExcluded:
    """A patient off the register has nothing open."""

    def test_an_excluded_patient_has_no_alerts_even_with_everything_outstanding(self) -> None:
        found = alerts(
            patient(status="excluded", excluded_on=ago(1), notification={}),
            labs=[lab("dst", ago(100), mdr=True)],
            treatments=[course(started_on=ago(500), planned_end_on=ago(300))],
            transfers=[record(direction="out", moved_on=ago(5))],
        )
        assert found == []


class TestMdr:
    """多剤耐性 without an MDR regimen recorded."""

    def test_an_mdr_result_is_a_danger_naming_the_collection_date(self) -> None:
        found = alerts(labs=[lab("dst", "2026-03-02", mdr=True)], treatments=[course()])
        alert = only(found, "mdr_regimen_unconfirmed")
        assert alert.level == "danger"
        assert alert.section == "treatments"
        assert "令和8年3月2日採取" in alert.message

    def test_dst_details_resistant_to_inh_and_rfp_count_without_the_flag(self) -> None:
        result = lab("dst", ago(10), details={"results": {"INH": "R", "RFP": "R", "EB": "S"}})
        assert "mdr_regimen_unconfirmed" in codes(alerts(labs=[result]))

    def test_record_one_dst_counts(self) -> None:
        person = patient(at_registration={"bacteriology": {"dst": {"INH": "R", "RFP": "R"}}})
        alert = only(alerts(person), "mdr_regimen_unconfirmed")
        assert "採取" not in alert.message

    def test_resistance_to_inh_alone_is_not_mdr(self) -> None:
        result = lab("dst", ago(10), details={"results": {"INH": "R", "RFP": "S"}})
        assert "mdr_regimen_unconfirmed" not in codes(alerts(labs=[result]))

    def test_a_course_on_the_mdr_regimen_closes_it(self) -> None:
        found = alerts(labs=[lab("dst", ago(10), mdr=True)], treatments=[course(regimen="MDR")])
        assert "mdr_regimen_unconfirmed" not in codes(found)


class TestTreatmentOverdue:
    """A running course past its planned end date."""

    def test_the_day_after_the_planned_end_it_is_a_warning_in_wareki(self) -> None:
        alert = only(alerts(treatments=[course(planned_end_on="2026-03-31")]), "treatment_overdue")
        assert alert.level == "warning"
        assert alert.section == "treatments"
        assert "治療終了予定日（令和8年3月31日）を過ぎています" in alert.message

    def test_on_the_planned_end_day_it_is_not_yet_overdue(self) -> None:
        assert "treatment_overdue" not in codes(alerts(treatments=[course(planned_end_on=iso(TODAY))]))

    def test_an_ended_course_is_not_overdue(self) -> None:
        ended = course(planned_end_on=ago(30), ended_on=ago(30), outcome="completed")
        assert "treatment_overdue" not in codes(alerts(treatments=[ended]))

    def test_a_final_outcome_without_end_date_closes_the_course(self) -> None:
        assert "treatment_overdue" not in codes(alerts(treatments=[course(planned_end_on=ago(30), outcome="lost")]))

    def test_judged_over_12_months_but_still_running_is_still_overdue(self) -> None:
        running = course(planned_end_on=ago(30), outcome="ongoing_12m")
        assert "treatment_overdue" in codes(alerts(treatments=[running]))


class TestTreatmentBeyond12Months:
    """A course still running after 12 months (cohort 「12か月を超える治療」)."""

    def test_exactly_12_months_after_the_start_is_not_yet_beyond(self) -> None:
        running = course(started_on="2025-04-01", planned_end_on="2026-10-01")
        assert "treatment_beyond_12_months" not in codes(alerts(treatments=[running]))

    def test_the_day_after_12_months_it_is_info(self) -> None:
        running = course(started_on="2025-03-31", planned_end_on="2026-10-01")
        alert = only(alerts(treatments=[running]), "treatment_beyond_12_months")
        assert alert.level == "info"
        assert f"令和7年3月31日）から{COHORT_MONTHS}か月を超えて" in alert.message

    def test_a_leap_day_start_reaches_12_months_on_the_last_day_of_february(self) -> None:
        running = [course(started_on="2024-02-29", planned_end_on="2025-12-01")]
        assert "treatment_beyond_12_months" not in codes(alerts(treatments=running, today=date(2025, 2, 28)))
        assert "treatment_beyond_12_months" in codes(alerts(treatments=running, today=date(2025, 3, 1)))

    def test_an_overdue_course_shows_only_the_overdue_warning(self) -> None:
        found = alerts(treatments=[course(started_on="2025-01-10", planned_end_on="2026-01-09")])
        assert "treatment_overdue" in codes(found)
        assert "treatment_beyond_12_months" not in codes(found)

    def test_an_outcome_of_ongoing_12m_acknowledges_it(self) -> None:
        running = course(started_on="2025-01-10", planned_end_on="2026-10-01", outcome="ongoing_12m")
        assert "treatment_beyond_12_months" not in codes(alerts(treatments=[running]))


class TestTreatmentOutcomeMissing:
    """An ended course without its cohort outcome, once the final culture can be in."""

    def test_within_eight_weeks_of_the_end_it_waits_for_the_culture(self) -> None:
        ended = course(started_on=ago(240), ended_on=ago(OUTCOME_GRACE_DAYS))
        assert "treatment_outcome_missing" not in codes(alerts(treatments=[ended]))

    def test_after_eight_weeks_it_is_a_warning(self) -> None:
        ended = course(started_on="2025-07-01", ended_on=ago(OUTCOME_GRACE_DAYS + 1))
        alert = only(alerts(treatments=[ended]), "treatment_outcome_missing")
        assert alert.level == "warning"
        assert "令和8年2月3日に終了" in alert.message

    def test_an_entered_outcome_closes_it(self) -> None:
        ended = course(started_on=ago(300), ended_on=ago(100), outcome="cured")
        assert alerts(treatments=[ended]) == []


class TestSputumTestOverdue:
    """Pulmonary TB on treatment without a sputum smear or culture for more than 2 months."""

    def test_two_months_after_the_start_without_tests_is_not_yet_overdue(self) -> None:
        assert "sputum_test_overdue" not in codes(alerts(treatments=[course(started_on="2026-02-01")]))

    def test_the_day_after_two_months_without_tests_it_is_a_warning_on_the_lab_section(self) -> None:
        alert = only(alerts(treatments=[course(started_on="2026-01-31")]), "sputum_test_overdue")
        assert alert.section == "lab"
        assert "治療開始（令和8年1月31日）から2か月以上" in alert.message

    def test_the_last_test_since_the_start_restarts_the_two_months(self) -> None:
        started = [course(started_on="2026-01-05")]
        labs = [lab("smear", "2026-02-15"), lab("culture", "2026-02-15")]
        assert "sputum_test_overdue" not in codes(alerts(labs=labs, treatments=started, today=date(2026, 4, 15)))
        found = alerts(labs=labs, treatments=started, today=date(2026, 4, 16))
        assert "最後の喀痰検査（令和8年2月15日採取）から" in only(found, "sputum_test_overdue").message

    def test_a_test_before_the_start_does_not_bring_the_two_months_forward(self) -> None:
        found = alerts(labs=[lab("culture", "2026-01-20")], treatments=[course(started_on="2026-02-01")])
        assert found == []

    def test_naat_and_urine_do_not_count(self) -> None:
        labs = [lab("naat", "2026-03-20"), lab("culture", "2026-03-20", specimen="尿")]
        assert "sputum_test_overdue" in codes(alerts(labs=labs, treatments=[course(started_on="2026-01-05")]))

    def test_gastric_fluid_and_a_result_without_specimen_count(self) -> None:
        started = [course(started_on="2026-01-05")]
        assert alerts(labs=[lab("culture", "2026-03-20", specimen="胃液")], treatments=started) == []
        assert alerts(labs=[lab("smear", "2026-03-20", specimen=None)], treatments=started) == []

    def test_extrapulmonary_and_ltbi_courses_are_left_alone(self) -> None:
        started = [course(started_on="2026-01-05")]
        assert alerts(patient(disease={"form": "extrapulmonary"}), treatments=started) == []
        ltbi = patient(category="ltbi", disease={"form": "ltbi"})
        assert alerts(ltbi, treatments=[course(regimen="6H", started_on="2026-01-05")]) == []
        assert alerts(treatments=[course(regimen="9H", started_on="2026-01-05")]) == []

    def test_the_form_at_registration_is_used_when_the_current_one_is_unknown(self) -> None:
        person = patient(disease={}, at_registration={"disease": {"form": "both"}})
        assert "sputum_test_overdue" in codes(alerts(person, treatments=[course(started_on="2026-01-05")]))

    def test_an_unknown_disease_form_is_not_judged(self) -> None:
        assert alerts(patient(disease={}), treatments=[course(started_on="2026-01-05")]) == []


class TestPublicExpenseCover:
    """37条の2 cover running out while the treatment goes on."""

    @staticmethod
    def cover(valid_to: str, **data: Any) -> dict[str, Any]:
        """An approved 37条の2 cover of six months ending on valid_to."""
        return record(**{"basis": "37-2", "status": "approved", "applied_on": ago(150), "valid_to": valid_to, **data})

    def test_ending_within_30_days_is_a_warning_in_wareki(self) -> None:
        found = alerts(treatments=[course()], public_expenses=[self.cover(ago(-PUBLIC_EXPENSE_NOTICE_DAYS))])
        alert = only(found, "public_expense_expiring")
        assert alert.level == "warning"
        assert alert.section == "public-expenses"
        assert "令和8年5月1日で終わります" in alert.message

    def test_ending_in_31_days_is_not_yet_shown(self) -> None:
        found = alerts(treatments=[course()], public_expenses=[self.cover(ago(-PUBLIC_EXPENSE_NOTICE_DAYS - 1))])
        assert found == []

    @pytest.mark.req("R05", partial=True)
    def test_the_notice_days_are_configurable(self) -> None:
        covers = [self.cover(ago(-45))]
        paths = {"treatments": [course()], "public-expenses": covers}
        assert open_alerts(patient(), [], paths, TODAY) == []
        assert codes(open_alerts(patient(), [], paths, TODAY, card_notice_days=45)) == ["public_expense_expiring"]

    def test_a_treatment_planned_to_end_within_the_cover_needs_no_renewal(self) -> None:
        found = alerts(treatments=[course(planned_end_on=ago(-10))], public_expenses=[self.cover(ago(-10))])
        assert found == []

    def test_ending_today_is_expiring_and_yesterday_expired(self) -> None:
        expiring = alerts(treatments=[course()], public_expenses=[self.cover(iso(TODAY))])
        assert codes(expiring) == ["public_expense_expiring"]
        expired = alerts(treatments=[course()], public_expenses=[self.cover(ago(1))])
        assert codes(expired) == ["public_expense_expired"]
        assert "令和8年3月31日で終わっています" in expired[0].message

    def test_a_pending_renewal_closes_both(self) -> None:
        renewal = record(basis="37-2", status="applied", applied_on=ago(3))
        assert alerts(treatments=[course()], public_expenses=[self.cover(ago(1)), renewal]) == []
        assert alerts(treatments=[course()], public_expenses=[self.cover(ago(-5)), renewal]) == []

    def test_the_latest_granted_cover_counts(self) -> None:
        old, current = self.cover(ago(200), status="ended"), self.cover(ago(-100))
        assert alerts(treatments=[course()], public_expenses=[old, current]) == []

    def test_inpatient_cover_under_article_37_is_not_judged_here(self) -> None:
        inpatient = self.cover(ago(1), basis="37")
        assert alerts(treatments=[course()], public_expenses=[inpatient]) == []

    def test_without_valid_to_the_cover_ends_six_months_after_it_starts(self) -> None:
        starts = [record(basis="37-2", status="approved", valid_from="2025-10-02")]
        assert codes(alerts(treatments=[course()], public_expenses=starts)) == ["public_expense_expiring"]
        applied = [record(basis="37-2", status="approved", applied_on="2025-10-01")]
        assert codes(alerts(treatments=[course()], public_expenses=applied)) == ["public_expense_expired"]

    def test_nothing_is_said_when_no_course_is_running(self) -> None:
        ended = course(ended_on=ago(3), outcome="completed")
        assert alerts(treatments=[ended], public_expenses=[self.cover(ago(1))]) == []


class TestPublicExpenseMissing:
    """On treatment with no 公費負担 record."""

    def test_an_empty_list_while_on_treatment_is_info(self) -> None:
        alert = only(alerts(treatments=[course()], public_expenses=[]), "public_expense_missing")
        assert alert.level == "info"
        assert alert.section == "public-expenses"

    def test_when_the_records_were_not_loaded_nothing_is_claimed(self) -> None:
        assert alerts(treatments=[course()]) == []

    def test_any_record_even_a_rejected_one_shows_it_was_handled(self) -> None:
        rejected = [record(basis="37-2", status="rejected", applied_on=ago(10))]
        assert alerts(treatments=[course()], public_expenses=rejected) == []

    def test_without_a_running_course_nothing_is_missing(self) -> None:
        assert alerts(public_expenses=[]) == []


class TestRecommendedStay:
    """勧告入院 whose 30-day period runs out soon."""

    def test_fourteen_days_before_the_first_period_ends_it_is_a_warning(self) -> None:
        stay = record(hospital="試験病院", admitted_on=ago(15), recommended=True)
        alert = only(alerts(hospitalisations=[stay]), "recommended_stay_expiring")
        assert alert.section == "hospitalisations"
        assert f"令和8年3月17日入院）の期間が令和8年4月{1 + RECOMMENDED_STAY_NOTICE_DAYS}日で満了" in alert.message

    def test_fifteen_days_before_it_is_not_yet_shown(self) -> None:
        stay = record(hospital="試験病院", admitted_on=ago(14), recommended=True)
        assert alerts(hospitalisations=[stay]) == []

    def test_each_extension_period_is_reminded_too(self) -> None:
        stay = record(hospital="試験病院", admitted_on="2026-02-15", recommended=True)
        alert = only(alerts(hospitalisations=[stay]), "recommended_stay_expiring")
        assert "令和8年4月15日で満了" in alert.message

    def test_on_the_last_day_of_a_period_it_is_still_shown(self) -> None:
        stay = record(hospital="試験病院", admitted_on=ago(29), recommended=True)
        assert "令和8年4月1日で満了" in only(alerts(hospitalisations=[stay]), "recommended_stay_expiring").message

    def test_a_discharged_or_voluntary_stay_is_left_alone(self) -> None:
        discharged = record(hospital="試験病院", admitted_on=ago(20), discharged_on=ago(1), recommended=True)
        voluntary = record(hospital="試験病院", admitted_on=ago(20), recommended=False)
        assert alerts(hospitalisations=[discharged, voluntary]) == []


class TestTransferCard:
    """転出 without the 登録票 sent."""

    def test_a_move_out_without_the_card_date_is_a_warning(self) -> None:
        move = record(direction="out", moved_on="2026-03-20", counterpart="試験保健所")
        alert = only(alerts(transfers=[move]), "transfer_card_not_sent")
        assert alert.section == "transfers"
        assert "転出（令和8年3月20日）の登録票" in alert.message

    def test_a_sent_card_a_move_in_or_a_future_move_is_left_alone(self) -> None:
        sent = record(direction="out", moved_on=ago(10), card_sent_on=ago(9))
        moved_in = record(direction="in", moved_on=ago(10))
        planned = record(direction="out", moved_on=ago(-7))
        assert alerts(transfers=[sent, moved_in, planned]) == []

    def test_the_day_of_the_move_already_counts_and_a_missing_date_too(self) -> None:
        today, undated = record(direction="out", moved_on=iso(TODAY)), record(direction="out", moved_on=None)
        found = alerts(transfers=[today, undated])
        assert codes(found) == ["transfer_card_not_sent", "transfer_card_not_sent"]
        assert found[1].message.startswith("転出の登録票")


class TestNotificationDate:
    """The 発生届 date on the card."""

    def test_a_patient_without_it_gets_a_warning(self) -> None:
        alert = only(alerts(patient(notification={"notified_on": None})), "notification_date_missing")
        assert alert.section == "notification"

    def test_a_recovered_person_or_an_untreated_ltbi_is_not_notified(self) -> None:
        assert alerts(patient(category="recovered", notification={})) == []
        assert alerts(patient(category="ltbi", disease={"form": "ltbi"}, notification={})) == []

    def test_an_ltbi_on_treatment_is_notified(self) -> None:
        ltbi = patient(category="ltbi", disease={"form": "ltbi"}, notification={})
        found = alerts(ltbi, treatments=[course(regimen="6H")])
        assert "notification_date_missing" in codes(found)


class TestProvisional:
    """仮登録 left unsettled."""

    def test_thirty_days_after_registration_it_is_not_yet_shown(self) -> None:
        assert alerts(patient(category="provisional", registered_on=ago(PROVISIONAL_DAYS), notification={})) == []

    def test_after_thirty_days_it_is_a_warning_on_the_basic_section(self) -> None:
        person = patient(category="provisional", registered_on=ago(PROVISIONAL_DAYS + 1), notification={})
        alert = only(alerts(person), "provisional_registration_pending")
        assert alert.section == "basic"
        assert "登録日 令和8年3月1日" in alert.message


class TestUntidyInput:
    """Missing paths, None and malformed items never crash and never invent alerts."""

    def test_empty_inputs(self) -> None:
        assert open_alerts({}, [], {}, TODAY) == []

    def test_none_everywhere(self) -> None:
        person = {"status": None, "category": "patient", "notification": None, "disease": None, "at_registration": None}
        care: dict[str, Any] = {"treatments": None, "hospitalisations": None, "public-expenses": None}
        assert codes(open_alerts(person, None, care, TODAY)) == ["notification_date_missing"]  # type: ignore[arg-type]

    def test_records_without_data_and_odd_values_are_skipped(self) -> None:
        care: dict[str, Any] = {
            "treatments": [{"id": "x"}, None, "junk", record(started_on=None, planned_end_on="R8.3.31")],
            "hospitalisations": [record(recommended=True, admitted_on=None)],
            "transfers": [record(direction=None)],
            "notes": [record(noted_on="2026-03-01", kind="visit", text="訪問")],
            "unknown-path": [record(anything=1)],
        }
        labs: list[Any] = [None, {"kind": "dst", "details": None}, lab("culture", "not a date", specimen=None)]
        assert open_alerts(patient(), labs, care, TODAY) == []

    def test_datetime_strings_are_read_as_their_date(self) -> None:
        found = alerts(treatments=[course(planned_end_on="2026-03-31T00:00:00+09:00")])
        assert "treatment_overdue" in codes(found)


@pytest.mark.req("R30")
class TestOpenAlerts:
    """The header's open alerts for a whole record, most urgent first."""

    def test_a_neglected_record_lists_danger_then_warnings_then_info_in_rule_order(self) -> None:
        person = patient(notification={})
        found = alerts(
            person,
            labs=[lab("dst", "2025-06-01", mdr=True), lab("culture", "2025-06-01")],
            treatments=[
                course(started_on="2025-02-01", planned_end_on="2026-08-01"),
                course(started_on="2024-01-10", planned_end_on="2024-07-09", ended_on="2024-07-09"),
            ],
            hospitalisations=[record(hospital="試験病院", admitted_on=ago(20), recommended=True)],
            transfers=[record(direction="out", moved_on=ago(2))],
            public_expenses=[record(basis="37-2", status="approved", valid_from="2025-09-01", valid_to="2026-02-28")],
        )
        assert [(a.level, a.code) for a in found] == [
            ("danger", "mdr_regimen_unconfirmed"),
            ("warning", "public_expense_expired"),
            ("warning", "recommended_stay_expiring"),
            ("warning", "sputum_test_overdue"),
            ("warning", "transfer_card_not_sent"),
            ("warning", "treatment_outcome_missing"),
            ("warning", "notification_date_missing"),
            ("info", "treatment_beyond_12_months"),
        ]
        assert all(alert.message.endswith("。") for alert in found)
        assert all("令和" in alert.message for alert in found if alert.code != "notification_date_missing")

    def test_closing_each_item_empties_the_list(self) -> None:
        found = alerts(
            labs=[lab("dst", "2025-06-01", mdr=True), lab("culture", ago(20))],
            treatments=[
                course(regimen="MDR", started_on="2025-02-01", planned_end_on="2026-08-01", outcome="ongoing_12m"),
                course(started_on="2024-01-10", planned_end_on="2024-07-09", ended_on="2024-07-09", outcome="cured"),
            ],
            hospitalisations=[record(hospital="試験病院", admitted_on=ago(40), discharged_on=ago(3), recommended=True)],
            transfers=[record(direction="in", moved_on="2024-12-01")],
            public_expenses=[record(basis="37-2", status="approved", valid_from="2026-03-01", valid_to="2026-08-31")],
        )
        assert found == []
