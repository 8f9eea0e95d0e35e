"""Errors of printing a contact's F29, with the Japanese messages users read."""

from tbms_core.errors import InvalidInput


class NoScreeningExamPlanned(InvalidInput):
    """The contact has no planned screening exam (or the one chosen is done, cancelled or not the contact's)."""

    code = "no_screening_exam_planned"
    message = "お知らせする健診がありません。接触者の検査に予定（予定日・予約）を登録してから印刷してください。"
