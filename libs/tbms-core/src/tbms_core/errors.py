"""Domain errors with Japanese messages, and the handlers that turn them into HTTP answers."""

from __future__ import annotations

import re

from asyncpg import exceptions as asyncpg_errors
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


class DomainError(Exception):
    """An error the user should read: a Japanese message and an HTTP status."""

    status_code = 400
    code = "bad_request"
    message = "要求を処理できませんでした。"

    def __init__(self, message: str | None = None, *, errors: dict[str, str] | None = None) -> None:
        self.message = message or type(self).message
        self.errors = errors or {}
        super().__init__(self.message)


class TooLarge(DomainError):
    """The request body is larger than any screen sends."""

    status_code = 413
    code = "too_large"
    message = "送信された内容が大きすぎます。"


class NotFound(DomainError):
    """The record does not exist (or the user may not know it exists)."""

    status_code = 404
    code = "not_found"
    message = "対象のデータが見つかりません。"


class VersionConflict(DomainError):
    """Somebody saved the record after this user opened it."""

    status_code = 409
    code = "version_conflict"
    message = (
        "このデータは他の利用者によって更新されています。画面を開き直して最新の内容を確認してから、"
        "もう一度保存してください。入力した内容は保存されていません。"
    )


class AccessDenied(DomainError):
    """The user's access level does not allow the operation."""

    status_code = 403
    code = "access_denied"
    message = "この操作を行う権限がありません。"


class NotAuthenticated(DomainError):
    """No valid login came with the request."""

    status_code = 401
    code = "not_authenticated"
    message = "ログインが必要です。もう一度ログインしてください。"


class Unavailable(DomainError):
    """The service's database cannot be reached just now (restarting, failing over): nothing was saved."""

    status_code = 503
    code = "unavailable"
    message = "データベースに一時的に接続できません。しばらくしてからもう一度お試しください。"


RETRY_AFTER_SECONDS = 5  # what a 503 asks the caller to wait before trying again


# What asyncpg raises as it is when a new connection is refused, before SQLAlchemy could wrap it: the server is
# starting up or shutting down (57P01-57P03, e.g. during crash recovery), has no connection slot left (53300), or
# ended the connection (class 08). A cancelled statement (57014, also "operator intervention") is not among them.
CONNECTING_REFUSED = (
    asyncpg_errors.CannotConnectNowError,
    asyncpg_errors.AdminShutdownError,
    asyncpg_errors.CrashShutdownError,
    asyncpg_errors.TooManyConnectionsError,
    asyncpg_errors.PostgresConnectionError,
)


def database_unreachable(exc: BaseException) -> bool:
    """True for an error that says the database cannot be reached (no connection, or a connection lost), not that
    a statement was wrong."""
    if isinstance(exc, (ConnectionError, *CONNECTING_REFUSED)):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, InterfaceError | OperationalError)
    return False


class InvalidInput(DomainError):
    """One or more fields are wrong; nothing was stored."""

    status_code = 422
    code = "invalid_input"
    message = "入力内容に誤りがあります。各項目のメッセージを確認してください。"


_PYDANTIC_MESSAGES = {
    "missing": "必須項目です。",
    "string_too_short": "入力してください。",
    "string_too_long": "文字数が多すぎます（{max_length}文字まで）。",
    "enum": "選択肢から選んでください。",
    "literal_error": "選択肢から選んでください。",
    "int_parsing": "数字で入力してください。",
    "date_from_datetime_parsing": "日付の形式が正しくありません。",
    "date_parsing": "日付の形式が正しくありません。",
    "uuid_parsing": "IDの形式が正しくありません。",
    "less_than_equal": "{le}以下の値を入力してください。",
    "greater_than_equal": "{ge}以上の値を入力してください。",
    "less_than": "{lt}より小さい値を入力してください。",
    "greater_than": "{gt}より大きい値を入力してください。",
    "int_type": "数字で入力してください。",
    "int_from_float": "整数で入力してください。",
    "float_parsing": "数値で入力してください。",
    "float_type": "数値で入力してください。",
    "bool_parsing": "はい・いいえで選んでください。",
    "bool_type": "はい・いいえで選んでください。",
    "string_type": "文字で入力してください。",
    "list_type": "一覧の形式で指定してください。",
    "dict_type": "項目の形式が正しくありません。",
    "model_type": "項目の形式が正しくありません。",
    "model_attributes_type": "項目の形式が正しくありません。",
    "date_type": "日付の形式が正しくありません。",
    "time_parsing": "時刻の形式が正しくありません（例: 10:30）。",
    "time_type": "時刻の形式が正しくありません（例: 10:30）。",
    "datetime_parsing": "日時の形式が正しくありません。",
    "datetime_from_date_parsing": "日時の形式が正しくありません。",
    "extra_forbidden": "この項目は入力できません。",
    "too_long": "項目が多すぎます（{max_length}個まで）。",
    "too_short": "項目が足りません（{min_length}個以上）。",
    "json_invalid": "送信された内容の形式が正しくありません。",
}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def field_errors(exc: RequestValidationError) -> dict[str, str]:
    """Japanese message per field for a request that failed validation."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path"))
        template = _PYDANTIC_MESSAGES.get(err["type"])
        if template:
            message = template.format(**(err.get("ctx") or {}))
        else:
            message = str(err.get("msg", "")).removeprefix("Value error, ")
            if not _JAPANESE.search(message):  # never an English library message on a Japanese screen
                message = "入力内容に誤りがあります。"
        errors.setdefault(loc or "_", message)
    return errors


def domain_error_response(exc: DomainError) -> JSONResponse:
    """The JSON answer to a domain error: Japanese message, code and per-field errors."""
    body = {"detail": exc.message, "code": exc.code, "errors": exc.errors}
    return JSONResponse(body, status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    """Answers domain and validation errors as `{"detail", "code", "errors"}` in Japanese."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc)

    async def _unreachable(_: Request, exc: Exception) -> JSONResponse:
        if not database_unreachable(exc):
            raise exc  # any other database error is a defect: answered 500 and logged as such
        answer = domain_error_response(Unavailable())
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer

    for error in (DBAPIError, ConnectionError, *CONNECTING_REFUSED):
        app.add_exception_handler(error, _unreachable)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        body = {"detail": InvalidInput.message, "code": InvalidInput.code, "errors": field_errors(exc)}
        return JSONResponse(body, status_code=422)
