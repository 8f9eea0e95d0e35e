"""The assignments backfill: the events of the last weeks fill the read model; older records come from a page by
page copy of the patients and contacts lists (`tbms audit assignments`), never overwriting a newer snapshot."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from identity.assignments.repository import AssignmentRepository
from identity.assignments.schemas import AssignmentBatch, AssignmentReport

SERVICE = "identity"


class AssignmentBackfill:
    """Stores pages of patients and contacts in the read model (the version decides, as for events)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.repo = AssignmentRepository(session)

    async def store(self, batch: AssignmentBatch) -> AssignmentReport:
        """Stores one page; recorded in the operation history."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)
        if batch.contacts:
            self.principal.require(Area.CONTACTS, Access.READ)
        now, stored = utcnow(), 0
        for patient in batch.patients:
            stored += await self.repo.assign_person(
                patient.id,
                "patient",
                district=patient.district,
                nurse=patient.nurse,
                index_ids=[],
                version=patient.version,
                at=now,
            )
        for contact in batch.contacts:
            index_ids = sorted({e.index_patient_id for e in contact.exposures if e.index_patient_id})
            stored += await self.repo.assign_person(
                contact.id, "contact", district="", nurse="", index_ids=index_ids, version=contact.version, at=now
            )
        received = len(batch.patients) + len(batch.contacts)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="assignments",
            detail=f"backfill received={received} stored={stored}",
        )
        return AssignmentReport(received=received, stored=stored)
