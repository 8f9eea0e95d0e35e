"""Errors of the review calendar, each with its Japanese message."""

from tbms_core.errors import DomainError


class ReviewAlreadyRecorded(DomainError):
    """The period's review was recorded before (by someone else, or on another screen)."""

    status_code = 409
    code = "review_already_recorded"
    message = "この期間の確認は既に記録されています。画面を開き直してください。"
