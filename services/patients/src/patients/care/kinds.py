"""The kinds of care record and what differs between them: table, input schemas, labels, order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from patients.care import schemas
from patients.care.models import Hospitalisation, ProgressNote, PublicExpense, Transfer, Treatment


@dataclass(frozen=True)
class CareKind:
    """One kind of care record."""

    name: str  # record_type in the edit history and `kind` in events
    path: str  # URL segment under /patients/{id}/
    label: str
    model: type[Any]
    create: type[BaseModel]
    fields: type[BaseModel]
    order_by: str  # newest first by this date
    codes: dict[str, dict[str, str]]

    @property
    def editable(self) -> tuple[str, ...]:
        """The items a correction may change."""
        return tuple(self.fields.model_fields)

    def labels(self, data: dict[str, Any]) -> dict[str, str]:
        """Japanese labels of the coded items of a record."""
        return {name: codes.get(str(data.get(name)), "") for name, codes in self.codes.items() if data.get(name)}


TREATMENT = CareKind(
    "treatment",
    "treatments",
    "治療",
    Treatment,
    schemas.TreatmentCreate,
    schemas.TreatmentFields,
    "started_on",
    {"regimen": schemas.REGIMENS, "outcome": schemas.OUTCOMES},
)
HOSPITALISATION = CareKind(
    "hospitalisation",
    "hospitalisations",
    "入院",
    Hospitalisation,
    schemas.HospitalisationCreate,
    schemas.HospitalisationFields,
    "admitted_on",
    {},
)
TRANSFER = CareKind(
    "transfer",
    "transfers",
    "転入・転出",
    Transfer,
    schemas.TransferCreate,
    schemas.TransferFields,
    "moved_on",
    {"direction": schemas.DIRECTIONS},
)
PROGRESS_NOTE = CareKind(
    "progress_note",
    "notes",
    "経過記録",
    ProgressNote,
    schemas.ProgressNoteCreate,
    schemas.ProgressNoteFields,
    "noted_on",
    {"kind": schemas.NOTE_KINDS},
)
PUBLIC_EXPENSE = CareKind(
    "public_expense",
    "public-expenses",
    "公費負担",
    PublicExpense,
    schemas.PublicExpenseCreate,
    schemas.PublicExpenseFields,
    "applied_on",
    {"basis": schemas.PUBLIC_EXPENSE_BASES, "status": schemas.PUBLIC_EXPENSE_STATUSES},
)
KINDS = (TREATMENT, HOSPITALISATION, TRANSFER, PROGRESS_NOTE, PUBLIC_EXPENSE)
BY_PATH = {kind.path: kind for kind in KINDS}
