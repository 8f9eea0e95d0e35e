"""Rebuilding the index from the owning services' snapshots: the index is never the source of truth."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.contacts import ContactSnapshot
from tbms_contracts.patients import PatientSnapshot
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.errors import InvalidInput

from search.engine.base import IndexStatus, SearchDocument, SearchEngine
from search.indexing.documents import contact_as_listed
from search.indexing.linking import contact_hit, patient_hit
from search.indexing.repository import IndexedVersionRepository
from search.indexing.schemas import PatientBatch, ReindexReport
from search.rebuild.models import Rebuild
from search.rebuild.service import RebuildService

SERVICE = "search"
Snapshot = TypeVar("Snapshot", PatientSnapshot, ContactSnapshot)


class ReindexService:
    """What an administrator does after a lost or changed index: feed every record in again."""

    def __init__(self, session: AsyncSession, principal: Principal, engine: SearchEngine) -> None:
        self.session, self.principal, self.engine = session, principal, engine
        self.ledger = IndexedVersionRepository(session)
        self.rebuilds = RebuildService(session, engine)

    async def reindex_patients(self, batch: PatientBatch) -> ReindexReport:
        """Indexes one page of patient and contact snapshots: `reset` begins a rebuild into a new index beside the
        live one, later pages go into it, `done` swaps it in. Without a running rebuild pages go into the live
        index (`tbms search reindex --keep`) and `done` marks it complete."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # it replaces the index with what it is sent
        self.principal.require(Area.PATIENTS, Access.READ)
        if "contacts" in batch.model_fields_set:  # a page of contacts, even an empty one
            self.principal.require(Area.CONTACTS, Access.READ)
        patients = [_parse(PatientSnapshot, raw, f"patients.{n}") for n, raw in enumerate(batch.patients)]
        contacts = [_parse(ContactSnapshot, raw, f"contacts.{n}", listed=True) for n, raw in enumerate(batch.contacts)]
        rebuild = await self.rebuilds.start() if batch.reset else await self.rebuilds.current(batch.rebuild_id)
        report = ReindexReport(received=len(batch.patients) + len(batch.contacts), indexed=0)
        report.rebuild_id = rebuild.id if rebuild else None
        for patient, raw in zip(patients, batch.patients, strict=True):
            if await self._catch_up(report, "patient", patient.id, patient.version):
                await self._store(report, (await patient_hit(self.session, patient, raw))[0], rebuild)
        for contact in contacts:
            if await self._catch_up(report, "contact", contact.id, contact.version):
                await self._store(report, await contact_hit(self.session, contact), rebuild)
        if rebuild is not None:
            self.rebuilds.progress(rebuild, report.received)
        if batch.done:
            await (self.rebuilds.finish(rebuild) if rebuild else self.engine.finish_rebuild())
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

    async def status(self) -> IndexStatus:
        """The live index's state and the latest rebuild (監査の参照 required)."""
        self.principal.require(Area.AUDIT, Access.READ)
        return await self.rebuilds.status()

    async def _catch_up(self, report: ReindexReport, record_type: str, record_id: str, version: int) -> bool:
        if await self.ledger.catch_up(record_type, record_id, version):
            return True
        report.skipped += 1
        return False

    async def _store(self, report: ReindexReport, document: SearchDocument, rebuild: Rebuild | None) -> None:
        if await (self.engine.index_rebuilt(document) if rebuild else self.engine.index(document)):
            report.indexed += 1
        else:
            report.current += 1


def _parse(model: type[Snapshot], raw: dict, field: str, *, listed: bool = False) -> Snapshot:
    """A snapshot of the page; a malformed one is the caller's mistake (422), not a fault of search."""
    try:
        return model.model_validate(contact_as_listed(raw) if listed else raw)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(errors={field: f"スナップショットの形式が正しくありません（{type(exc).__name__}）"}) from exc
