"""HTML entry forms, generic: fields, what the user typed, messages placed beside fields, the date preview."""

from gateway.forms.date_preview import DatePreview, preview_date
from gateway.forms.entry import (
    BIRTH_DATE_HINT,
    DATE_HINT,
    GENERAL_ERROR,
    EntryForm,
    Field,
    Picker,
    every_code,
    lookup,
    nest,
    required_reason,
)

__all__ = [
    "BIRTH_DATE_HINT",
    "DATE_HINT",
    "GENERAL_ERROR",
    "DatePreview",
    "EntryForm",
    "Field",
    "Picker",
    "every_code",
    "lookup",
    "nest",
    "preview_date",
    "required_reason",
]
