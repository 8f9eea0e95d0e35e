"""User administration errors, and Keycloak's refusals translated into Japanese."""

from __future__ import annotations

import re

import httpx
from tbms_core.errors import DomainError, InvalidInput, NotFound

USERNAME_RULE = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
USERNAME_MESSAGE = "ユーザIDは英小文字で始まる3〜64文字の英小文字・数字・「.」「_」「-」で入力してください。"

_PASSWORD_MESSAGES = {
    "invalidPasswordMinLengthMessage": "パスワードは{n}文字以上にしてください。",
    "invalidPasswordMinUpperCaseCharsMessage": "パスワードに英大文字を{n}文字以上含めてください。",
    "invalidPasswordMinLowerCaseCharsMessage": "パスワードに英小文字を{n}文字以上含めてください。",
    "invalidPasswordMinDigitsMessage": "パスワードに数字を{n}文字以上含めてください。",
    "invalidPasswordMinSpecialCharsMessage": "パスワードに記号を{n}文字以上含めてください。",
    "invalidPasswordNotUsernameMessage": "パスワードにユーザIDと同じ文字列は使えません。",
    "invalidPasswordNotEmailMessage": "パスワードにメールアドレスと同じ文字列は使えません。",
    "invalidPasswordHistoryMessage": "最近使ったパスワードは使えません。",
    "invalidPasswordMaxLengthMessage": "パスワードが長すぎます（{n}文字まで）。",
}
_FIELD_MESSAGES = {
    "error-username-invalid-character": ("username", USERNAME_MESSAGE),
    "error-invalid-email": ("email", "メールアドレスの形式が正しくありません。"),
    "error-invalid-length": ("", "文字数が正しくありません。"),
    "error-person-name-invalid-character": ("", "氏名に使えない文字が含まれています。"),
}
_CONFLICTS = {
    "username": ("username", "このユーザIDは既に使われています。"),
    "email": ("email", "このメールアドレスは既に使われています。"),
}


class UserNotFound(NotFound):
    """No such account in the realm."""

    message = "指定されたユーザが見つかりません。"


class KeycloakRefused(DomainError):
    """Keycloak refused the change for a reason tbms does not know."""

    status_code = 502
    code = "keycloak_refused"
    message = "認証基盤（Keycloak）が変更を受け付けませんでした。時間をおいて再度お試しください。"


def _body(response: httpx.Response) -> dict[str, str]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def translate(exc: httpx.HTTPStatusError) -> DomainError:
    """The Japanese error for a Keycloak refusal: password policy, username rules, duplicates."""
    response = exc.response
    body = _body(response)
    if response.status_code == 404:
        return UserNotFound()
    key = body.get("error") or body.get("errorMessage") or ""
    if key in _PASSWORD_MESSAGES:
        number = re.search(r"\d+", body.get("error_description", ""))
        message = _PASSWORD_MESSAGES[key].format(n=number.group() if number else "")
        return InvalidInput(errors={"temporary_password": message})
    if key in _FIELD_MESSAGES:
        field, message = _FIELD_MESSAGES[key]
        return InvalidInput(errors={body.get("field", field) or "username": message})
    if response.status_code == 409:
        field, message = _CONFLICTS["email" if "email" in key.lower() else "username"]
        return InvalidInput(errors={field: message})
    return KeycloakRefused()
