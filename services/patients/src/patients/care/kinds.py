"""The kinds of care record and what differs between them: URL, input schemas, table, labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from tbms_contracts.patients import CareRecordSnapshot

from patients.care import codes, schemas
from patients.care.repository import (
    CareRecordRepository,
    HospitalisationRepository,
    ProgressNoteRepository,
    PublicExpenseRepository,
    TransferRepository,
    TreatmentRepository,
)
from patients.care.schemas import CareChange, CareRecordRead


@dataclass(frozen=True)
class CareKind:
    """One kind of care record."""

    name: str  # record_type in the edit history and `kind` in events
    path: str  # URL segment under /patients/{id}/
    label: str
    repository: type[CareRecordRepository[Any]]
    create: type[BaseModel]
    update: type[BaseModel]
    change: type[CareChange]
    codes: dict[str, dict[str, str]]

    @property
    def model(self) -> type[Any]:
        """The table of this kind."""
        return self.repository.model

    @property
    def editable(self) -> tuple[str, ...]:
        """The items a correction may change."""
        return tuple(self.update.model_fields)

    def labels(self, data: dict[str, Any]) -> dict[str, str]:
        """Japanese labels of the coded items of a record."""
        return {name: labels.get(str(data.get(name)), "") for name, labels in self.codes.items() if data.get(name)}

    def data(self, record: Any) -> dict[str, Any]:
        """A record's items as JSON values (a progress note also names its author)."""
        names = (*self.editable, "author", "author_name") if self.name == "progress_note" else self.editable
        return {name: to_jsonable_python(getattr(record, name)) for name in names}

    def snapshot(self, record: Any) -> CareRecordSnapshot:
        """A record as CareRecordSaved carries it: its items and the labels of the coded ones."""
        data = self.data(record)
        return CareRecordSnapshot(
            id=str(record.id),
            patient_id=str(record.patient_id),
            version=record.version,
            kind=self.name,
            data=data,
            labels=self.labels(data),
        )

    def read(self, record: Any) -> CareRecordRead:
        """A record as the API shows it: its items and the labels of the coded ones."""
        data = self.data(record)
        return CareRecordRead(
            id=record.id,
            patient_id=record.patient_id,
            version=record.version,
            updated_at=record.updated_at,
            updated_by=record.updated_by,
            data=data,
            labels=self.labels(data),
        )


TREATMENT = CareKind(
    "treatment",
    "treatments",
    "治療",
    TreatmentRepository,
    schemas.TreatmentCreate,
    schemas.TreatmentUpdate,
    schemas.TreatmentChange,
    {"regimen": codes.REGIMENS, "outcome": codes.OUTCOMES},
)
HOSPITALISATION = CareKind(
    "hospitalisation",
    "hospitalisations",
    "入院",
    HospitalisationRepository,
    schemas.HospitalisationCreate,
    schemas.HospitalisationUpdate,
    schemas.HospitalisationChange,
    {},
)
TRANSFER = CareKind(
    "transfer",
    "transfers",
    "転入・転出",
    TransferRepository,
    schemas.TransferCreate,
    schemas.TransferUpdate,
    schemas.TransferChange,
    {"direction": codes.DIRECTIONS},
)
PROGRESS_NOTE = CareKind(
    "progress_note",
    "notes",
    "経過記録",
    ProgressNoteRepository,
    schemas.ProgressNoteCreate,
    schemas.ProgressNoteUpdate,
    schemas.ProgressNoteChange,
    {"kind": codes.NOTE_KINDS, "contact": codes.CONTACT_MODES},
)
PUBLIC_EXPENSE = CareKind(
    "public_expense",
    "public-expenses",
    "公費負担",
    PublicExpenseRepository,
    schemas.PublicExpenseCreate,
    schemas.PublicExpenseUpdate,
    schemas.PublicExpenseChange,
    {"basis": codes.PUBLIC_EXPENSE_BASES, "status": codes.PUBLIC_EXPENSE_STATUSES},
)
KINDS = (TREATMENT, HOSPITALISATION, TRANSFER, PROGRESS_NOTE, PUBLIC_EXPENSE)
BY_PATH = {kind.path: kind for kind in KINDS}
BY_NAME = {kind.name: kind for kind in KINDS}
