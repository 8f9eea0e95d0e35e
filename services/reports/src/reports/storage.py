"""The document store: an S3 bucket with versioning (MinIO locally), used only through the S3 API.

Files about a person are sealed (AES-256-GCM, client side) with that person's data key before they leave the
process, on top of the bucket's own encryption (SSE-S3): erasing the person destroys the key, and every stored
version of their files — in the live bucket and in every backup copy of it — can never be read again (N17).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from minio.error import S3Error
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core import document_sealing as sealing
from tbms_core.object_store import ensure_bucket, s3_client
from urllib3 import BaseHTTPResponse

from reports.document_key.service import DocumentKeys
from reports.settings import Settings
from reports.storage_errors import ObjectMissing

CHUNK_SIZE = 64 * 1024
_MISSING = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket"}
META = "x-amz-meta-"
KEY_ID_META = "tbms-key-id"  # the data key a sealed object needs, also in its first bytes
__all__ = ["DocumentStore", "ObjectMissing", "ObjectStream", "StoredObject"]


@dataclass(frozen=True)
class StoredObject:
    """Where a file went and what it was: enough to find and verify it later."""

    key: str
    version_id: str | None
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredVersion:
    """What the store says of one stored version."""

    sealed: bool
    content_type: str
    metadata: dict[str, str]


@dataclass
class ObjectStream:
    """An open download: iterate `chunks()` and `close()` when done (a sealed file comes opened, in memory)."""

    response: BaseHTTPResponse | None = None
    content: bytes = b""

    def chunks(self) -> Iterator[bytes]:
        """The object's bytes, a chunk at a time."""
        if self.response is None:
            for start in range(0, len(self.content), CHUNK_SIZE):
                yield self.content[start : start + CHUNK_SIZE]
            return
        yield from self.response.stream(CHUNK_SIZE)

    def close(self) -> None:
        """Returns the connection to the pool."""
        if self.response is not None:
            self.response.close()
            self.response.release_conn()


class DocumentStore:
    """Puts and gets document files; makes the bucket (with versioning) on first use."""

    def __init__(self, settings: Settings) -> None:
        self.bucket, self.encryption = settings.s3_bucket, settings.s3_encryption
        self.kek = sealing.kek_from_hex(settings.document_kek.get_secret_value())
        self.client = s3_client(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            ca_file=settings.s3_ca_file,
        )
        self._ready = False
        self._lock = asyncio.Lock()

    async def ensure_bucket(self) -> None:
        """Creates the bucket and turns versioning on, once per process."""
        async with self._lock:
            if not self._ready:
                await asyncio.to_thread(self._ensure_bucket)
                self._ready = True

    def _ensure_bucket(self) -> None:
        ensure_bucket(self.client, self.bucket, encrypted=self.encryption)

    def keys(self, session: AsyncSession) -> DocumentKeys:
        """The data keys, in the caller's transaction."""
        return DocumentKeys(session, self.kek)

    async def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        metadata: dict[str, str],
        person_id: uuid.UUID | None = None,
        session: AsyncSession | None = None,
    ) -> StoredObject:
        """Stores a file under a key (sealed with the person's data key when it is about a person) and returns its
        version id and the SHA-256 and size of the file as given."""
        await self.ensure_bucket()
        digest = hashlib.sha256(data).hexdigest()
        body, extra = data, {}
        if person_id is not None and session is not None:
            key_id, data_key = await self.keys(session).for_person(person_id)
            body, extra = sealing.seal(key_id, data_key, data), {KEY_ID_META: key_id.hex()}
        result = await asyncio.to_thread(
            self.client.put_object,
            self.bucket,
            key,
            io.BytesIO(body),
            len(body),
            content_type=content_type,
            metadata={**metadata, "sha256": digest, **extra},
        )
        return StoredObject(key=key, version_id=result.version_id, sha256=digest, size=len(data))

    async def open(
        self, key: str, version_id: str | None = None, *, session: AsyncSession | None = None
    ) -> ObjectStream:
        """Opens one stored version of a file for streaming (a sealed one opened with its data key, which needs
        the caller's session); ObjectMissing when it is not there or its key was destroyed."""
        await self.ensure_bucket()
        try:
            response = await asyncio.to_thread(self.client.get_object, self.bucket, key, version_id=version_id)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectMissing(key) from exc
            raise
        if f"x-amz-meta-{KEY_ID_META}" not in {name.lower() for name in response.headers}:
            return ObjectStream(response)
        stream = ObjectStream(response)
        try:
            sealed = await asyncio.to_thread(lambda: b"".join(stream.chunks()))
        finally:
            stream.close()
        if session is None:
            raise ObjectMissing(f"{key}: 暗号化された文書はデータベースの鍵なしには開けません")
        return ObjectStream(content=await self.unseal(session, sealed))

    async def unseal(self, session: AsyncSession, sealed: bytes) -> bytes:
        """A sealed file's bytes opened with the data key it names (DocumentKeyErased once that was destroyed)."""
        data_key = await self.keys(session).by_key_id(sealing.key_id_of(sealed))
        return sealing.open_sealed(data_key, sealed)

    async def read(self, key: str, version_id: str | None = None, *, session: AsyncSession | None = None) -> bytes:
        """One stored version's whole content (for files small enough to hold, such as one printed form)."""
        stream = await self.open(key, version_id, session=session)
        try:
            return await asyncio.to_thread(lambda: b"".join(stream.chunks()))
        finally:
            stream.close()

    async def describe(self, key: str, version_id: str | None) -> StoredVersion:
        """Whether a stored version is sealed (its metadata names a data key), its type and its user metadata."""
        await self.ensure_bucket()
        stat = await asyncio.to_thread(self.client.stat_object, self.bucket, key, version_id=version_id)
        headers = {name.lower(): value for name, value in stat.metadata.items()}
        metadata = {name[len(META) :]: value for name, value in headers.items() if name.startswith(META)}
        return StoredVersion(KEY_ID_META in metadata, stat.content_type or "application/octet-stream", metadata)

    async def is_sealed(self, key: str, version_id: str | None) -> bool:
        """True when a stored version is sealed with a data key."""
        return (await self.describe(key, version_id)).sealed

    async def versions(self, key: str) -> list[str | None]:
        """The version ids stored under a key (delete markers left out)."""
        await self.ensure_bucket()
        listed = await asyncio.to_thread(
            lambda: list(self.client.list_objects(self.bucket, prefix=key, include_version=True))
        )
        return [item.version_id for item in listed if item.object_name == key and not item.is_delete_marker]

    async def remove_version(self, key: str, version_id: str | None) -> None:
        """Deletes one stored version for good."""
        await asyncio.to_thread(self.client.remove_object, self.bucket, key, version_id=version_id)

    async def erase(self, key: str) -> int:
        """Deletes every stored version of a key (and its delete markers), so no earlier version can be read
        back; returns how many went. A key already gone is no error (a retried deletion repeats this)."""
        await self.ensure_bucket()
        return await asyncio.to_thread(self._erase, key)

    def _erase(self, key: str) -> int:
        removed = 0
        for item in self.client.list_objects(self.bucket, prefix=key, include_version=True):
            if item.object_name != key:
                continue
            self.client.remove_object(self.bucket, key, version_id=item.version_id)
            removed += 1
        return removed
