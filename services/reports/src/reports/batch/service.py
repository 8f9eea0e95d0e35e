"""Asking for a batch print and following it: genre and records in, progress and the merged PDF out."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import new_id, utcnow

from reports.batch.errors import BatchNotFinished, GenreHasNoForms
from reports.batch.models import DONE, QUEUED, PrintBatch
from reports.batch.repository import PrintBatchRepository
from reports.batch.schemas import PrintBatchCreate
from reports.document.errors import DocumentContentMissing
from reports.forms.registry import FORMS
from reports.forms.spec import Genre
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"
# the area whose personal data a genre's forms print, besides 帳票
GENRE_AREAS = {Genre.PATIENTS: Area.PATIENTS, Genre.REVIEW_BOARD: Area.REVIEW, Genre.CONTACT_SCREENING: Area.CONTACTS}


class PrintBatchService:
    """What staff do with batch printing: ask for one, watch its progress, open the merged PDF."""

    def __init__(self, session: AsyncSession, principal: Principal, store: DocumentStore) -> None:
        self.session, self.principal, self.store = session, principal, store
        self.batches = PrintBatchRepository(session)

    async def request(self, data: PrintBatchCreate) -> PrintBatch:
        """Queues every form of the genre for each record; the background worker prints them in order."""
        genre = self._genre(data.genre)
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(GENRE_AREAS[genre], Access.READ)
        forms = [spec.id for spec in FORMS.values() if spec.genre == genre]
        if not forms:
            raise GenreHasNoForms(errors={"genre": f"「{genre.value}」の帳票はまだ印刷できません。"})
        patients = list(dict.fromkeys(data.patient_ids))  # each record once, in the order given
        batch = PrintBatch(
            id=new_id(),
            genre=genre.value,
            title=data.title or f"{genre.value} {len(patients)}件",
            printed_for=data.on or today(),
            items=[[str(patient), form] for patient in patients for form in forms],
            status=QUEUED,
            done=0,
            document_ids=[],
            skipped=[],
            requested_by=self.principal.user_id,
            requested_by_username=self.principal.username,
            requested_by_name=self.principal.display_name,
            requested_roles=sorted(self.principal.roles),
            requested_from=self.principal.client_ip,
            created_at=utcnow(),
        )
        return await self.batches.add(batch)

    async def progress(self, batch_id: uuid.UUID) -> PrintBatch:
        """A batch as far as it got."""
        self.principal.require(Area.FORMS, Access.READ)
        return await self.batches.get(batch_id)

    async def recent(self, limit: int) -> list[PrintBatch]:
        """The user's own newest batches."""
        self.principal.require(Area.FORMS, Access.READ)
        return await self.batches.recent_of(self.principal.user_id, limit)

    async def open_content(self, batch_id: uuid.UUID) -> tuple[PrintBatch, ObjectStream]:
        """The merged PDF of a finished batch (audited as a download of every person in it)."""
        self.principal.require(Area.FORMS, Access.READ)
        batch = await self.batches.get(batch_id)
        self.principal.require(GENRE_AREAS[self._genre(batch.genre)], Access.READ)
        if batch.status != DONE or not batch.object_key:
            raise BatchNotFinished()
        try:
            stream = await self.store.open(batch.object_key, batch.object_version_id)
        except ObjectMissing as exc:
            raise DocumentContentMissing() from exc
        for patient_id in dict.fromkeys(item[0] for item in batch.items):
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.DOWNLOAD,
                record_type="print_batch",
                record_id=batch.id,
                person_id=patient_id,
                detail=f"一括印刷 {batch.title}",
            )
        return batch, stream

    @staticmethod
    def _genre(value: str) -> Genre:
        try:
            return Genre(value)
        except ValueError:
            raise GenreHasNoForms(
                "帳票の分類は 患者管理・診査会・接触者健診 のいずれかです。", errors={"genre": "分類を選んでください。"}
            ) from None
