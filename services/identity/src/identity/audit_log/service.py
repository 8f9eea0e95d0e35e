"""Reading and checking the operation history, with access checks; reading it is itself audited."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import Database, utcnow

from identity.audit_log.anchor import AnchorStore, verify_with_anchors
from identity.audit_log.chain import ChainReport
from identity.audit_log.disclosure import AUDITOR_SERVICE, disclosure_entries
from identity.audit_log.models import AuditEvent
from identity.audit_log.repository import AuditEventRepository
from identity.audit_log.schemas import AuditEventFilter, AuditEventRead, DisclosureReport

SERVICE = "identity"


class AuditLogService:
    """What auditors do with the operation history: search it and check it has not been tampered with."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.events = AuditEventRepository(session)

    async def search(self, criteria: AuditEventFilter) -> list[AuditEventRead]:
        """Events matching the criteria, newest first; recorded as a read of the audit log."""
        return [AuditEventRead.model_validate(row) for row in await self._matching(criteria, Operation.READ)]

    async def export(self, criteria: AuditEventFilter) -> list[AuditEvent]:
        """Events matching the criteria for a CSV download; recorded as an export of the audit log."""
        return await self._matching(criteria, Operation.EXPORT)

    async def _matching(self, criteria: AuditEventFilter, operation: Operation) -> list[AuditEvent]:
        self.principal.require(Area.AUDIT, Access.READ)
        rows = await self.events.search(**criteria.model_dump())
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="audit_log",
            person_id=criteria.person_id,
            query=criteria.as_query(),
        )
        return rows

    async def disclose(self, person_id: str, *, printed: bool = False) -> DisclosureReport:
        """Who accessed one person's data (本人開示); recorded as a read, or a print for the page."""
        self.principal.require(Area.AUDIT, Access.READ)
        items = disclosure_entries(await self.events.accesses_by_user(person_id, excluding_service=AUDITOR_SERVICE))
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.PRINT if printed else Operation.READ,
            record_type="disclosure",
            record_id=person_id,
            person_id=person_id,
        )
        return DisclosureReport(person_id=person_id, generated_at=utcnow(), items=items)

    async def verify(self, db: Database, anchors: AnchorStore) -> ChainReport:
        """Walks the whole chain on a consistent snapshot, checks its seals and its outside copies, and names the
        first broken seq."""
        self.principal.require(Area.AUDIT, Access.READ)
        return await verify_with_anchors(db, anchors)
