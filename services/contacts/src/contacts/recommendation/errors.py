"""Errors of 勧告, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class RecommendationNotFound(NotFound):
    """No such 勧告 of this contact."""

    message = "指定された勧告が見つかりません。"
