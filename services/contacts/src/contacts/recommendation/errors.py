"""Errors of 勧告, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class RecommendationNotFound(NotFound):
    """No such 勧告 of this contact."""

    message = "指定された勧告が見つかりません。"


class RecommendationCancelled(DomainError):
    """The 勧告 was cancelled before: it can be neither corrected nor cancelled again."""

    status_code = 409
    code = "recommendation_cancelled"
    message = "この勧告はすでに取り消されています。"
