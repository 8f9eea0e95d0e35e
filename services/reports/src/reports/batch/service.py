"""Asking for a batch print and following it: genre and records in, progress and the merged PDF out."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import new_id, utcnow
from tbms_core.errors import InvalidInput

from reports.batch.errors import BatchNotFinished, GenreHasNoForms
from reports.batch.models import DONE, QUEUED, PrintBatch
from reports.batch.repository import PrintBatchRepository
from reports.batch.schemas import PrintBatchCreate
from reports.batch.sources import BatchSources
from reports.document.errors import DocumentContentMissing
from reports.forms.render import FormRenderer
from reports.forms.spec import Genre
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"
# the area whose personal data a genre's forms print, besides 帳票
GENRE_AREAS = {Genre.PATIENTS: Area.PATIENTS, Genre.REVIEW_BOARD: Area.REVIEW, Genre.CONTACT_SCREENING: Area.CONTACTS}


class PrintBatchService:
    """What staff do with batch printing: ask for one, watch its progress, open the merged PDF."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal, self.store, self.renderer = session, principal, store, renderer
        self.batches = PrintBatchRepository(session)

    async def request(self, data: PrintBatchCreate) -> PrintBatch:
        """Queues the forms of the genre for the chosen records (a list of patients, a 診査会 session's cases, a
        screening day's contacts); the background worker prints them in order."""
        genre = self._genre(data.genre)
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(GENRE_AREAS[genre], Access.READ)
        sources = BatchSources(self.session, self.principal, self.store, self.renderer)
        if genre is Genre.REVIEW_BOARD:
            if data.session_id is None:
                raise InvalidInput(errors={"session_id": "印刷する診査会を選んでください。"})
            plan = await sources.plan_session(data.session_id, data.forms)
            count = f"{len({item[0] for item in plan.items if item[1] != 'F14'})}件"
        elif genre is Genre.CONTACT_SCREENING and (data.day is not None or not data.patient_ids):
            if data.day is None:
                raise InvalidInput(errors={"day": "健診の日を入力してください。"})
            plan = await sources.plan_day(data.day, data.place, data.forms)
            where = f"{data.day.isoformat()} {data.place}".strip()
            count = f"{where} {len({item[0] for item in plan.items})}人"
        else:
            plan = await sources.plan_patients(genre, data.patient_ids, data.forms)
            count = f"{len({item[0] for item in plan.items})}件"
        batch = PrintBatch(
            id=new_id(),
            genre=genre.value,
            title=data.title or f"{genre.value} {count}",
            printed_for=data.on or today(),
            items=plan.items,
            selection=plan.selection,
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
        for person_id in await self.batches.people_filed(batch.document_ids):
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.DOWNLOAD,
                record_type="print_batch",
                record_id=batch.id,
                person_id=person_id,
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
