"""Errors of patient management, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class PatientNotFound(NotFound):
    """No patient with that id."""

    message = "指定された患者が見つかりません。"


class AlreadyExcluded(DomainError):
    """The patient has already left the register."""

    status_code = 409
    code = "already_excluded"
    message = "この患者はすでに登録除外されています。"


class NotExcluded(DomainError):
    """Only an excluded patient can be reinstated."""

    status_code = 409
    code = "not_excluded"
    message = "この患者は登録除外されていません。"
