"""Checking one master record as typed, without the database: its code, name, カナ, data and period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from tbms_core.errors import field_errors

from masters.master import values
from masters.master.spec import MasterKind
from masters.master.values import MISSING

MAX_NAME = 200


@dataclass(frozen=True)
class MasterValues:
    """A record's values as they are stored: cleaned, with the code derived where the kind makes it."""

    code: str
    name: str
    kana: str
    data: dict[str, Any]  # JSON values, every field of the kind present
    valid_from: date | None  # None: today for a new record, unchanged for one that exists
    valid_to: date | None


def prepare(
    kind: MasterKind,
    code: object,
    name: object,
    kana: object,
    data: dict[str, Any],
    valid_from: object = None,
    valid_to: object = None,
) -> tuple[MasterValues | None, dict[str, str]]:
    """The record's stored values, or the Japanese message per field (data fields under their own keys)."""
    errors: dict[str, str] = {}
    model = _data(kind, data, errors)
    stored_code = _code(kind, code, model, errors)
    stored_name = _name(kind, name, model, errors)
    stored_kana = _read(values.kana, kana, "kana", errors)
    start = _read(values.a_date, valid_from, "valid_from", errors)
    end = _read(values.a_date, valid_to, "valid_to", errors)
    if start and end and end < start:
        errors["valid_to"] = "有効期間の終了日が開始日より前になっています。"
    if model is not None and kind.rules is not None and "code" not in errors:
        errors = kind.rules(stored_code, model) | errors
    if errors or model is None:
        return None, errors
    stored = {key: values.as_json(value) for key, value in model.model_dump().items()}
    return MasterValues(stored_code, stored_name, stored_kana, stored, start, end), {}


def _data(kind: MasterKind, data: dict[str, Any], errors: dict[str, str]) -> BaseModel | None:
    if not isinstance(data, dict):
        errors["data"] = "項目の形式が正しくありません。"
        return None
    try:
        return kind.data_schema.model_validate(data)
    except ValidationError as exc:
        errors.update(field_errors(RequestValidationError(exc.errors())))
        return None


def _code(kind: MasterKind, code: object, model: BaseModel | None, errors: dict[str, str]) -> str:
    typed = values.text(code)
    if kind.derive_code is not None:
        if model is None:
            return typed
        derived = kind.derive_code(model)
        if typed and typed != derived:
            errors["code"] = f"{kind.code_label}は「{derived}」になります（空欄にすると自動で付きます）。"
        return derived
    if not typed:
        errors["code"] = MISSING
        return typed
    return _read(kind.check_code, typed, "code", errors) or typed


def _name(kind: MasterKind, name: object, model: BaseModel | None, errors: dict[str, str]) -> str:
    typed = values.text(name)
    if not typed and kind.default_name is not None and model is not None:
        typed = kind.default_name(model)
    if not typed:
        errors["name"] = MISSING
    elif len(typed) > MAX_NAME:
        errors["name"] = f"文字数が多すぎます（{MAX_NAME}文字まで）。"
    return typed


def _read(reader: Any, value: object, key: str, errors: dict[str, str]) -> Any:
    try:
        return reader(value)
    except ValueError as exc:
        errors[key] = str(exc)
        return None
