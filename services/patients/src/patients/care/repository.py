"""Every query of the care-record module; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from sqlalchemy import select
from tbms_core.repository import RecordIndex, Repository

from patients.care.errors import CareRecordNotFound
from patients.care.models import Hospitalisation, ProgressNote, PublicExpense, Transfer, TransferSending, Treatment
from patients.dots.models import CohortReview, DotsAssessment, DotsConfirmation, DotsPlan

RecordT = TypeVar("RecordT")  # a model with patient_id and created_at: a care record, a DOTS record …


class PatientRecordRepository(Repository[RecordT]):
    """Reads and writes one kind of a patient's records in the caller's unit of work (care records here, DOTS
    records too); a subclass names the kind, its not-found error and the date its list is ordered by."""

    newest_first_by: ClassVar[str]  # the date a patient's records are listed by, newest first

    async def add(self, record: RecordT) -> RecordT:
        """Stores a new record and reads back what the database set (its times)."""
        await super().add(record)
        await self.session.refresh(record)
        return record

    async def get_of_patient(self, patient_id: uuid.UUID, record_id: uuid.UUID) -> RecordT:
        """The patient's record of this kind, or the kind's not-found error."""
        record = await self.get(record_id)
        if record.patient_id != patient_id:  # type: ignore[attr-defined]
            raise self.not_found()
        return record

    async def of_patient(self, patient_id: uuid.UUID) -> list[RecordT]:
        """A patient's records of this kind, newest first (by their date, then by when they were entered)."""
        model: Any = self.model
        rows = await self.session.scalars(
            select(model)
            .where(model.patient_id == patient_id)
            .order_by(getattr(model, self.newest_first_by).desc(), model.created_at.desc())
        )
        return list(rows)


class CareRecordRepository(PatientRecordRepository[RecordT]):
    """Reads and writes one kind of care record; a subclass names the kind."""

    not_found = CareRecordNotFound


class TreatmentRepository(CareRecordRepository[Treatment]):
    """Treatment courses."""

    model = Treatment
    newest_first_by = "started_on"


class HospitalisationRepository(CareRecordRepository[Hospitalisation]):
    """Hospital stays."""

    model = Hospitalisation
    newest_first_by = "admitted_on"


class TransferRepository(CareRecordRepository[Transfer]):
    """Moves into and out of the area."""

    model = Transfer
    newest_first_by = "moved_on"


async def sendings_of(session: Any, transfer_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[TransferSending]]:
    """The sendings of each transfer, oldest first (a sending is never deleted)."""
    found: dict[uuid.UUID, list[TransferSending]] = {}
    if not transfer_ids:
        return found
    rows = await session.scalars(
        select(TransferSending)
        .where(TransferSending.transfer_id.in_(transfer_ids))
        .order_by(TransferSending.sent_on, TransferSending.recorded_at)
    )
    for row in rows:
        found.setdefault(row.transfer_id, []).append(row)
    return found


async def sending_of(session: Any, transfer_id: uuid.UUID, sending_id: uuid.UUID) -> TransferSending:
    """One sending of the transfer, or the care record's not-found error."""
    found = await session.get(TransferSending, sending_id)
    if found is None or found.transfer_id != transfer_id:
        raise CareRecordNotFound()
    return found


class ProgressNoteRepository(CareRecordRepository[ProgressNote]):
    """Entries of the 経過記録."""

    model = ProgressNote
    newest_first_by = "noted_on"


class PublicExpenseRepository(CareRecordRepository[PublicExpense]):
    """公費負担 applications and decisions."""

    model = PublicExpense
    newest_first_by = "applied_on"


class CareRecordIndex(RecordIndex):
    """Every record CareRecordSaved carries, of the care and the DOTS tables, in id order with its kind (the `kind`
    its events name)."""

    tables: ClassVar[Mapping[str, type[Any]]] = {
        "treatment": Treatment,
        "hospitalisation": Hospitalisation,
        "transfer": Transfer,
        "progress_note": ProgressNote,
        "public_expense": PublicExpense,
        "dots_assessment": DotsAssessment,
        "dots_plan": DotsPlan,
        "dots_confirmation": DotsConfirmation,
        "dots_cohort_review": CohortReview,
    }
