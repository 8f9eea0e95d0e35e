"""Rebuilding the index from the owning services' snapshots: the index is never the source of truth."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.contacts import ContactSnapshot
from tbms_contracts.patients import PatientSnapshot
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal

from search.engine.base import SearchDocument, SearchEngine
from search.indexing.documents import contact_as_listed
from search.indexing.linking import contact_hit, patient_hit
from search.indexing.repository import IndexedVersionRepository
from search.indexing.schemas import PatientBatch, ReindexReport

SERVICE = "search"


class ReindexService:
    """What an administrator does after a lost or changed index: feed every record in again."""

    def __init__(self, session: AsyncSession, principal: Principal, engine: SearchEngine) -> None:
        self.session, self.principal, self.engine = session, principal, engine
        self.ledger = IndexedVersionRepository(session)

    async def reindex_patients(self, batch: PatientBatch) -> ReindexReport:
        """Indexes one page of patient and contact snapshots; `reset` empties the index first, `done` marks it
        complete."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # it empties the index and writes what it is sent
        self.principal.require(Area.PATIENTS, Access.READ)
        if "contacts" in batch.model_fields_set:  # a page of contacts, even an empty one
            self.principal.require(Area.CONTACTS, Access.READ)
        if batch.reset:
            await self.engine.begin_rebuild()
        report = ReindexReport(received=len(batch.patients) + len(batch.contacts), indexed=0)
        for raw in batch.patients:
            patient = PatientSnapshot.model_validate(raw)
            if await self._catch_up(report, "patient", patient.id, patient.version):
                await self._store(report, (await patient_hit(self.session, patient, raw))[0])
        for raw in batch.contacts:
            contact = ContactSnapshot.model_validate(contact_as_listed(raw))
            if await self._catch_up(report, "contact", contact.id, contact.version):
                await self._store(report, await contact_hit(self.session, contact))
        if batch.done:
            await self.engine.finish_rebuild()
        counts = " ".join(f"{name}={value}" for name, value in report.model_dump().items())
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="search_index",
            detail=f"reindex patients={len(batch.patients)} contacts={len(batch.contacts)} {counts} "
            f"reset={batch.reset} done={batch.done}",
        )
        return report

    async def _catch_up(self, report: ReindexReport, record_type: str, record_id: str, version: int) -> bool:
        if await self.ledger.catch_up(record_type, record_id, version):
            return True
        report.skipped += 1
        return False

    async def _store(self, report: ReindexReport, document: SearchDocument) -> None:
        if await self.engine.index(document):
            report.indexed += 1
        else:
            report.current += 1
