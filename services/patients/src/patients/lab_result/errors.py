"""Errors of test results, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class LabResultNotFound(NotFound):
    """No such result for this patient."""

    message = "指定された検査結果が見つかりません。"
