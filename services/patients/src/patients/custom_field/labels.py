"""How the edit history names configurable fields and definition changes, in Japanese."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from patients.custom_field.models import FieldDefinition
from patients.custom_field.values import display

RECORD_TYPE = "field_definition"
DEFINITION_LABELS = {
    "target": "対象",
    "key": "キー",
    "type": "入力形式",
    "label": "項目名",
    "choices": "選択肢",
    "required": "必須",
    "help_text": "説明",
    "sort_order": "表示順",
    "active_from": "適用開始日",
    "active_to": "適用終了日",
}
PREFIX = "custom."


def choices_text(choices: Iterable[dict[str, Any]]) -> str:
    """Choices in one line as the history shows them: 就労中（working）、無職（none）."""
    return "、".join(f"{c['label']}（{c['value']}）" for c in choices)


class CustomFieldLabels:
    """Labels and readable values of `custom.<key>` changes and of definition changes."""

    def __init__(self, definitions: Iterable[FieldDefinition]) -> None:
        self.definitions = {(d.target, d.key): d for d in definitions}

    def label(self, record_type: str, field: str) -> str | None:
        """The Japanese name of a changed field, or None when it is no configurable field."""
        if record_type == RECORD_TYPE:
            return DEFINITION_LABELS.get(field)
        if field.startswith(PREFIX):
            definition = self.definitions.get((record_type, field.removeprefix(PREFIX)))
            return definition.label if definition else field.removeprefix(PREFIX)
        return None

    def value(self, record_type: str, field: str, value: Any) -> str | None:
        """A value as staff read it, or None to format it the usual way."""
        if record_type == RECORD_TYPE and field == "required" and isinstance(value, bool):
            return "必須" if value else "任意"
        if record_type != RECORD_TYPE and field.startswith(PREFIX):
            return display(self.definitions.get((record_type, field.removeprefix(PREFIX))), value)
        return None
