"""Errors of the master records, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class MasterNotFound(NotFound):
    """No record of that kind with that code."""

    code = "master_not_found"
    message = "指定されたマスタのデータが見つかりません。"


class MasterKindNotFound(NotFound):
    """No kind of master with that name."""

    code = "master_kind_not_found"
    message = "指定された種類のマスタはありません。"


class MasterCodeTaken(DomainError):
    """A record of the kind already has that code (ended ones too: codes are never reused)."""

    status_code = 409
    code = "master_code_taken"
    message = "このコードはすでに登録されています（終了したものを含む）。既存のデータを修正してください。"


class MasterAlreadyEnded(DomainError):
    """The record has already been ended; its end date is changed by correcting it."""

    status_code = 409
    code = "master_already_ended"
    message = "このデータはすでに終了しています。終了日を変えるときは修正してください。"
