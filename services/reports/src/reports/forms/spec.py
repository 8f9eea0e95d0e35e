"""What a form is: its id, Japanese title, genre, template and how its template context is built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from reports.care_record.models import CareRecord
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary


class Genre(StrEnum):
    """The genres of 別紙2, by which forms are also printed in batches (R19)."""

    PATIENTS = "患者管理"
    REVIEW_BOARD = "診査会"
    CONTACT_SCREENING = "接触者健診"


@dataclass(frozen=True)
class FormInput:
    """Everything a form is printed from: the patient and their records as the read model holds them, when, by whom."""

    patient: PatientSummary
    printed_at: datetime
    printed_by: str
    lab_results: Sequence[LabResult] = ()
    care_records: Sequence[CareRecord] = ()
    # this health center's name, address and 問い合わせ先 (the masters' letterhead) for the letters (F29); None
    # while the document service does not load it: the letter then leaves the sender's lines blank to fill in
    letterhead: Mapping[str, Any] | None = None
    # the record the user chose to print the form about (F29: the examination); None: the form picks it
    record_id: str | None = None


ContextBuilder = Callable[[FormInput], Mapping[str, object]]


@dataclass(frozen=True)
class RequiredItem:
    """An item the form must not print empty (the missing-data check): where it is in the context, its name,
    and the section of the record page where it is filled in (an anchor the gateway links to)."""

    key: str  # a dotted path into the form's context, e.g. "notification.doctor"
    label: str
    section: str = "basic-title"


@dataclass(frozen=True)
class FormSpec:
    """One official form: a registry entry is all a new form needs besides its template."""

    id: str
    title: str
    genre: Genre
    template: str
    build_context: ContextBuilder
    revision: str = "1"  # bump on a 様式改正; the template digest is appended when stored
    required: tuple[RequiredItem, ...] = ()  # checked before printing; the user may print anyway
