"""Errors of the 管理検診 module, with the Japanese message staff read."""

from tbms_core.errors import DomainError, NotFound


class FollowupExamNotFound(NotFound):
    """No such examination of this patient."""

    message = "管理検診の記録が見つかりません。"


class NoExclusionProposed(DomainError):
    """The nurse confirmed an exclusion the system does not propose (period running, or findings)."""

    status_code = 409
    code = "no_exclusion_proposed"
    message = "登録除外（経過観察終了）は提案されていません。"
