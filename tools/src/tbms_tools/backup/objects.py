"""Object-store parts: every version of every object of a bucket (delete markers too), as a tar stream.

Each tar member is one version, oldest first per key, with its key, version id, SHA-256, content type and user
metadata in the member's PAX header, so a restore replays the versions in order while reading the stream once.
A restored store gives new version ids; the restore returns the old → new map for the documents table.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from tbms_core.object_store import ensure_bucket

META_PREFIX = "x-amz-meta-"


@dataclass(frozen=True)
class Version:
    """One version of one object as listed."""

    key: str
    version_id: str | None
    delete_marker: bool
    is_latest: bool
    size: int


def versions(client: Minio, bucket: str) -> list[Version]:
    """Every version of every object, oldest first per key (delete markers included)."""
    listed: dict[str, list[tuple[datetime, Version]]] = defaultdict(list)
    for item in client.list_objects(bucket, recursive=True, include_version=True):
        version = Version(
            key=item.object_name,
            version_id=item.version_id,
            delete_marker=bool(item.is_delete_marker),
            is_latest=str(item.is_latest).lower() == "true",
            size=int(item.size or 0),
        )
        listed[item.object_name].append((item.last_modified or datetime.min.replace(tzinfo=UTC), version))
    ordered = []
    for key in sorted(listed):
        # the store lists a key's versions newest first, then its delete markers newest first; a stable sort by
        # time (the latest last) keeps that order among versions stored within the same millisecond
        items = [
            *reversed([i for i in listed[key] if not i[1].delete_marker]),
            *reversed([i for i in listed[key] if i[1].delete_marker]),
        ]
        items.sort(key=lambda item: (item[0], item[1].is_latest))
        ordered.extend(version for _, version in items)
    return ordered


def digest_of(entries: list[tuple[str, str]]) -> str:
    """One hash over (key, SHA-256 or 'delete-marker') in order: the same for a store and its restored copy."""
    digest = hashlib.sha256()
    for key, content in entries:
        digest.update(f"{key}\t{content}\n".encode())
    return digest.hexdigest()


def _read(client: Minio, bucket: str, version: Version) -> tuple[bytes, dict[str, str], str]:
    response = client.get_object(bucket, version.key, version_id=version.version_id)
    try:
        data = response.read()
        headers = {name.lower(): value for name, value in response.headers.items()}
    finally:
        response.close()
        response.release_conn()
    metadata = {name[len(META_PREFIX) :]: value for name, value in headers.items() if name.startswith(META_PREFIX)}
    return data, metadata, headers.get("content-type", "application/octet-stream")


def backup_bucket(client: Minio, bucket: str, out: BinaryIO) -> dict[str, Any]:
    """Writes every version of a bucket as a tar stream into `out`; returns the bucket's summary for the manifest."""
    entries: list[tuple[str, str]] = []
    total = markers = 0
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
        for number, version in enumerate(versions(client, bucket)):
            pax = {
                "tbms.key": version.key,
                "tbms.version_id": version.version_id or "",
                "tbms.is_latest": "1" if version.is_latest else "0",
            }
            if version.delete_marker:
                data, content = b"", "delete-marker"
                pax["tbms.delete_marker"] = "1"
                markers += 1
            else:
                data, metadata, content_type = _read(client, bucket, version)
                content = hashlib.sha256(data).hexdigest()
                pax.update({"tbms.sha256": content, "tbms.content_type": content_type})
                pax["tbms.metadata"] = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
                total += len(data)
            member = tarfile.TarInfo(f"objects/{number:08d}")
            member.size = len(data)
            member.pax_headers = pax
            archive.addfile(member, io.BytesIO(data))
            entries.append((version.key, content))
    return {
        "versions": len(entries) - markers,
        "delete_markers": markers,
        "keys": len({key for key, _ in entries}),
        "bytes": total,
        "digest": digest_of(entries),
    }


def is_empty(client: Minio, bucket: str) -> bool:
    """True when the bucket does not exist or holds no version at all."""
    if not client.bucket_exists(bucket):
        return True
    return next(iter(client.list_objects(bucket, recursive=True, include_version=True)), None) is None


def restore_bucket(client: Minio, bucket: str, stream: BinaryIO) -> dict[tuple[str, str], str | None]:
    """Replays the versions of a tar stream into a bucket; returns (key, old version id) → new version id."""
    ensure_bucket(client, bucket)  # encrypted by the store, as reports keeps it
    mapping: dict[tuple[str, str], str | None] = {}
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            pax = member.pax_headers
            key, old = pax["tbms.key"], pax.get("tbms.version_id", "")
            if pax.get("tbms.delete_marker") == "1":
                client.remove_object(bucket, key)
                continue
            handle = archive.extractfile(member)
            data = handle.read() if handle else b""
            if hashlib.sha256(data).hexdigest() != pax["tbms.sha256"]:
                raise ValueError(f"オブジェクト {key} の内容が目録の SHA-256 と一致しません。")
            metadata = json.loads(pax.get("tbms.metadata") or "{}")
            result = client.put_object(
                bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=pax.get("tbms.content_type") or "application/octet-stream",
                metadata=metadata,
            )
            mapping[(key, old)] = result.version_id
    return mapping


def summarize(client: Minio, bucket: str) -> dict[str, Any]:
    """The same summary as `backup_bucket` gives, read back from a (restored) bucket."""
    entries: list[tuple[str, str]] = []
    total = markers = 0
    for version in versions(client, bucket):
        if version.delete_marker:
            entries.append((version.key, "delete-marker"))
            markers += 1
            continue
        data, _, _ = _read(client, bucket, version)
        total += len(data)
        entries.append((version.key, hashlib.sha256(data).hexdigest()))
    return {
        "versions": len(entries) - markers,
        "delete_markers": markers,
        "keys": len({key for key, _ in entries}),
        "bytes": total,
        "digest": digest_of(entries),
    }


def remove_bucket(client: Minio, bucket: str) -> None:
    """Deletes every version of every object, then the (scratch) bucket."""
    try:
        items = list(client.list_objects(bucket, recursive=True, include_version=True))
    except S3Error as exc:
        if exc.code == "NoSuchBucket":
            return
        raise
    doomed = [DeleteObject(item.object_name, item.version_id) for item in items]
    errors = list(client.remove_objects(bucket, doomed))  # lazy: the deletes happen while iterating
    if errors:
        raise RuntimeError(f"バケット {bucket} を空にできません: {errors[0]}")
    client.remove_bucket(bucket)


def iter_files(client: Minio, bucket: str) -> Iterator[tuple[Version, bytes]]:
    """Every stored version with its bytes (delete markers with none): for the hand-back export."""
    for version in versions(client, bucket):
        if version.delete_marker:
            yield version, b""
        else:
            yield version, _read(client, bucket, version)[0]
