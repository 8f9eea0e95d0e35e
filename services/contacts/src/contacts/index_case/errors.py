"""Errors of index cases, with the Japanese messages users read."""

from tbms_core.errors import NotFound


class IndexCaseNotFound(NotFound):
    """The patient is not (yet) known to contacts."""

    message = "発端患者の情報が見つかりません。患者登録の直後は数秒お待ちください。"
