"""What a contact's row keeps of the rules' answers, so the screening list can filter and sort in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tbms_core.clock import today
from tbms_core.jp.text import digits_only

from contacts.contact.models import Contact
from contacts.contact.schemas import ContactRead
from contacts.contact.view import OPEN, contact_read
from contacts.exam.models import Exam
from contacts.settings import get_settings


def values_of(contact: Contact, read: ContactRead) -> dict[str, Any]:
    """The derived columns from a contact's read model: none of them depends on the day it is computed."""
    open_days = [d.due_on for d in read.plan if d.status in OPEN]
    return {
        "next_due_on": min(open_days, default=None),
        "priority": read.priority.value,
        "has_result": any(e.status == "done" for e in read.exams),
        "phone_digits": digits_only(contact.phone)[:20],
    }


def derived_values(contact: Contact, exams: Sequence[Exam]) -> dict[str, Any]:
    """The derived columns of a contact and its exams, with the rules of the settings (names are not needed)."""
    read = contact_read(contact, exams, {}, {}, get_settings().screening_rules(), today())
    return values_of(contact, read)
