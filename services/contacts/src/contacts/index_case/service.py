"""Looking up index patients (発端患者), with access checks; every look-up is audited as a read."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal

from contacts.index_case.models import IndexCase
from contacts.index_case.repository import IndexCaseRepository

SERVICE = "contacts"


class IndexCaseService:
    """What contact investigators do with index cases: open the summary of one."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.index_cases = IndexCaseRepository(session)

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
