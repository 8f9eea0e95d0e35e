"""Sealing the files stored before per-person keys existed: each is read, checked against its recorded SHA-256,
stored again sealed with its person's data key, its row pointed at the sealed version (committed), and only then
its plaintext versions deleted. One file per transaction, in id order: a run that stops (or fails) is simply run
again; what is already sealed is skipped, and a plaintext version left behind by a stop between the two steps is
deleted then."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from minio.error import S3Error
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import Database

from reports.document_key.repository import StoredFile, StoredFileRepository
from reports.storage import DocumentStore
from reports.storage_errors import ObjectMissing

KINDS = ("documents", "attachments", "packages")


@dataclass
class ResealReport:
    """What one run did, by kind of file."""

    sealed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    plaintext_removed: int = 0
    problems: list[str] = field(default_factory=list)


async def seal_existing(db: Database, store: DocumentStore) -> ResealReport:
    """Seals every stored file about a person that is still in plaintext; safe to run again at any time."""
    report = ResealReport()
    for kind in KINDS:
        after: uuid.UUID | None = None
        while True:
            async with db.session() as session:
                files = await StoredFileRepository(session).page(kind, after, 1)
                if not files:
                    break
                file, after = files[0], files[0].row.id
                ready = await _seal_one(session, store, kind, file, report)
            if ready:  # the row names the sealed version for good: the plaintext may go
                report.plaintext_removed += await _remove_plaintext(store, file)
    return report


async def _seal_one(
    session: AsyncSession, store: DocumentStore, kind: str, file: StoredFile, report: ResealReport
) -> bool:
    """Seals one file (unless it is already); False when it cannot be, with the reason in the report."""
    where = f"{kind} {file.row.id}: {file.object_key}"
    try:
        described = await store.describe(file.object_key, file.version_id)
    except S3Error as exc:
        report.problems.append(f"{where} を読めません（{exc.code}）")
        return False
    if described.sealed:
        report.already[kind] += 1
        return True
    try:
        data = await store.read(file.object_key, file.version_id)
    except ObjectMissing:
        report.problems.append(f"{where} がありません")
        return False
    if hashlib.sha256(data).hexdigest() != file.sha256:
        report.problems.append(f"{where} の内容が記録の SHA-256 と一致しません（封印せず残しました）")
        return False
    metadata = {name: value for name, value in described.metadata.items() if name != "sha256"}
    stored = await store.put(
        file.object_key,
        data,
        content_type=described.content_type,
        metadata=metadata,
        person_id=file.person_id,
        session=session,
    )
    file.point_to(stored.version_id)
    file.version_id = stored.version_id
    report.sealed[kind] += 1
    return True


async def _remove_plaintext(store: DocumentStore, file: StoredFile) -> int:
    removed = 0
    for version in await store.versions(file.object_key):
        if version != file.version_id and not await store.is_sealed(file.object_key, version):
            await store.remove_version(file.object_key, version)
            removed += 1
    return removed
