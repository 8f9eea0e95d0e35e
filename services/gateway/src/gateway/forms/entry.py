"""HTML entry forms: the fields staff fill in, what they typed, and the API's messages placed beside them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from tbms_core.jp.text import is_kana_reading, normalize_input, to_katakana
from tbms_core.jp.wareki import WarekiError, format_wareki, parse_date

BIRTH_DATE_HINT = "和暦（例: S45.3.1、昭和45年3月1日、S450301）または西暦（例: 1970-03-01）"
DATE_HINT = "和暦（例: R8.10.1、R081001）または西暦（例: 2026-10-01）"
GENERAL_ERROR = "_"
TEXT_KINDS = frozenset({"text", "text-wide", "textarea", "tel", "postal", "password", "hidden"})
CHECKED = "yes"
POSTAL_MESSAGE = "郵便番号は7桁の数字で入力してください（例: 154-0017）。"  # as the patients and masters services say
KANA_MESSAGE = "カナはカタカナまたはひらがなで入力してください。"  # as the patients and contacts services say
POSTAL_CODE = re.compile("[0-9]{3}-?[0-9]{4}")
FORMER = "former:"  # /reference/card's `former:<list>`: codes no longer offered, with the labels old records show


def every_code(codes: Mapping[str, Mapping[str, str]], name: str) -> dict[str, str]:
    """{code: label} of a list with its ended codes after the offered ones (a correction form shows what an old
    record holds; the service refuses an ended code for a date it was not in force on)."""
    return dict(codes.get(name, {})) | dict(codes.get(f"{FORMER}{name}", {}))


Value = str | list[str]


@dataclass(frozen=True)
class Picker:
    """A type-ahead choice from a master (医療機関, 医師…) for a text input; free text stays allowed.

    Names other than `kind` are of fields of the same form: the hidden one that keeps the chosen row's code,
    the one whose code narrows the choices (a doctor by the chosen institution), and those a chosen row fills
    while they are empty (its address, its phone).
    """

    kind: str  # the master: institution, doctor, municipality…
    keeps: str = "name"  # what the input itself keeps of the chosen row: its name, or its code
    code: str = ""
    narrowed_by: str = ""
    fills: tuple[tuple[str, str], ...] = ()  # (data key of the row, field name)


@dataclass(frozen=True)
class Field:
    """One input of a form, named as the API names it (`disease.gakkai_type` inside a section)."""

    name: str
    label: str
    required: bool = False
    hint: str = ""
    autocomplete: str = "off"
    kind: str = "text"  # text text-wide textarea tel postal date number select radio checkbox checkboxes hidden
    form_id: str = ""  # keeps ids unique when several forms on one page have the same fields
    codes: str = ""  # the code list of GET /reference/card that holds the choices
    choices: tuple[tuple[str, str], ...] = ()  # choices of the gateway's own (when no code list has them)
    blank: str = ""  # what an empty input sends: "" by kind, "omit" (leave out) or "empty" (an empty string)
    picker: Picker | None = None  # suggestions from a master while typing (partials/picker.html)
    chars: bool = False  # a name or address the outputs carry: checked for 外字 while typed and when saved (N26)

    @property
    def base_id(self) -> str:
        """The stem of the ids of the field's elements: f-<form>-<name>, dots as hyphens."""
        stem = self.name.replace(".", "-")
        return f"f-{self.form_id}-{stem}" if self.form_id else f"f-{stem}"

    @property
    def input_id(self) -> str:
        """The id of the field's input (of its first choice for radio buttons and check boxes)."""
        return f"{self.base_id}-0" if self.kind in ("radio", "checkboxes") else self.base_id

    @property
    def check_format(self) -> str:
        """The format the browser and the gateway check before sending (static/checks.js): date, postal, kana."""
        if self.kind in ("date", "postal"):
            return self.kind
        return "kana" if self.name.rsplit(".", 1)[-1] == "name_kana" else ""

    @property
    def required_message(self) -> str:
        """What is said of this field left empty, in the browser and by the gateway alike."""
        return f"{self.label}を{'選んで' if self.kind in ('radio', 'select') else '入力して'}ください。"

    def problem(self, typed: Value) -> str:
        """What is wrong with the typed value by the rules checked before sending ("" when nothing): a required
        field left empty, a date the services cannot read (their message), a 郵便番号 or カナ they would refuse."""
        text = typed.strip() if isinstance(typed, str) else ",".join(typed)
        if not text:
            return self.required_message if self.required and self.kind != "hidden" else ""
        if self.check_format == "date":
            try:
                parse_date(text)
            except WarekiError as exc:
                return str(exc)
        elif self.check_format == "postal" and not POSTAL_CODE.fullmatch(normalize_input(text)):
            return POSTAL_MESSAGE
        elif self.check_format == "kana" and not is_kana_reading(to_katakana(text)):
            return KANA_MESSAGE
        return ""

    @property
    def error_id(self) -> str:
        """The id of the field's error message."""
        return f"{self.base_id}-error"

    def options(self, codes: Mapping[str, Mapping[str, str]], kept: Value | None = None) -> dict[str, str]:
        """The choices as {value: label}: the gateway's own, or the named code list as offered today; a value
        `kept` from the record that the list no longer offers (ended in the コード表) stays choosable with its
        label, so a correction does not lose it."""
        if self.choices:
            return dict(self.choices)
        offered = dict(codes.get(self.codes, {}))
        former = codes.get(f"{FORMER}{self.codes}", {})
        for value in [kept] if isinstance(kept, str) else kept or []:
            if value in former and value not in offered:
                offered[value] = former[value]
        return offered

    def labels(self, codes: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        """{value: label} of every code of the field's list, ended ones too: how stored values read."""
        return self.options(codes) | dict(codes.get(f"{FORMER}{self.codes}", {}))

    def bound(self, form_id: str) -> Field:
        """The same field in a form with this id."""
        return replace(self, form_id=form_id)

    def as_typed(self, stored: Any) -> Value:
        """A stored value as the input shows it: dates in short 和暦, lists as lists, flags as ticked."""
        if self.kind == "checkboxes":
            return [str(v) for v in stored or []]
        if self.kind == "checkbox":
            return CHECKED if stored else ""
        if stored is None:
            return ""
        if isinstance(stored, bool):
            return "true" if stored else "false"
        if isinstance(stored, list):  # a list kept one item a line (町丁目, 診療科)
            return "\n".join(str(item) for item in stored)
        if self.kind == "date" and stored:
            try:
                return format_wareki(date.fromisoformat(str(stored)[:10]), "short")
            except (ValueError, WarekiError):
                return str(stored)
        return str(stored)

    def json_value(self, typed: Value) -> Any:
        """What the API gets for the typed value; `None` for an empty choice, date or number."""
        if self.kind == "checkboxes":
            return list(typed)
        if self.kind == "checkbox":
            return typed == CHECKED
        text = str(typed)
        if text or self.kind in TEXT_KINDS or self.blank == "empty" or (self.kind == "date" and self.required):
            return text
        return None


@dataclass
class EntryForm:
    """One form as the user filled it: values as typed, the version it was based on, and what went wrong."""

    fields: tuple[Field, ...]
    values: dict[str, Value] = field(default_factory=dict)
    version: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str = ""
    chars: dict[str, Any] = field(default_factory=dict)  # field name → CharReport shown beside it (外字, N26)

    @classmethod
    def posted(cls, fields: tuple[Field, ...], form: FormData) -> EntryForm:
        """Reads the posted fields, ignoring anything else."""
        values: dict[str, Value] = {}
        for f in fields:
            values[f.name] = (
                [str(v) for v in form.getlist(f.name)] if f.kind == "checkboxes" else str(form.get(f.name) or "")
            )
        return cls(fields, values, version=str(form.get("version") or ""))

    @classmethod
    def filled(cls, fields: tuple[Field, ...], record: Mapping[str, Any], version: object = "") -> EntryForm:
        """The form showing a stored record (dotted names reach into its sections)."""
        return cls(fields, {f.name: f.as_typed(lookup(record, f.name)) for f in fields}, version=str(version or ""))

    @property
    def form_id(self) -> str:
        """The id the form's fields are bound to."""
        return self.fields[0].form_id if self.fields else ""

    def field(self, name: str) -> Field:
        """One field by name."""
        return next(f for f in self.fields if f.name == name)

    def group(self, prefix: str) -> list[Field]:
        """The fields whose names start with `prefix` (a section's, e.g. "disease.")."""
        return [f for f in self.fields if f.name.startswith(prefix)]

    def value(self, name: str) -> str:
        """A typed value as text ("" when absent)."""
        typed = self.values.get(name, "")
        return typed if isinstance(typed, str) else ",".join(typed)

    def json(self, *, skip: tuple[str, ...] = ("reason",)) -> dict[str, Any]:
        """The typed values as the API's JSON, dotted names nested into their sections."""
        body: dict[str, Any] = {}
        for f in self.fields:
            if f.name in skip or (f.blank == "omit" and self.values.get(f.name) in ("", [], None)):
                continue
            nest(body, f.name, f.json_value(self.values.get(f.name, "")))
        return body

    def checked_here(self) -> dict[str, str]:
        """The messages of the checks the browser also makes before sending (Field.problem), by field name: the
        gateway refuses these itself, so a user without script reads the same words."""
        return {f.name: message for f in self.fields if (message := f.problem(self.values.get(f.name, "")))}

    def place(self, errors: Mapping[str, str], aliases: Mapping[str, str] | None = None) -> None:
        """Keeps the API's messages, under the field (or section) each is about."""
        for key, message in errors.items():
            self.errors.setdefault((aliases or {}).get(key, key), message)

    def field_errors(self) -> dict[str, str]:
        """Messages about single fields, keyed by field name."""
        names = {f.name for f in self.fields}
        return {name: message for name, message in self.errors.items() if name in names}

    def group_errors(self) -> dict[str, str]:
        """Messages about a whole section (e.g. `disease`: dates out of order), keyed by the section."""
        return {g: m for g, m in self.errors.items() if g not in self.field_errors() and self.first_in(g)}

    def other_errors(self) -> list[str]:
        """Messages that belong to no field or section of this form."""
        placed = self.field_errors() | self.group_errors()
        return [message for name, message in self.errors.items() if name not in placed]

    def first_in(self, group: str) -> Field | None:
        """The first field of a section, where the section's message links to."""
        return next((f for f in self.fields if f.name.startswith(f"{group}.")), None)

    def linked_errors(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) of each placed message, in form order, for the error summary."""
        linked = [
            (self.target_of(f).input_id, f.label, self.errors[f.name]) for f in self.fields if f.name in self.errors
        ]
        for group, message in self.group_errors().items():
            first = self.first_in(group)
            linked.append((first.input_id, first.label, message))  # type: ignore[union-attr]
        return linked

    def target_of(self, f: Field) -> Field:
        """Where a message about a field takes the user: a hidden code's picker input, else the field itself."""
        if f.kind == "hidden":
            return next((p for p in self.fields if p.picker and p.picker.code == f.name), f)
        return f

    @property
    def failed(self) -> bool:
        """True when the form came back refused (its disclosure opens)."""
        return bool(self.errors or self.conflict)


def lookup(record: Mapping[str, Any], name: str) -> Any:
    """The value under a dotted name (`disease.form`), or None."""
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def nest(body: dict[str, Any], name: str, value: Any) -> None:
    """Sets a dotted name inside nested dicts."""
    *sections, last = name.split(".")
    for part in sections:
        body = body.setdefault(part, {})
    body[last] = value


def required_reason(form: EntryForm, label: str = "修正理由") -> bool:
    """Refuses a missing reason in the gateway (the API takes an empty one); True when it is there."""
    if form.value("reason").strip():
        return True
    form.errors["reason"] = f"{label}を入力してください。"
    return False
