"""Queries of the data keys; never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reports.attachment.models import Attachment, AttachmentFile
from reports.document.models import Document
from reports.document_key.models import DocumentKey, DocumentKeyErasure
from reports.package.models import DocumentPackage

PERSON_OWNERS = ("patient", "contact")


@dataclass
class StoredFile:
    """One stored file about a person, as a row records it (the row is updated when the file is sealed)."""

    row: Document | AttachmentFile | DocumentPackage
    person_id: uuid.UUID
    object_key: str
    version_id: str | None
    sha256: str

    def point_to(self, version_id: str | None) -> None:
        """Makes the row name the sealed version."""
        if isinstance(self.row, AttachmentFile):
            self.row.object_version_id = version_id
        else:
            self.row.version_id = version_id


class StoredFileRepository:
    """The rows that name stored files about a person, in id order, a page at a time (for sealing existing files)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, kind: str, after: uuid.UUID | None, limit: int) -> list[StoredFile]:
        """Up to `limit` files of one kind (documents, attachments, packages) with ids after `after`, locked."""
        if kind == "documents":
            query = select(Document).where(
                Document.object_key != "",
                (Document.patient_id.is_not(None)) | (Document.owner_type.in_(PERSON_OWNERS)),
            )
            column = Document.id
        elif kind == "attachments":
            query = select(AttachmentFile, Attachment.person_id).join(
                Attachment, Attachment.id == AttachmentFile.attachment_id
            )
            column = AttachmentFile.id
        else:
            query, column = select(DocumentPackage), DocumentPackage.id
        if after is not None:
            query = query.where(column > after)
        rows = (await self.session.execute(query.order_by(column).limit(limit).with_for_update(of=column.table))).all()
        return [_stored(kind, row) for row in rows]


def _stored(kind: str, row: Any) -> StoredFile:
    if kind == "attachments":
        file, person_id = row
        return StoredFile(file, person_id, file.object_key, file.object_version_id, file.sha256)
    if kind == "documents":
        document = row[0]
        person = document.patient_id or document.owner_id
        return StoredFile(document, person, document.object_key, document.version_id, document.sha256)
    package = row[0]
    return StoredFile(package, package.patient_id, package.object_key, package.version_id, package.sha256)


class DocumentKeyRepository:
    """The wrapped data keys and the erasure records."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_person(self, person_id: uuid.UUID) -> DocumentKey | None:
        """A person's key row, if they have one."""
        return await self.session.get(DocumentKey, person_id)

    async def by_key_id(self, key_id: str) -> DocumentKey | None:
        """The key row a sealed file names."""
        return await self.session.scalar(select(DocumentKey).where(DocumentKey.key_id == key_id))

    async def add_if_missing(self, person_id: uuid.UUID, key_id: str, wrapped: bytes) -> DocumentKey:
        """Inserts a key for the person unless another request did first; returns the one that stands."""
        statement = insert(DocumentKey).values(person_id=person_id, key_id=key_id, wrapped=wrapped)
        await self.session.execute(statement.on_conflict_do_nothing(index_elements=["person_id"]))
        found = await self.session.scalar(
            select(DocumentKey).where(DocumentKey.person_id == person_id).execution_options(populate_existing=True)
        )
        assert found is not None
        return found

    async def erasure_of(self, person_id: uuid.UUID) -> DocumentKeyErasure | None:
        """The erasure record of a person, if their key was destroyed."""
        return await self.session.get(DocumentKeyErasure, person_id)

    async def erasure_by_key_id(self, key_id: str) -> DocumentKeyErasure | None:
        """The erasure record that names a key id."""
        return await self.session.scalar(select(DocumentKeyErasure).where(DocumentKeyErasure.key_id == key_id))

    async def destroy(self, person_id: uuid.UUID, reason: str) -> str | None:
        """Deletes the person's key and records it (a second call keeps the first record); the key id gone."""
        removed = await self.session.scalar(
            delete(DocumentKey).where(DocumentKey.person_id == person_id).returning(DocumentKey.key_id)
        )
        statement = insert(DocumentKeyErasure).values(person_id=person_id, key_id=removed, reason=reason)
        await self.session.execute(statement.on_conflict_do_nothing(index_elements=["person_id"]))
        return removed
