"""Errors of care records, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class CareRecordNotFound(NotFound):
    """No such record of this kind for this patient."""

    message = "指定された記録が見つかりません。"
