"""Values of configurable fields are read the way staff type them and checked per type, without services (R33)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from patients.custom_field.values import display, is_active, validate
from tbms_core.errors import InvalidInput

TODAY = date(2026, 4, 1)


@dataclass
class Field:
    """A definition as validation sees it."""

    key: str
    type: str
    label: str = "項目"
    choices: list[dict[str, Any]] = field(default_factory=list)
    required: bool = False
    active_from: date | None = None
    active_to: date | None = None


CHOICES = [{"value": "a", "label": "あり"}, {"value": "b", "label": "なし"}, {"value": "c", "label": "不明"}]
FIELDS = [
    Field("memo", "text", "備考"),
    Field("weight", "number", "体重"),
    Field("checked_on", "date", "確認日"),
    Field("status", "choice", "状況", CHOICES),
    Field("symptoms", "multi_choice", "症状", CHOICES),
    Field("consent", "yes_no", "同意"),
]


def check(values: dict[str, Any], *, existing: dict[str, Any] | None = None, fields: list[Field] = FIELDS) -> dict:
    """Validates as of TODAY."""
    return validate(fields, values, on=TODAY, existing=existing or {})


def errors_of(values: dict[str, Any], **options: Any) -> dict[str, str]:
    """The per-field Japanese messages of a refused input."""
    with pytest.raises(InvalidInput) as refused:
        check(values, **options)
    return refused.value.errors


@pytest.mark.req("R33", partial=True)
class TestConversion:
    """Each type is stored in one JSON form, whatever the staff typed."""

    def test_values_of_every_type_are_normalised(self) -> None:
        stored = check(
            {
                "memo": "  ｼｹﾝ 勤務先  ",
                "weight": "６２．５",
                "checked_on": "R8.3.1",
                "status": "a",
                "symptoms": ["c", "a", "a"],
                "consent": "はい",
            }
        )
        assert stored == {
            "memo": "シケン 勤務先",
            "weight": 62.5,
            "checked_on": "2026-03-01",
            "status": "a",
            "symptoms": ["a", "c"],
            "consent": True,
        }

    def test_whole_numbers_stay_integers_and_western_dates_are_read(self) -> None:
        assert check({"weight": "1,200", "checked_on": "2024-04-01", "consent": False}) == {
            "weight": 1200,
            "checked_on": "2024-04-01",
            "consent": False,
        }

    def test_each_wrong_value_gets_a_japanese_message_under_its_key(self) -> None:
        errors = errors_of(
            {"weight": "六十", "checked_on": "H31.5.1", "status": "z", "symptoms": ["a", "z"], "consent": "たぶん"}
        )
        assert set(errors) == {
            "custom.weight",
            "custom.checked_on",
            "custom.status",
            "custom.symptoms",
            "custom.consent",
        }
        assert errors["custom.weight"] == "数値で入力してください。"
        assert "平成" in errors["custom.checked_on"]
        assert errors["custom.status"] == "選択肢から選んでください。"
        assert "はい" in errors["custom.consent"]

    def test_unknown_keys_are_refused(self) -> None:
        assert errors_of({"nickname": "x"}) == {"custom.nickname": "この項目は定義されていません。"}


@pytest.mark.req("R33", partial=True)
class TestMerging:
    """A change touches only the keys given; fields out of use keep their data."""

    def test_only_given_keys_change_and_an_empty_value_clears_one(self) -> None:
        stored = check({"memo": "", "weight": 60}, existing={"memo": "旧", "status": "b", "weight": 58})
        assert stored == {"status": "b", "weight": 60}

    def test_a_deactivated_fields_value_is_kept_and_cannot_be_changed(self) -> None:
        fields = [Field("old", "text", "旧項目", active_to=date(2026, 3, 31))]
        assert check({}, existing={"old": "残す"}, fields=fields) == {"old": "残す"}
        assert check({"old": "残す"}, existing={"old": "残す"}, fields=fields) == {"old": "残す"}
        errors = errors_of({"old": "変更"}, existing={"old": "残す"}, fields=fields)
        assert errors == {"custom.old": "「旧項目」は現在使用されていないため変更できません。"}


@pytest.mark.req("R33", partial=True)
class TestRequired:
    """Required applies only while the field is in use."""

    def test_a_required_field_in_use_must_be_filled(self) -> None:
        fields = [Field("reason", "text", "理由", required=True)]
        assert errors_of({}, fields=fields) == {"custom.reason": "「理由」は必須項目です。"}
        assert errors_of({"reason": " "}, fields=fields) == {"custom.reason": "「理由」は必須項目です。"}
        assert check({"reason": "転居"}, fields=fields) == {"reason": "転居"}

    def test_a_required_field_not_yet_or_no_longer_in_use_is_not_required(self) -> None:
        future = Field("next", "text", "新様式", required=True, active_from=date(2026, 4, 2))
        past = Field("last", "text", "旧様式", required=True, active_to=date(2026, 3, 31))
        assert check({}, fields=[future, past]) == {}

    def test_the_period_includes_its_first_and_last_day(self) -> None:
        one_day = Field("x", "text", active_from=TODAY, active_to=TODAY)
        assert is_active(one_day, TODAY)
        assert not is_active(one_day, date(2026, 4, 2)) and not is_active(one_day, date(2026, 3, 31))


@pytest.mark.req("R33", partial=True)
class TestDisplay:
    """The history shows choice labels and はい/いいえ."""

    def test_choices_and_yes_no_are_shown_by_label(self) -> None:
        assert display(FIELDS[3], "b") == "なし"
        assert display(FIELDS[4], ["a", "c"]) == "あり、不明"
        assert display(FIELDS[5], True) == "はい" and display(FIELDS[5], False) == "いいえ"
        assert display(FIELDS[0], "text") is None and display(FIELDS[3], None) is None
