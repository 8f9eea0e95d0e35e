"""Errors of screening examinations, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class ExamNotFound(NotFound):
    """No such examination of this contact."""

    message = "指定された健診の検査が見つかりません。"


class ExamAlreadyCancelled(DomainError):
    """The examination was cancelled before."""

    status_code = 409
    code = "exam_already_cancelled"
    message = "この検査はすでに取り消されています。"


class ReceiptNumberTaken(DomainError):
    """Another examination received the same day at the same place has this receipt number."""

    status_code = 409
    code = "receipt_number_taken"
    message = "この受付番号は同じ日・同じ場所ですでに使われています。"
