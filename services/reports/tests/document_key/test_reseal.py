"""Sealing the files stored before per-person keys (N16, N17): a run seals what is plaintext and deletes the
plaintext versions, a second run changes nothing, a run stopped halfway is finished by the next, and a file whose
content does not match its recorded checksum is reported and left alone."""

from __future__ import annotations

import hashlib
import io
import uuid

import httpx
import pytest
from minio import Minio
from reports.document.models import Document
from reports.document_key.reseal import seal_existing
from reports.settings import get_settings
from tbms_core import document_sealing as sealing
from tbms_testing import auth_headers

pytestmark = [pytest.mark.req("N16", partial=True), pytest.mark.req("N17", partial=True)]
PDF = b"%PDF-1.4\n% a form printed before encryption was switched on (synthetic)\n%%EOF\n"


def bucket() -> str:
    return get_settings().s3_bucket


def versions(minio: Minio, key: str) -> list[bytes]:
    """Every stored version's bytes under a key."""
    found = []
    for item in minio.list_objects(bucket(), prefix=key, include_version=True):
        if item.object_name == key and not item.is_delete_marker:
            response = minio.get_object(bucket(), key, version_id=item.version_id)
            try:
                found.append(response.read())
            finally:
                response.close()
                response.release_conn()
    return found


async def old_document(client: httpx.AsyncClient, minio: Minio, content: bytes = PDF, sha: str | None = None) -> str:
    """A printed form as the service stored it before sealing: plaintext in the store, its row naming it."""
    patient = uuid.uuid4()
    document_id = uuid.uuid4()
    key = f"patients/{patient}/F03/{document_id}.pdf"
    digest = sha or hashlib.sha256(content).hexdigest()
    metadata = {"form": "F03", "document-id": str(document_id), "sha256": digest}
    put = minio.put_object(bucket(), key, io.BytesIO(content), len(content), "application/pdf", metadata=metadata)
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        session.add(
            Document(
                id=document_id,
                kind="F03",
                owner_type="patient",
                owner_id=patient,
                patient_id=patient,
                object_key=key,
                version_id=put.version_id,
                sha256=digest,
                size=len(content),
                template_version="test",
                created_by="test",
            )
        )
    return str(document_id)


async def row(client: httpx.AsyncClient, document_id: str) -> Document:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        found = await session.get(Document, uuid.UUID(document_id))
        assert found is not None
        return found


async def test_plaintext_files_are_sealed_once_and_still_download_as_they_were(
    client: httpx.AsyncClient, minio_client: Minio
) -> None:
    first, second = await old_document(client, minio_client), await old_document(client, minio_client)
    app = client.app

    report = await seal_existing(app.state.db, app.state.store)  # type: ignore[attr-defined]

    assert report.sealed["documents"] >= 2
    for document_id in (first, second):
        document = await row(client, document_id)
        stored = versions(minio_client, document.object_key)
        assert len(stored) == 1 and stored[0].startswith(sealing.MAGIC) and b"%PDF" not in stored[0]
        got = await client.get(f"/documents/{document_id}/content", headers=auth_headers("nurse1"))
        assert got.status_code == 200 and got.content == PDF

    again = await seal_existing(app.state.db, app.state.store)  # type: ignore[attr-defined]
    assert again.sealed == {"documents": 0, "attachments": 0, "packages": 0}
    assert again.already["documents"] >= 2 and again.plaintext_removed == 0
    assert len(versions(minio_client, (await row(client, first)).object_key)) == 1


async def test_a_run_stopped_after_sealing_is_finished_by_the_next(
    client: httpx.AsyncClient, minio_client: Minio
) -> None:
    """The sealed version was stored and the row committed, then the run stopped before the plaintext went."""
    document_id = await old_document(client, minio_client)
    store = client.app.state.store  # type: ignore[attr-defined]
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        document = await session.get(Document, uuid.UUID(document_id))
        assert document is not None
        stored = await store.put(
            document.object_key,
            PDF,
            content_type="application/pdf",
            metadata={},
            person_id=document.patient_id,
            session=session,
        )
        document.version_id = stored.version_id
    assert len(versions(minio_client, (await row(client, document_id)).object_key)) == 2

    report = await seal_existing(client.app.state.db, store)  # type: ignore[attr-defined]

    kept = versions(minio_client, (await row(client, document_id)).object_key)
    assert len(kept) == 1 and kept[0].startswith(sealing.MAGIC)
    assert report.plaintext_removed >= 1


async def test_a_file_that_does_not_match_its_checksum_is_reported_and_left_alone(
    client: httpx.AsyncClient, minio_client: Minio
) -> None:
    document_id = await old_document(client, minio_client, sha="0" * 64)

    report = await seal_existing(client.app.state.db, client.app.state.store)  # type: ignore[attr-defined]

    assert any(document_id in problem and "SHA-256" in problem for problem in report.problems)
    assert versions(minio_client, (await row(client, document_id)).object_key) == [PDF]
