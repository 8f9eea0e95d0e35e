"""Errors of the 診査会 module, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class BoardSessionNotFound(NotFound):
    """No such session."""

    message = "指定された診査会が見つかりません。"


class BoardCaseNotFound(NotFound):
    """No such case."""

    message = "指定された審査案件が見つかりません。"


class PatientCardNotFound(NotFound):
    """No such 患者票."""

    message = "指定された患者票が見つかりません。"


class MeasureNotFound(NotFound):
    """No such 勧告."""

    message = "指定された勧告が見つかりません。"


class RecipientNumberExhausted(DomainError):
    """The six digits of the 受給者区分 are used up."""

    status_code = 409
    code = "numbers_exhausted"
    message = "受給者番号の連番が上限に達しました。管理者に連絡してください。"
