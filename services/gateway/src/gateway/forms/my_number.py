"""The 個人番号 warning of free text (N17): tbms records no 個人番号, so a 12-digit number carrying its 検査用数字
in a text area or wide text field is shown back beside the field and saved only once the user confirms."""

from __future__ import annotations

from starlette.datastructures import FormData
from tbms_core.jp.my_number import MY_NUMBER_WARNING, find_my_numbers

from gateway.forms.entry import CHECKED, EntryForm

CONFIRMED = "my_number_confirmed"  # the check box 「個人番号ではないことを確認しました」
FREE_TEXT = frozenset({"textarea", "text-wide"})


def my_number_fields(form: EntryForm) -> list[str]:
    """The free-text fields of the form holding what looks like a 個人番号."""
    return [f.name for f in form.fields if f.kind in FREE_TEXT and find_my_numbers(form.value(f.name))]


def my_number_warnings(form: EntryForm, posted: FormData) -> dict[str, str]:
    """The warning beside each such field, unless the user confirmed after seeing it."""
    if posted.get(CONFIRMED) == CHECKED:
        return {}
    return dict.fromkeys(my_number_fields(form), MY_NUMBER_WARNING)
