"""The rights review's reasons on hand-made accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from identity.rights_review.rules import Account, RightsThresholds, review
from tbms_core.auth import Access, Area

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
NURSE = {Area.PATIENTS: Access.UPDATE, Area.CONTACTS: Access.UPDATE}
LIMITS = RightsThresholds()


def account(**changes: object) -> Account:
    """A nurse in good order: in the 保健師 group, logged in yesterday, with a one-time password."""
    values: dict = {
        "id": "u1",
        "username": "nurse9",
        "name": "試験 花子",
        "enabled": True,
        "created": NOW - timedelta(days=400),
        "groups": ("保健師",),
        "direct": {},
        "by_group": {"保健師": NURSE},
        "last_login": NOW - timedelta(days=1),
        "has_otp": True,
    }
    return Account(**{**values, **changes})


@pytest.mark.req("N21", partial=True)
def test_an_account_in_good_order_has_no_reason_to_look_at_it() -> None:
    line = review(account(), NOW, LIMITS)
    assert (line.reasons, line.proposal) == ({}, "")


@pytest.mark.req("N21", partial=True)
def test_an_account_unused_for_longer_than_the_limit_is_proposed_for_disabling() -> None:
    assert review(account(last_login=NOW - timedelta(days=90)), NOW, LIMITS).reasons == {}
    line = review(account(last_login=NOW - timedelta(days=91, hours=1)), NOW, LIMITS)
    assert line.reasons == {"dormant": "91日ログインなし(最終 2026-09-03)"}
    assert line.proposal == "無効化を提案"
    never = review(account(last_login=None, created=NOW - timedelta(days=120)), NOW, LIMITS)
    assert never.reasons["dormant"] == "作成から 120日、一度もログインなし"
    assert review(account(last_login=None, enabled=False), NOW, LIMITS).reasons == {}  # already disabled


@pytest.mark.req("N03")
@pytest.mark.req("N21", partial=True)
def test_rights_beyond_the_groups_and_privileges_are_named() -> None:
    line = review(account(direct={Area.AUDIT: Access.UPDATE, Area.PATIENTS: Access.READ}), NOW, LIMITS)
    assert line.reasons == {"privileged": "特権: 監査の更新", "excess": "グループを超える個別の権限: 監査=更新"}
    assert line.proposal == "個別の権限の見直しを提案"


def test_missing_otp_an_old_temporary_password_and_no_group_are_listed() -> None:
    line = review(
        account(has_otp=False, groups=(), by_group={}, temporary_password_since=NOW - timedelta(days=20)), NOW, LIMITS
    )
    assert line.reasons == {
        "no_otp": "ワンタイムパスワードが未設定",
        "temporary_password": "仮パスワードのまま 20日(上限 14日)",
        "no_group": "所属グループなし",
    }


@pytest.mark.req("N02", "N03")
@pytest.mark.req("N28", partial=True)
@pytest.mark.parametrize("username", ["admin", "Administrator", "root", "nurse1", "viewer1", "minioadmin"])
def test_an_account_named_like_a_default_or_development_account_is_proposed_for_deletion(username: str) -> None:
    line = review(account(username=username), NOW, LIMITS)
    assert line.reasons == {"default_name": "既定・開発用の名前(本番には置かない)"}
    assert line.proposal == "削除を提案(利用者ごとの名前のアカウントへ)"
    assert review(account(username="admin", enabled=False), NOW, LIMITS).proposal == ""  # already disabled


def test_a_name_that_only_contains_a_default_word_is_not_flagged() -> None:
    assert review(account(username="admin-tanaka"), NOW, LIMITS).reasons == {}


@pytest.mark.req("N21", partial=True)
def test_staff_whose_district_assignments_all_ended_are_listed_for_a_check() -> None:
    line = review(account(ended_assignments=("kinuta", "setagaya")), NOW, LIMITS)
    assert line.reasons == {"assignment_ended": "担当地区の配置が終了（kinuta・setagaya）、現在の配置なし"}
    assert line.proposal == "異動・退職の確認と、無効化または権限の見直しを提案"
    assert review(account(ended_assignments=("kinuta",), enabled=False), NOW, LIMITS).reasons == {}
