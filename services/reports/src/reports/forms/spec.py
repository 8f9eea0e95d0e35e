"""What a form is: its id, Japanese title, genre, template and how its template context is built."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from reports.care_record.models import CareRecord
from reports.circulation_stamp.stamps import Stamps
from reports.forms.letterhead import Letterhead
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary


class Genre(StrEnum):
    """The genres of 別紙2, by which forms are also printed in batches (R19)."""

    PATIENTS = "患者管理"
    REVIEW_BOARD = "診査会"
    CONTACT_SCREENING = "接触者健診"


@dataclass(frozen=True)
class Period:
    """A period a form is printed for (from and to, both included); an open end prints from the first or to the
    last record. Forms that print records by date (F06) keep only those inside."""

    start: date | None = None
    end: date | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def chosen(self) -> bool:
        """Whether the user asked for a period (else the form prints every record)."""
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class FormInput:
    """Everything a form is printed from: the patient and their records as the read model holds them, when, by whom."""

    patient: PatientSummary
    printed_at: datetime
    printed_by: str
    lab_results: Sequence[LabResult] = ()
    care_records: Sequence[CareRecord] = ()
    # this health center's name, address, phone, 所長 and 問い合わせ先 as masters last sent them (the printing paths
    # load it for every form); None before masters sent one: a letter then leaves the sender's lines blank
    letterhead: Letterhead | None = None
    period: Period = field(default_factory=Period)  # the period asked for, when the form prints one (F06)
    # the labels of the masters' コード表 per list ({"occupation": {code: label}}): a code added in マスタ管理
    code_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # the record the user chose to print the form about (F29: the examination); None: the form picks it
    record_id: str | None = None
    # the stamp boxes (所長・課長・係長・担当) of the record's 回議: names and dates once approved, else 未決裁
    stamps: Stamps = field(default_factory=Stamps)


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
    # the form has the approval boxes (所長・課長・係長・担当) of the record's 回議: base.html prints them top right
    # (names and dates once approved, 「未決裁」 in every box until then) unless the template places them itself
    stamp_boxes: bool = False
