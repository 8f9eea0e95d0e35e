"""How master records read: the API's MasterRead, changes field by field in Japanese, type-ahead choices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tbms_core.clock import today
from tbms_core.jp.text import search_key
from tbms_core.jp.wareki import WarekiError, format_both

from masters.master.checks import MasterValues
from masters.master.kinds import KINDS
from masters.master.models import MasterRecord
from masters.master.schemas import FieldChangeRead, MasterRead, MasterSuggestion
from masters.master.spec import FieldSpec, MasterKind

Changes = dict[str, list[Any]]
EMPTY = "（空欄）"


def record_key(name: str, kana: str) -> str:
    """The search key stored with a record: its folded name and カナ, one per line (a search never spans both)."""
    return f"{search_key(name)}\n{search_key(kana)}"


def is_valid_on(record: MasterRecord, day: date) -> bool:
    """Tells whether the record is in force on a day."""
    return record.valid_from <= day and (record.valid_to is None or day <= record.valid_to)


def master_read(record: MasterRecord) -> MasterRead:
    """The record as the API and the MasterChanged event show it."""
    return MasterRead(
        kind=record.kind,
        code=record.code,
        name=record.name,
        kana=record.kana,
        data=in_order(record.kind, record.data),
        valid_from=record.valid_from,
        valid_to=record.valid_to,
        active=is_valid_on(record, today()),
        version=record.version,
        updated_at=record.updated_at,
        updated_by=record.updated_by,
    )


def in_order(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A record's data in the order of its kind's fields (JSONB keeps no order of its own)."""
    spec = KINDS.get(kind)
    keys = [field.key for field in spec.fields] if spec else []
    return {key: data.get(key) for key in keys} | {key: value for key, value in data.items() if key not in keys}


def stored(record: MasterRecord) -> dict[str, Any]:
    """The record's values as JSON, for comparing with what a change or a file brings."""
    return {
        "name": record.name,
        "kana": record.kana,
        **record.data,
        "valid_from": record.valid_from.isoformat(),
        "valid_to": record.valid_to.isoformat() if record.valid_to else None,
    }


def proposed(values: MasterValues, record: MasterRecord | None) -> dict[str, Any]:
    """The values a save would store, as JSON; a blank start keeps the record's own (today for a new one)."""
    start = values.valid_from or (record.valid_from if record is not None else today())
    return {
        "name": values.name,
        "kana": values.kana,
        **values.data,
        "valid_from": start.isoformat(),
        "valid_to": values.valid_to.isoformat() if values.valid_to else None,
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """`{field: [old, new]}` for every field whose value differs, in the order of `after`."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def created(after: Mapping[str, Any]) -> Changes:
    """The history entry of a new record: every field given, from nothing."""
    return {key: [None, value] for key, value in after.items() if value not in (None, "", False)}


def describe(kind: MasterKind, changes: Mapping[str, list[Any]]) -> list[FieldChangeRead]:
    """Changes as staff read them: Japanese labels, choice labels, dates in 和暦（西暦）."""
    specs = {spec.key: spec for spec in kind.columns()}
    order = {key: position for position, key in enumerate(specs)}  # JSONB keeps no order of its own
    return [
        FieldChangeRead(
            field=key,
            label=kind.label_of(key),
            old=format_value(specs.get(key), old),
            new=format_value(specs.get(key), new),
        )
        for key, (old, new) in sorted(changes.items(), key=lambda item: order.get(item[0], len(order)))
    ]


def format_value(spec: FieldSpec | None, value: Any) -> str:
    """One stored value as staff read it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if spec is not None and spec.type == "choice":
        return spec.choices.get(str(value), str(value))
    if spec is not None and spec.type == "date":
        try:
            return format_both(date.fromisoformat(str(value)))
        except (ValueError, WarekiError):
            return str(value)
    return str(value).replace("\n", "、")


def suggestion(kind: MasterKind, record: MasterRecord) -> MasterSuggestion:
    """A type-ahead choice: the name with its code, and what tells similar names apart."""
    label = record.name if kind.derive_code else f"{record.name}（{record.code}）"
    details = (format_value(kind.field(key), record.data.get(key)) for key in kind.detail_keys)
    return MasterSuggestion(
        code=record.code,
        name=record.name,
        kana=record.kana,
        label=label,
        detail="　".join(detail for detail in details if detail != EMPTY),
    )
