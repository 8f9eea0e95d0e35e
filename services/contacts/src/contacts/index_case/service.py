"""Looking up index patients (発端患者), with access checks; every look-up is audited as a read."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import BackfillReport, PatientSnapshot, PatientSnapshotPage, VersionPage
from tbms_core import audit, read_models
from tbms_core.auth import Access, Area, Principal

from contacts.deadline.service import touch_contacts_of
from contacts.index_case.models import IndexCase
from contacts.index_case.repository import IndexCaseRepository

SERVICE = "contacts"


async def apply_patient(session: AsyncSession, snapshot: PatientSnapshot) -> bool:
    """Stores a patient's summary unless a newer one is held (an event, or a page of `tbms replay contacts`);
    the contacts' to-dos follow a new nurse or district. True when it was stored."""
    fields = {
        "version": snapshot.version,
        "registration_no": snapshot.registration_no,
        "name": snapshot.name,
        "name_kana": snapshot.name_kana,
        "birth_date": snapshot.birth_date,
        "district": snapshot.district,
        "nurse": snapshot.nurse,
        "status": snapshot.status,
    }
    if not await IndexCaseRepository(session).apply(uuid.UUID(snapshot.id), fields):
        return False
    await touch_contacts_of(session, uuid.UUID(snapshot.id))
    return True


class IndexCaseService:
    """What contact investigators do with index cases: open the summary of one."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.index_cases = IndexCaseRepository(session)

    async def backfill(self, page: PatientSnapshotPage) -> BackfillReport:
        """Applies one page of the patients service's current snapshots (監査の更新 required): rebuilds the index
        cases after lost events or a restore, never undoing a newer event."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        return await read_models.backfill(
            self.session, SERVICE, page, lambda snapshot: apply_patient(self.session, snapshot), kind="patients"
        )

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the index cases held, for `tbms reconcile` to compare with the owner's."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        return await read_models.version_page(self.session, IndexCase.patient_id, IndexCase.version, after, limit)

    async def view(self, patient_id: uuid.UUID) -> IndexCase:
        """The summary of one index patient (audited as a read), or IndexCaseNotFound."""
        self.principal.require(Area.CONTACTS, Access.READ)
        case = await self.index_cases.get(patient_id)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="index_case",
            record_id=patient_id,
            person_id=patient_id,
        )
        return case
