"""Errors of DOTS records, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class DotsRecordNotFound(NotFound):
    """No such DOTS record for this patient."""

    message = "指定された服薬支援の記録が見つかりません。"
