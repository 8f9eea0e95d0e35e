"""The patient's deadlines (its open alerts with a date) recomputed after every unit of work that wrote a row of the
patient or of anything of theirs (result, care record, 診査会 case, 管理検診, DOTS record, investigation …), and once
a Japan day for the rules that become due with time (R11). One publisher for every write path: nothing to call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.deadlines import DeadlineRecord
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import Database
from tbms_core.deadlines import Computed, DeadlinePublisher, SweepCount

from patients.deadline.repository import AGGREGATE, PatientDeadlineRepository
from patients.patient.deadlines import deadlines_of
from patients.patient.models import Patient
from patients.patient.record import PatientRecordService

# The alerts are read on the publisher's behalf: no user, no access check, no audit (nothing is shown to anyone).
PUBLISHER_PRINCIPAL = Principal(user_id="deadlines", username="deadlines", display_name="期限の再計算")


def patient_of(instance: object) -> object | None:
    """The patient a written row belongs to: the patient itself, or the `patient_id` of a record of theirs."""
    if isinstance(instance, Patient):
        return instance.id
    return getattr(instance, "patient_id", None)


async def compute(session: AsyncSession, ids: Sequence[str]) -> Mapping[str, Computed]:
    """Each patient's deadlines as the patient page's alerts give them on Japan's today."""
    reader = PatientRecordService(session, PUBLISHER_PRINCIPAL)
    found = {}
    for patient in await PatientDeadlineRepository(session).patients(ids):
        label = f"{patient.registration_no} {patient.name}"
        record = DeadlineRecord(service="patients", aggregate=AGGREGATE, id=str(patient.id), label=label)
        deadlines = deadlines_of(patient, await reader.alerts_of(patient))
        # `after`: before this publisher, workflow applied the deadlines of PatientUpdated by the patient's version
        found[str(patient.id)] = Computed(record, deadlines, after=patient.version)
    return found


async def candidates(session: AsyncSession, day: date, limit: int) -> list[str]:
    """The patients the sweep of `day` still has to compute."""
    return await PatientDeadlineRepository(session).not_computed_on(day, limit)


PUBLISHER = DeadlinePublisher("patients", AGGREGATE, record_of=patient_of, compute=compute, candidates=candidates)


class DeadlineSweepService:
    """Runs the daily sweep now (an administrator's or an operator's button, or after a changed rule)."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self.db, self.principal = db, principal

    async def sweep(self, *, everything: bool = False) -> SweepCount:
        """Recomputes the patients not yet computed on Japan's today (every one, `everything`); republishes
        those whose deadlines changed."""
        self.principal.require(Area.PATIENTS, Access.UPDATE)
        return await PUBLISHER.sweep(self.db, everything=everything)
