"""Errors of contact management, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class ContactNotFound(NotFound):
    """No contact with that id."""

    message = "指定された接触者が見つかりません。"


class ExposureNotFound(NotFound):
    """No such exposure of this contact."""

    message = "指定された接触状況が見つかりません。"


class ContactAlreadyEnded(DomainError):
    """The contact's follow-up has already ended."""

    status_code = 409
    code = "contact_already_ended"
    message = "この接触者の健診はすでに終了しています。"


class ContactAlreadyLinked(DomainError):
    """The contact is already a contact of that index patient."""

    status_code = 409
    code = "contact_already_linked"
    message = "この接触者はすでにこの発端患者の接触者として登録されています。"
