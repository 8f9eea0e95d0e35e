"""Errors of requests between municipalities, with the Japanese messages users read."""

from tbms_core.errors import DomainError, NotFound


class RequestNotFound(NotFound):
    """No such request."""

    message = "指定された依頼が見つかりません。"


class PackageNotFound(NotFound):
    """No such encrypted package of this request."""

    message = "指定された暗号化ファイルが見つかりません。"


class WrongStatus(DomainError):
    """The request is not in a state that allows this step."""

    status_code = 409
    code = "request_wrong_status"
    message = "この依頼の状態ではこの操作はできません。"

    def __init__(self, status_label: str, allowed: str) -> None:
        super().__init__(f"この依頼は「{status_label}」のため、この操作はできません（{allowed}のときだけできます）。")
