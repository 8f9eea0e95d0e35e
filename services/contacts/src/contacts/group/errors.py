"""Errors of group contacts, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class GroupNotFound(NotFound):
    """No such group."""

    message = "指定された集団が見つかりません。"


class ImportNotFound(NotFound):
    """No such import of this group."""

    message = "指定された取込みが見つかりません。ファイルを読み込み直してください。"


class ImportAlreadyApplied(DomainError):
    """The preview was applied before."""

    status_code = 409
    code = "group_import_applied"
    message = "この取込みはすでに反映されています。"
