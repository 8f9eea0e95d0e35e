"""The master forms: a row's fields made from its kind's field specs, ending a row, and the import upload.

Inputs are named with masters' keys (`address`, `institution_code`); the row's own items (code, name, カナ and
the effective period) sit beside them. Dates are typed in 和暦 or 西暦 and sent to masters in ISO form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tbms_core.jp.text import normalize_input
from tbms_core.jp.wareki import WarekiError, parse_date

from gateway.clients.masters import FieldSpec, MasterKind
from gateway.forms import DATE_HINT, EntryForm, Field, Picker

FORM_ID = "m"
FIELD_KINDS = {  # masters' field types → how the form asks them
    "text": "text",
    "date": "date",
    "bool": "checkbox",
    "int": "number",
    "choice": "select",
    "multiline": "textarea",
    "ref": "text",
}
WIDE_KEYS = frozenset({"address", "contact_text", "agency", "health_center_name"})
OWN_KEYS = frozenset({"code", "name", "kana", "valid_from", "valid_to", "reason", "version", "csrf_token"})
INTEGER = re.compile(r"-?[0-9]+")
REASON_HINT = "例: 移転により住所を変更（修正履歴に残ります）"
NO_CHANGES = "変更された項目がありません。修正する項目を書き換えてから保存してください。"

END_FIELDS: tuple[Field, ...] = tuple(
    f.bound("end")
    for f in (
        Field("valid_to", "終了日", required=True, hint=f"この日まで有効です。{DATE_HINT}", kind="date"),
        Field("reason", "終了の理由", required=True, hint="例: 閉院のため（修正履歴に残ります）", kind="text-wide"),
    )
)
UPLOAD_HINT = (
    "CSVファイル（UTF-8またはShift_JIS）またはExcelファイル（.xlsx）。"
    "1行目の見出しは、このマスタを出力したファイルと同じにします。"
)
UPLOAD_FIELD = Field("file", "取り込むファイル", required=True, hint=UPLOAD_HINT).bound("import")


def data_field(spec: FieldSpec) -> Field:
    """One data item of a kind as a form field; a reference to another master gets that master's picker."""
    kind = FIELD_KINDS.get(spec.type, "text")
    if kind == "text" and spec.key in WIDE_KEYS:
        kind = "text-wide"
    hint = "　".join(filter(None, [spec.hint, DATE_HINT if kind == "date" else ""]))
    picker = Picker(spec.ref_kind, keeps="code") if spec.type == "ref" and spec.ref_kind else None
    return Field(spec.key, spec.label, spec.required, hint, kind=kind, choices=spec.choices, picker=picker)


def record_fields(kind: MasterKind, *, new: bool) -> tuple[Field, ...]:
    """Every input of a row's form: code (only for a new row), name, カナ, the kind's data, period and reason; the
    code (and name) optional where masters makes them from the data."""
    code = Field("code", kind.code_label, required=not kind.code_derived, hint=kind.code_hint)
    own = (
        Field("name", kind.name_label, required=not kind.name_derived, kind="text-wide"),
        Field("kana", "カナ", hint="カタカナ（ひらがなで入力しても構いません）", kind="text-wide"),
    )
    data = tuple(data_field(spec) for spec in kind.fields if spec.key not in OWN_KEYS)
    period = (
        Field("valid_from", "有効期間（開始）", hint=f"空欄のときは今日から有効です。{DATE_HINT}", kind="date"),
        Field(
            "valid_to",
            "有効期間（終了）",
            hint=f"空欄は終了日なし。使わなくなったときは「終了する」を使います。{DATE_HINT}",
            kind="date",
        ),
    )
    reason = (
        Field("reason", "登録の理由", hint="例: 新規開設（修正履歴に残ります）", kind="text-wide")
        if new
        else Field("reason", "修正理由", required=True, hint=REASON_HINT, kind="text-wide")
    )
    fields = ((code,) if new else ()) + own + data + period + (reason,)
    return tuple(f.bound(FORM_ID) for f in fields)


def stored_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values under the form's names: its own items and its data side by side."""
    own = {key: record.get(key) for key in ("code", "name", "kana", "valid_from", "valid_to")}
    return {**dict(record.get("data") or {}), **own}


def new_form(kind: MasterKind) -> EntryForm:
    """The empty form of a new row."""
    return EntryForm(record_fields(kind, new=True))


def filled_form(kind: MasterKind, record: Mapping[str, Any]) -> EntryForm:
    """A row's correction form showing what is stored, based on its version."""
    return EntryForm.filled(record_fields(kind, new=False), stored_values(record), record.get("version"))


def typed_value(f: Field, form: EntryForm) -> Any:
    """What masters gets for one input: ISO dates, whole numbers, flags; None for an empty date or number.

    A date that cannot be read is noted beside its field (masters is then not called).
    """
    value = f.json_value(form.values.get(f.name, ""))
    if f.kind == "date" and value:
        try:
            return parse_date(str(value)).isoformat()
        except WarekiError as exc:
            form.errors.setdefault(f.name, str(exc))
            return value
    if f.kind == "number" and value:
        number = normalize_input(str(value)).replace(",", "")
        return int(number) if INTEGER.fullmatch(number) else value  # masters says what is wrong with the rest
    if isinstance(value, str) and f.kind not in ("textarea", "hidden"):
        return value.strip()
    return value


def create_body(form: EntryForm) -> dict[str, Any]:
    """POST /masters/{kind}: the row's own items, its data, its period and the reason."""
    own_keys = ("code", "name", "kana", "valid_from", "valid_to")
    values = {f.name: typed_value(f, form) for f in form.fields if f.name != "reason"}
    body: dict[str, Any] = {key: values.pop(key) for key in own_keys if key in values}
    if not body.get("valid_from"):
        body.pop("valid_from", None)  # masters makes it today
    return {**body, "data": values, "reason": form.value("reason").strip()}


def changes_of(form: EntryForm, record: Mapping[str, Any]) -> dict[str, Any]:
    """PATCH's `changes`: only the items typed differently from what is stored now."""
    stored = stored_values(record)
    changes: dict[str, Any] = {}
    for f in form.fields:
        if f.name in ("code", "reason"):
            continue
        typed = form.values.get(f.name, "")
        if _same(f, typed, stored.get(f.name)):
            continue
        changes[f.name] = typed_value(f, form)
    return changes


def _same(f: Field, typed: Any, stored: Any) -> bool:
    """True when the input still shows the stored value (however it was typed: R8.4.1 or 2026-04-01, ５ or 5)."""
    if typed == f.as_typed(stored):
        return True
    probe = EntryForm((f,), {f.name: typed})
    value = typed_value(f, probe)
    if probe.errors:
        return False
    empty = (None, "", [])
    return (value in empty and stored in empty) or value == stored or str(value) == str(stored)


def end_values(form: EntryForm) -> tuple[str, str]:
    """The 終了日 in ISO form and the reason, or ("", reason) with a message beside the date."""
    return str(typed_value(form.field("valid_to"), form) or ""), form.value("reason").strip()


def upload_form() -> EntryForm:
    """The import upload, empty."""
    return EntryForm((UPLOAD_FIELD,))
