"""The background worker of batch printing: a few forms per transaction, so a restart resumes where it stopped."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from tbms_core.auth import Principal
from tbms_core.db import Database, utcnow
from tbms_core.errors import DomainError

from reports.batch.models import DONE, FAILED, RUNNING, PrintBatch
from reports.batch.repository import PrintBatchRepository
from reports.batch.sources import BatchSources, Job
from reports.document.repository import DocumentRepository
from reports.forms.render import FormRenderer, merge
from reports.forms.spec import Genre
from reports.storage import DocumentStore

log = logging.getLogger(__name__)
PDF = "application/pdf"


def requester(batch: PrintBatch) -> Principal:
    """The user who asked for the batch, with the roles they had then: every form is filed under their name."""
    return Principal(
        user_id=batch.requested_by,
        username=batch.requested_by_username,
        display_name=batch.requested_by_name,
        roles=frozenset(batch.requested_roles),
        client_ip=batch.requested_from,
    )


def skip_reason(genre: Genre, item: list[str], error: DomainError) -> dict[str, str]:
    """Why an item was not printed, naming its record as the batch's genre chose it."""
    key = {Genre.REVIEW_BOARD: "record_id", Genre.CONTACT_SCREENING: "contact_id"}.get(genre, "patient_id")
    if genre is Genre.CONTACT_SCREENING and len(item) < 3:  # a patient's form (F29 by patient, F05)
        key = "patient_id"
    if genre is Genre.CONTACT_SCREENING and item[1] == "F25":  # a place's 受付簿 of the day
        return {"place": item[2], "form": item[1], "reason": error.message}
    return {key: item[0], "form": item[1], "reason": error.message}


class BatchWorker:
    """Takes waiting (or abandoned) batches and prints them item by item, then merges the filed copies."""

    def __init__(
        self, db: Database, store: DocumentStore, renderer: FormRenderer, *, poll: float, stale: float
    ) -> None:
        self.db, self.store, self.renderer = db, store, renderer
        self.poll, self.stale = poll, stale
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Works until stopped; an error in one batch marks it failed and the worker goes on."""
        self._stopping.clear()
        while not self._stopping.is_set():
            batch_id = await self.claim()
            if batch_id is None:
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=self.poll)
                except TimeoutError:
                    pass
                continue
            try:
                await self.process(batch_id)
            except Exception as exc:  # one broken batch must not stop the others
                log.exception("batch %s failed", batch_id)
                await self._fail(batch_id, exc)

    def stop(self) -> None:
        """Asks the loop to end after the current item."""
        self._stopping.set()

    async def claim(self) -> uuid.UUID | None:
        """Marks the next waiting or abandoned batch as running under this worker."""
        async with self.db.session() as session:
            batch = await PrintBatchRepository(session).claim_next(utcnow() - timedelta(seconds=self.stale))
            if batch is None:
                return None
            batch.status, batch.heartbeat_at = RUNNING, utcnow()
            return batch.id

    async def process(self, batch_id: uuid.UUID) -> None:
        """Prints the items not yet done, each filed with its record in its own transaction, then merges them."""
        while await self._print_next(batch_id):
            pass
        await self._finish(batch_id)

    async def _print_next(self, batch_id: uuid.UUID) -> bool:
        """The next few items (one per rendering process), rendered side by side and filed in one transaction."""
        async with self.db.session() as session:
            batch = await PrintBatchRepository(session).locked(batch_id)
            if batch.done >= batch.total or batch.status != RUNNING:
                return False
            sources = BatchSources(session, requester(batch), self.store, self.renderer)
            genre, selection = Genre(batch.genre), batch.selection or {}
            chunk = batch.items[batch.done : batch.done + self.renderer.parallel]
            jobs: list[Job | DomainError] = []
            for item in chunk:
                try:
                    jobs.append(await sources.job(genre, selection, item, batch.printed_for))
                except DomainError as exc:  # e.g. a record not yet known to reports: listed, the others still print
                    jobs.append(exc)
            rendered = await asyncio.gather(
                *(job.render() for job in jobs if isinstance(job, Job)), return_exceptions=True
            )
            pdfs = iter(rendered)
            for item, job in zip(chunk, jobs, strict=True):
                outcome = next(pdfs) if isinstance(job, Job) else job
                if isinstance(outcome, bytes) and isinstance(job, Job):
                    document = await job.file(outcome)
                    batch.document_ids = [*batch.document_ids, str(document.id)]
                elif isinstance(outcome, DomainError):
                    reason = skip_reason(genre, item, outcome) | {"name": await sources.label(genre, selection, item)}
                    batch.skipped = [*batch.skipped, reason]
                else:
                    raise outcome  # type: ignore[misc]
            batch.done, batch.heartbeat_at = batch.done + len(chunk), utcnow()
            return True

    async def _finish(self, batch_id: uuid.UUID) -> None:
        async with self.db.session() as session:
            batch = await PrintBatchRepository(session).locked(batch_id)
            if batch.status != RUNNING:
                return
            repository = DocumentRepository(session)
            parts = []
            for document_id in batch.document_ids:
                document = await repository.get(uuid.UUID(document_id))
                parts.append(await self.store.read(document.object_key, document.version_id, session=session))
            pdf, pages = await asyncio.to_thread(merge, parts) if parts else (b"", 0)
            if parts:
                metadata = {"batch-id": str(batch.id)}
                stored = await self.store.put(f"batches/{batch.id}.pdf", pdf, content_type=PDF, metadata=metadata)
                batch.object_key, batch.object_version_id = stored.key, stored.version_id
                batch.sha256, batch.size = stored.sha256, stored.size
            batch.pages, batch.status, batch.finished_at = pages, DONE, utcnow()

    async def _fail(self, batch_id: uuid.UUID, exc: Exception) -> None:
        async with self.db.session() as session:
            batch = await PrintBatchRepository(session).locked(batch_id)
            batch.status, batch.error, batch.finished_at = FAILED, f"{type(exc).__name__}: {exc}"[:500], utcnow()
