"""Errors of batch printing, with the Japanese messages users read."""

from tbms_core.errors import DomainError, InvalidInput, NotFound


class PrintBatchNotFound(NotFound):
    """No batch with that id."""

    message = "指定された一括印刷が見つかりません。"


class GenreHasNoForms(InvalidInput):
    """The genre has no printable form yet."""

    message = "この分類の帳票はまだ印刷できません。"


class BatchNotFinished(DomainError):
    """The merged PDF does not exist until every form is printed."""

    status_code = 409
    code = "batch_not_finished"
    message = "一括印刷はまだ終わっていません。終わってからもう一度開いてください。"
