"""The document store: an S3 bucket with versioning (MinIO locally), used only through the S3 API."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass

from minio.error import S3Error
from tbms_core.object_store import ensure_bucket, s3_client
from urllib3 import BaseHTTPResponse

from reports.settings import Settings

CHUNK_SIZE = 64 * 1024
_MISSING = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket"}


class ObjectMissing(LookupError):
    """The store has no object (or no such version) under the key."""


@dataclass(frozen=True)
class StoredObject:
    """Where a file went and what it was: enough to find and verify it later."""

    key: str
    version_id: str | None
    sha256: str
    size: int


@dataclass
class ObjectStream:
    """An open download: iterate `chunks()` and `close()` when done."""

    response: BaseHTTPResponse

    def chunks(self) -> Iterator[bytes]:
        """The object's bytes, a chunk at a time."""
        yield from self.response.stream(CHUNK_SIZE)

    def close(self) -> None:
        """Returns the connection to the pool."""
        self.response.close()
        self.response.release_conn()


class DocumentStore:
    """Puts and gets document files; makes the bucket (with versioning) on first use."""

    def __init__(self, settings: Settings) -> None:
        self.bucket, self.encryption = settings.s3_bucket, settings.s3_encryption
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

    async def put(self, key: str, data: bytes, *, content_type: str, metadata: dict[str, str]) -> StoredObject:
        """Stores a file under a key and returns its version id and SHA-256."""
        await self.ensure_bucket()
        digest = hashlib.sha256(data).hexdigest()
        result = await asyncio.to_thread(
            self.client.put_object,
            self.bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
            metadata={**metadata, "sha256": digest},
        )
        return StoredObject(key=key, version_id=result.version_id, sha256=digest, size=len(data))

    async def open(self, key: str, version_id: str | None = None) -> ObjectStream:
        """Opens one stored version of a file for streaming; ObjectMissing when it is not there."""
        await self.ensure_bucket()
        try:
            response = await asyncio.to_thread(self.client.get_object, self.bucket, key, version_id=version_id)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectMissing(key) from exc
            raise
        return ObjectStream(response)

    async def read(self, key: str, version_id: str | None = None) -> bytes:
        """One stored version's whole content (for files small enough to hold, such as one printed form)."""
        stream = await self.open(key, version_id)
        try:
            return await asyncio.to_thread(lambda: b"".join(stream.chunks()))
        finally:
            stream.close()

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
