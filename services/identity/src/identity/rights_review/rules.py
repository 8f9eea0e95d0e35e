"""What the periodic access-rights review points at in each account (N21), as pure functions.

An account is listed with every reason to look at it: unused for long (proposed for disabling),
named like a default or development account (admin, root, nurse1 …: proposed for deletion), privileged,
rights beyond what its groups give, no group, no one-time password, a temporary password left unchanged, and
staff whose 担当保健師 assignments in masters have all ended (moved or retired: the account may remain).
Thresholds are settings with the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tbms_core.auth import Access, Area
from tbms_core.clock import JST
from tbms_core.settings import is_default_account_name

PRIVILEGED_AREAS = (Area.USERS, Area.AUDIT)  # who can change accounts or read everybody's history


@dataclass(frozen=True)
class RightsThresholds:
    """The review's settings."""

    dormant_days: int = 90  # no login for this long: propose disabling
    temporary_password_days: int = 14  # a temporary password unchanged for this long


@dataclass(frozen=True)
class Account:
    """What the review knows of one account (from Keycloak and the login history)."""

    id: str
    username: str
    name: str
    enabled: bool
    created: datetime | None
    groups: tuple[str, ...]
    direct: dict[Area, Access]
    by_group: dict[str, dict[Area, Access]]
    last_login: datetime | None
    has_otp: bool
    temporary_password_since: datetime | None = None
    ended_assignments: tuple[str, ...] = ()  # districts of 担当保健師 assignments ended, none in force (masters)

    def effective(self) -> dict[Area, Access]:
        """The highest level of the direct roles and every group, per area."""
        return {
            area: max(
                [self.direct.get(area, Access.NONE), *(lv.get(area, Access.NONE) for lv in self.by_group.values())]
            )
            for area in Area
        }


@dataclass
class Line:
    """One account on the review with its reasons (code -> Japanese text) and the proposal."""

    account: Account
    reasons: dict[str, str] = field(default_factory=dict)
    proposal: str = ""


def review(account: Account, now: datetime, limits: RightsThresholds) -> Line:
    """The reasons to look at an account, and what the review proposes."""
    line = Line(account)
    if account.enabled:
        _dormant(line, now, limits)
        if not account.has_otp:
            line.reasons["no_otp"] = "ワンタイムパスワードが未設定"
        if account.temporary_password_since and now - account.temporary_password_since > timedelta(
            days=limits.temporary_password_days
        ):
            days = (now - account.temporary_password_since).days
            line.reasons["temporary_password"] = f"仮パスワードのまま {days}日(上限 {limits.temporary_password_days}日)"
        if not account.groups:
            line.reasons["no_group"] = "所属グループなし"
        if account.ended_assignments:
            districts = "・".join(account.ended_assignments)
            line.reasons["assignment_ended"] = f"担当地区の配置が終了（{districts}）、現在の配置なし"
    if is_default_account_name(account.username):
        line.reasons["default_name"] = "既定・開発用の名前(本番には置かない)"
    effective = account.effective()
    privileged = [a.label for a in PRIVILEGED_AREAS if effective[a] == Access.UPDATE]
    if privileged:
        line.reasons["privileged"] = f"特権: {'・'.join(privileged)}の更新"
    excess = _excess(account)
    if excess:
        line.reasons["excess"] = f"グループを超える個別の権限: {excess}"
    if "default_name" in line.reasons and account.enabled:
        line.proposal = "削除を提案(利用者ごとの名前のアカウントへ)"
    elif "dormant" in line.reasons:
        line.proposal = "無効化を提案"
    elif "assignment_ended" in line.reasons:
        line.proposal = "異動・退職の確認と、無効化または権限の見直しを提案"
    elif "excess" in line.reasons:
        line.proposal = "個別の権限の見直しを提案"
    return line


def _dormant(line: Line, now: datetime, limits: RightsThresholds) -> None:
    account = line.account
    limit = timedelta(days=limits.dormant_days)
    if account.last_login is not None:
        if now - account.last_login > limit:
            last = account.last_login.astimezone(JST).date().isoformat()
            line.reasons["dormant"] = f"{(now - account.last_login).days}日ログインなし(最終 {last})"
    elif account.created is not None and now - account.created > limit:
        line.reasons["dormant"] = f"作成から {(now - account.created).days}日、一度もログインなし"


def _excess(account: Account) -> str:
    """Areas where the direct roles give more than every group of the account does."""
    parts = []
    for area in Area:
        direct = account.direct.get(area, Access.NONE)
        from_groups = max([lv.get(area, Access.NONE) for lv in account.by_group.values()], default=Access.NONE)
        if direct > from_groups:
            parts.append(f"{area.label}={direct.label}")
    return "、".join(parts)
