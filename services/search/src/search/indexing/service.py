"""Rebuilding the index from the owning services' snapshots: the index is never the source of truth."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import PatientSnapshot
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal

from search.engine.base import SearchEngine
from search.indexing.documents import patient_document
from search.indexing.repository import IndexedVersionRepository
from search.indexing.schemas import PatientBatch, ReindexReport

SERVICE = "search"


class ReindexService:
    """What an administrator does after a lost or changed index: feed every record in again."""

    def __init__(self, session: AsyncSession, principal: Principal, engine: SearchEngine) -> None:
        self.session, self.principal, self.engine = session, principal, engine
        self.ledger = IndexedVersionRepository(session)

    async def reindex_patients(self, batch: PatientBatch) -> ReindexReport:
        """Indexes one page of patient snapshots; `reset` empties the index first, `done` marks it complete."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # it empties the index and writes what it is sent
        self.principal.require(Area.PATIENTS, Access.READ)
        if batch.reset:
            await self.engine.begin_rebuild()
        report = ReindexReport(received=len(batch.patients), indexed=0)
        for raw in batch.patients:
            document = patient_document(PatientSnapshot.model_validate(raw), raw)
            if not await self.ledger.catch_up(document.record_type, document.id, document.version):
                report.skipped += 1
            elif await self.engine.index(document):
                report.indexed += 1
            else:
                report.current += 1
        if batch.done:
            await self.engine.finish_rebuild()
        counts = " ".join(f"{name}={value}" for name, value in report.model_dump().items())
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="search_index",
            detail=f"reindex patients {counts} reset={batch.reset} done={batch.done}",
        )
        return report
