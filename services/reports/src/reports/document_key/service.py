"""The data keys: made on a person's first stored file, looked up by the id a sealed file names, destroyed on
erasure. Only the wrapped form is stored; the key-encryption key comes from the deployment's settings."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core import document_sealing as sealing

from reports.document_key.errors import DocumentKeyErased, DocumentKeyMissing
from reports.document_key.repository import DocumentKeyRepository


class DocumentKeys:
    """Data keys of people's documents, unwrapped only in memory for one seal or open."""

    def __init__(self, session: AsyncSession, kek: bytes) -> None:
        self.kek = kek
        self.keys = DocumentKeyRepository(session)

    async def for_person(self, person_id: uuid.UUID) -> tuple[bytes, bytes]:
        """(key id, key) to seal a new file about the person; made on first use. An erased person gets none."""
        row = await self.keys.of_person(person_id)
        if row is None:
            if await self.keys.erasure_of(person_id) is not None:
                raise DocumentKeyErased(str(person_id))
            key_id, key = sealing.new_key_id(), sealing.new_key()
            row = await self.keys.add_if_missing(person_id, key_id.hex(), sealing.wrap(self.kek, person_id, key))
        return bytes.fromhex(row.key_id), sealing.unwrap(self.kek, row.person_id, row.wrapped)

    async def by_key_id(self, key_id: bytes) -> bytes:
        """The key a sealed file names; DocumentKeyErased once the person was erased."""
        row = await self.keys.by_key_id(key_id.hex())
        if row is None:
            if await self.keys.erasure_by_key_id(key_id.hex()) is not None:
                raise DocumentKeyErased(key_id.hex())
            raise DocumentKeyMissing(key_id.hex())
        return sealing.unwrap(self.kek, row.person_id, row.wrapped)

    async def destroy(self, person_id: uuid.UUID, reason: str) -> str | None:
        """Destroys the person's key (their files become unreadable for good); returns its id, if there was one."""
        return await self.keys.destroy(person_id, reason)
