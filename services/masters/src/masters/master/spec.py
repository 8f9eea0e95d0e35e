"""How a kind of master is described: its fields, its code, its rules; the schema of its data built from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from masters.master import values
from masters.master.values import MISSING, is_blank

FieldType = Literal["text", "date", "bool", "int", "choice", "multiline", "ref"]
CodeRule = Callable[[str], str]  # the code as stored, or ValueError with the Japanese message
Rules = Callable[[str, BaseModel], dict[str, str]]


@dataclass(frozen=True)
class FieldSpec:
    """One item of a kind's data: how forms, exports and the API name and check it."""

    key: str
    label: str
    type: FieldType = "text"
    required: bool = False
    choices: Mapping[str, str] = field(default_factory=dict)
    ref_kind: str = ""
    hint: str = ""
    max_length: int = 200
    parse: Callable[[object], Any] | None = None  # a stricter reader than the type's own (郵便番号, 電話番号)

    def public(self) -> dict[str, Any]:
        """What GET /masters/kinds shows of the field."""
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "choices": dict(self.choices),
            "ref_kind": self.ref_kind,
            "hint": self.hint,
        }


_READERS: dict[str, tuple[Callable[[object], Any], type, Any]] = {
    "text": (values.text, str, ""),
    "multiline": (values.lines, str, ""),
    "ref": (values.text, str, ""),
    "date": (values.a_date, date | None, None),  # type: ignore[dict-item]
    "bool": (values.yes_no, bool, False),
    "int": (values.count, int | None, None),  # type: ignore[dict-item]
}


def _reader(spec: FieldSpec) -> tuple[Any, Any]:
    """The pydantic annotation and default of one field: blank means its default unless required."""
    read, kind, default = _READERS.get(spec.type, (values.choice(spec.choices), str, ""))
    read = spec.parse or read

    def run(value: object) -> Any:
        if spec.required and is_blank(value):
            raise ValueError(MISSING)
        if isinstance(value, str) and len(value) > spec.max_length:
            raise ValueError(f"文字数が多すぎます（{spec.max_length}文字まで）。")
        return read(value)

    return (Annotated[kind, BeforeValidator(run)], ... if spec.required else default)


def data_schema(name: str, fields: tuple[FieldSpec, ...]) -> type[BaseModel]:
    """The pydantic schema of a kind's data, built from its fields (unknown keys refused)."""
    definitions = {spec.key: _reader(spec) for spec in fields}
    return create_model(name, __config__=ConfigDict(extra="forbid"), **definitions)  # type: ignore[call-overload]


@dataclass(frozen=True)
class MasterKind:
    """One kind of master: its name, code, data fields and the rules that tie code and data together."""

    kind: str
    label: str
    code_label: str
    fields: tuple[FieldSpec, ...]
    data_schema: type[BaseModel]
    code_hint: str = ""
    name_label: str = "名称"
    check_code: CodeRule = values.free_code
    derive_code: Callable[[BaseModel], str] | None = None  # codes made of the data (コード表, 人口)
    default_name: Callable[[BaseModel], str] | None = None
    rules: Rules | None = None
    ref_key: str = ""  # the data key `suggest(ref=…)` narrows by
    detail_keys: tuple[str, ...] = ()  # what a suggestion shows beside the name
    ordered: bool = False  # listed by data.sort_order, then code

    def field(self, key: str) -> FieldSpec | None:
        """The data field with this key, if any."""
        return next((spec for spec in self.fields if spec.key == key), None)

    def columns(self) -> list[FieldSpec]:
        """Every column of the kind as an export or an import names it: code, name, カナ, data, period."""
        return [
            FieldSpec("code", self.code_label, required=self.derive_code is None, hint=self.code_hint),
            FieldSpec("name", self.name_label, required=self.default_name is None),
            FieldSpec("kana", "カナ"),
            *self.fields,
            FieldSpec("valid_from", "有効期間（開始）", "date", hint="空欄は今日から"),
            FieldSpec("valid_to", "有効期間（終了）", "date", hint="空欄は期限なし"),
        ]

    def label_of(self, key: str) -> str:
        """The Japanese name of a column or data key."""
        return next((spec.label for spec in self.columns() if spec.key == key), key)

    def public(self) -> dict[str, Any]:
        """What GET /masters/kinds shows of the kind."""
        return {
            "kind": self.kind,
            "label": self.label,
            "code_label": self.code_label,
            "code_hint": self.code_hint,
            "name_label": self.name_label,
            "code_derived": self.derive_code is not None,
            "name_derived": self.default_name is not None,
            "fields": [spec.public() for spec in self.fields],
        }


def kind(
    key: str, label: str, code_label: str, fields: tuple[FieldSpec, ...], **options: Any
) -> tuple[str, MasterKind]:
    """A KINDS entry with its generated data schema."""
    schema = data_schema(f"{''.join(part.title() for part in key.split('_'))}Data", fields)
    return key, MasterKind(key, label, code_label, fields, schema, **options)


def period(start: str, end: str, message: str) -> Rules:
    """A rule that an end date is not before its start date."""

    def check(_: str, data: BaseModel) -> dict[str, str]:
        first, last = getattr(data, start), getattr(data, end)
        return {end: message} if first and last and last < first else {}

    return check


def all_of(*rules: Rules) -> Rules:
    """Every rule's messages together."""

    def check(code: str, data: BaseModel) -> dict[str, str]:
        found: dict[str, str] = {}
        for rule in rules:
            found = rule(code, data) | found
        return found

    return check
