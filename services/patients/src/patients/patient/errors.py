"""Errors of patient management, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class PatientNotFound(NotFound):
    """No patient with that id."""

    message = "指定された患者が見つかりません。"
