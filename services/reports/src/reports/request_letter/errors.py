"""Errors of printing the letters between health centres."""

from tbms_core.errors import DomainError, InvalidInput


class UnknownLetter(InvalidInput):
    """Not a letter of a request, or not one of this request's direction."""

    message = "この依頼では印刷できない帳票です。他自治体への依頼はF30、他自治体からの依頼への回答はF27です。"


class RequestNotYetAvailable(DomainError):
    """The request's event has not reached the reports read model yet."""

    status_code = 409
    code = "request_not_yet_available"
    message = "依頼の情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"


class ContactNotYetAvailable(DomainError):
    """The contact's event has not reached the reports read model yet."""

    status_code = 409
    code = "contact_not_yet_available"
    message = "接触者の情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"
