"""Errors of configurable fields, with the Japanese messages administrators read."""

from tbms_core.errors import DomainError, InvalidInput, NotFound


class FieldDefinitionNotFound(NotFound):
    """No field definition with that id."""

    message = "指定された項目定義が見つかりません。"


class FieldKeyTaken(DomainError):
    """Another field of the same record kind already uses the key."""

    status_code = 409
    code = "field_key_taken"
    message = "このキーは同じ種別の項目で既に使われています。別のキーを指定してください。"

    def __init__(self) -> None:
        super().__init__(errors={"key": type(self).message})


class ChoicesDoNotFitType(InvalidInput):
    """Choices given to a field that is not a choice, or none left for one that is."""

    def __init__(self, message: str) -> None:
        super().__init__(errors={"changes.choices": message})


class PeriodReversed(InvalidInput):
    """The period of use would end before it starts."""

    def __init__(self) -> None:
        super().__init__(errors={"changes.active_to": "適用終了日が適用開始日より前になっています。"})
