"""The administration pages' HTML forms: user accounts, temporary passwords, history filters (和暦 or 西暦 dates)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from starlette.datastructures import FormData, QueryParams
from tbms_core.jp.wareki import WarekiError, parse_date

from gateway.forms import GENERAL_ERROR, Field

ID_PATTERN = re.compile(r"[0-9A-Za-z-]{1,64}")
SECRET = "temporary_password"  # noqa: S105 (the form field's name)
NOTHING_TYPED = "仮パスワードを入力してください。"
POLICY_HINT = (
    "12文字以上で、英大文字・英小文字・数字・記号をそれぞれ1文字以上含めてください（ユーザIDと同じ文字列は不可）。"
)
DATE_HINT = "和暦（例: R8.11.1、令和8年11月1日）または西暦（例: 2026-11-01）"
# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
_UPPER, _LOWER, _DIGITS, _SYMBOLS = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "-_!#%+=?"

USER_FIELDS: tuple[Field, ...] = (
    Field("username", "ユーザID", required=True, hint="英小文字で始まる3〜64文字（英小文字・数字・「.」「_」「-」）"),
    Field("last_name", "姓", required=True),
    Field("first_name", "名"),
    Field("email", "メールアドレス", hint="例: hanako.shiken@example.lg.jp", autocomplete="off"),
    Field("district", "地区", hint="担当する地区（例: 世田谷）"),
    Field("job_title", "職名", hint="例: 保健師、事務、係長"),
    Field("groups", "グループ", kind="checkbox"),
    Field("password_mode", "仮パスワード", required=True, kind="radio"),
    Field(
        SECRET,
        "仮パスワード（自分で決める場合）",
        hint=POLICY_HINT,
        autocomplete="new-password",
        kind="password",
    ),
)
EDITABLE = ("last_name", "first_name", "email", "district", "job_title")
PASSWORD_MODES = {"generate": "自動で作成する（推奨）", "manual": "自分で決める"}


def valid_id(value: str) -> bool:
    """True for an id as Keycloak makes them (so it is safe inside a URL path)."""
    return ID_PATTERN.fullmatch(value) is not None


def temporary_password(length: int = 16) -> str:
    """A random password meeting the realm's policy (every character class), without look-alike characters."""
    classes = (_UPPER, _LOWER, _DIGITS, _SYMBOLS)
    chars = [secrets.choice(group) for group in classes]
    chars += [secrets.choice("".join(classes)) for _ in range(length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher–Yates with the system's CSPRNG
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def check_secret(values: dict[str, str], errors: dict[str, str]) -> bool:
    """Notes a missing password when the administrator chose to type one; True when nothing is wrong."""
    if values.get("password_mode") == "manual" and not values.get(SECRET):
        errors[SECRET] = NOTHING_TYPED
    return not errors


@dataclass
class UserForm:
    """A user account as typed (new or edited), and the Japanese message for each wrong field."""

    values: dict[str, str] = field(default_factory=lambda: {"password_mode": "generate"})
    groups: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_user(cls, user: dict[str, Any]) -> UserForm:
        """The edit form filled with the stored account."""
        return cls(values={name: str(user.get(name) or "") for name in EDITABLE})

    @classmethod
    def from_form(cls, form: FormData) -> UserForm:
        """Reads the posted fields, ignoring anything else."""
        names = [f.name for f in USER_FIELDS if f.kind != "checkbox"]
        values = {name: str(form.get(name) or "").strip() for name in names}
        values[SECRET] = str(form.get(SECRET) or "")  # exactly as typed
        return cls(values=values, groups=[str(g) for g in form.getlist("groups")])

    def password(self) -> str:
        """The temporary password to set: generated unless the administrator chose one."""
        if self.values.get("password_mode") == "manual":
            return self.values.get(SECRET, "")
        return temporary_password()

    def create_payload(self, password: str) -> dict[str, Any]:
        """The JSON for identity's POST /users."""
        body: dict[str, Any] = {name: self.values.get(name, "") for name in ("username", *EDITABLE)}
        return body | {"groups": self.groups, SECRET: password}

    def update_payload(self) -> dict[str, str]:
        """The JSON for identity's PATCH /users/{id}."""
        return {name: self.values.get(name, "") for name in EDITABLE}

    def check(self, *, new: bool) -> bool:
        """Notes each required item left empty (and the password, for a new account); True when none is."""
        labels = {f.name: f.label for f in USER_FIELDS}
        for name in ("username", "last_name") if new else ("last_name",):
            if not self.values.get(name):
                self.errors[name] = f"{labels[name]}を入力してください。"
        return check_secret(self.values, self.errors) if new else not self.errors

    def set_errors(self, errors: dict[str, str]) -> None:
        """Places identity's messages beside the fields they are about; a typed password is not shown again."""
        self.values[SECRET] = ""
        known = {f.name for f in USER_FIELDS}
        for name, message in errors.items():
            self.errors.setdefault(name if name in known else GENERAL_ERROR, message)

    def field_errors(self) -> dict[str, str]:
        """Messages about fields of this form, keyed by field name."""
        return {name: message for name, message in self.errors.items() if name != GENERAL_ERROR}

    def other_errors(self) -> list[str]:
        """Messages that belong to no single field."""
        return [message for name, message in self.errors.items() if name == GENERAL_ERROR]


@dataclass
class PasswordForm:
    """A password reset: generated or typed by the administrator."""

    values: dict[str, str] = field(default_factory=lambda: {"password_mode": "generate"})
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData) -> PasswordForm:
        """Reads the posted choice and password."""
        mode = str(form.get("password_mode") or "generate")
        return cls(values={"password_mode": mode, SECRET: str(form.get(SECRET) or "")})

    def password(self) -> str:
        """The temporary password to set."""
        return UserForm(values=self.values).password()

    def check(self) -> bool:
        """True unless the administrator chose to type a password and left it empty."""
        return check_secret(self.values, self.errors)

    def refuse(self, message: str) -> None:
        """Shows why the password was refused; the typed password is not shown again."""
        self.values[SECRET] = ""
        self.errors[SECRET] = message


Network = IPv4Network | IPv6Network


@dataclass
class HistoryFilter:
    """The filter of the login or operation history as typed, the query for identity, and what is wrong."""

    values: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    network: Network | None = None

    @classmethod
    def read(cls, query: QueryParams, names: tuple[str, ...], *, rename: dict[str, str]) -> HistoryFilter:
        """Reads the typed filter; `rename` maps form names to identity's parameter names."""
        values = {name: query.get(name, "").strip() for name in (*names, "from", "to", "limit")}
        found = cls(values=values)
        for name in names:
            if values[name]:
                found.params[rename.get(name, name)] = values[name]
        found._period()
        found.params["limit"] = values["limit"] if values["limit"] in ("100", "500", "1000") else "100"
        return found

    def _period(self) -> None:
        days: dict[str, date] = {}
        for name in ("from", "to"):
            if not self.values[name]:
                continue
            try:
                days[name] = parse_date(self.values[name])
            except WarekiError as exc:
                self.errors[name] = str(exc)
        if "from" in days and "to" in days and days["from"] > days["to"]:
            self.errors["to"] = "期間の終わりは、始まりと同じかそれより後の日付にしてください。"
        self.params |= {name: day.isoformat() for name, day in days.items()}

    def read_network(self, name: str = "ip") -> None:
        """The IP address or CIDR range to narrow the list to, if one was typed."""
        typed = self.values.get(name, "")
        self.params.pop(name, None)
        if not typed:
            return
        try:
            self.network = ip_network(typed, strict=False)
        except ValueError:
            self.errors[name] = "IPアドレスは「192.0.2.10」や「192.0.2.0/24」の形で入力してください。"

    def matches(self, address: str) -> bool:
        """True when no network was given or the address lies in it."""
        if self.network is None:
            return True
        try:
            return ip_address(address) in self.network
        except ValueError:
            return False

    @property
    def asked(self) -> bool:
        """True when the user searched (a filter field or the search button was used)."""
        return any(self.values.values())
