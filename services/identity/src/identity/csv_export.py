"""Japanese names of operations in identity's CSV downloads and reports (R36); the CSV writer is tbms_core's."""

from __future__ import annotations

from tbms_contracts.labels import OPERATION_LABELS


def operation_label(operation: str) -> str:
    """An operation's Japanese name."""
    return OPERATION_LABELS.get(operation, operation)
