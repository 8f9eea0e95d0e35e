"""Crypto-shredding (N16, N17): every file about a person is sealed with their data key before it reaches the store;
downloads and previews open it; erasing the person destroys the key, and a copy of their files kept anywhere (an
older backup holds exactly these bytes) can no longer be opened, while other people's files still are."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest
from minio import Minio
from reports.document.models import Document
from reports.document_key.errors import DocumentKeyErased
from reports.document_key.models import DocumentKey, DocumentKeyErasure
from reports.settings import get_settings
from tbms_contracts.patients import PatientSnapshot
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core import document_sealing as sealing
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

Claimed = Callable[[uuid.UUID], Awaitable[bool]]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def raw(minio: Minio, key: str, version_id: str | None) -> bytes:
    """The bytes the store keeps (what a backup of the bucket copies)."""
    response = minio.get_object(get_settings().s3_bucket, key, version_id=version_id)
    try:
        return response.read()
    finally:
        response.close()
        response.release_conn()


async def print_card(client: httpx.AsyncClient, patient_id: str) -> dict:
    """Prints and files the 結核登録票 of a patient."""
    response = await client.post("/documents", json={"form": "F03", "patient_id": patient_id}, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


def nurse() -> dict[str, str]:
    return auth_headers("nurse1")


async def upload(client: httpx.AsyncClient, person_id: str) -> dict:
    """Stores a referral letter (a PDF) with a patient."""
    data = {"owner_type": "patient", "owner_id": person_id, "kind": "referral", "title": "紹介状"}
    files = [("files", ("紹介状.pdf", PDF, "application/octet-stream"))]
    response = await client.post("/attachments", data=data, files=files, headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()[0]


async def object_of(client: httpx.AsyncClient, document_id: str) -> tuple[str, str | None]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        document = await session.get(Document, uuid.UUID(document_id))
        assert document is not None
        return document.object_key, document.version_id


@pytest.mark.req("N16", partial=True)
class TestSealedAtRest:
    """What the store keeps is no PDF; the user still downloads and previews the original."""

    async def test_a_printed_form_is_sealed_and_downloads_as_the_original(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot, minio_client: Minio
    ) -> None:
        document = await print_card(client, registered_patient.id)
        kept = raw(minio_client, *(await object_of(client, document["id"])))
        assert kept.startswith(sealing.MAGIC) and b"%PDF" not in kept
        got = await client.get(f"/documents/{document['id']}/content", headers=nurse())
        assert got.status_code == 200 and got.content.startswith(b"%PDF-")
        assert len(got.content) == document["size"]
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            key = await session.get(DocumentKey, uuid.UUID(registered_patient.id))
        assert key is not None and key.key_id == sealing.key_id_of(kept).hex()

    async def test_an_attachment_is_sealed_and_its_preview_and_download_are_the_original(
        self, client: httpx.AsyncClient, minio_client: Minio
    ) -> None:
        attachment = await upload(client, str(uuid.uuid4()))
        objects = list(minio_client.list_objects(get_settings().s3_bucket, prefix=f"attachments/{attachment['id']}/"))
        kept = raw(minio_client, objects[0].object_name, None)
        assert kept.startswith(sealing.MAGIC) and b"%PDF" not in kept
        for path in ("content", "preview"):
            got = await client.get(f"/attachments/{attachment['id']}/{path}", headers=nurse())
            assert got.status_code == 200, (path, got.text)
            assert got.content == PDF


@pytest.mark.req("N17", partial=True)
class TestCryptoErase:
    """Erasing a person destroys their data key: no kept copy of their files opens again."""

    async def test_after_the_erasure_a_kept_copy_of_the_persons_files_never_opens_again(
        self,
        client: httpx.AsyncClient,
        registered_patient: PatientSnapshot,
        make_patient: Callable[..., PatientSnapshot],
        publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
        summary_of: Callable[[str], Awaitable[object]],
        minio_client: Minio,
        claimed: Claimed,
    ) -> None:
        patient, other = registered_patient, make_patient()
        await publish_patient(other)
        await wait_for(lambda: summary_of(other.id), timeout=15)
        document, kept_document = await print_card(client, patient.id), await print_card(client, other.id)
        attachment = await upload(client, patient.id)
        copies = [raw(minio_client, *(await object_of(client, document["id"])))]
        prefix = f"attachments/{attachment['id']}/"
        copies += [
            raw(minio_client, o.object_name, None)
            for o in minio_client.list_objects(get_settings().s3_bucket, prefix=prefix)
        ]
        store = client.app.state.store  # type: ignore[attr-defined]
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            assert [await store.unseal(session, copy) for copy in copies] == [
                (await client.get(f"/documents/{document['id']}/content", headers=nurse())).content,
                PDF,
            ]

        event = PatientRecordDeleted(
            patient_id=patient.id,
            registration_no=patient.registration_no,
            excluded_on=date(2024, 1, 10),
            deleted_on=date(2026, 3, 1),
            deletion_id=str(uuid.uuid4()),
        )
        envelope = Envelope.of(event, aggregate_id=patient.id, version=patient.version + 1, actor="test")
        await publish(envelope)
        await wait_for(lambda: claimed(envelope.event_id), timeout=15)

        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            assert await session.get(DocumentKey, uuid.UUID(patient.id)) is None
            erasure = await session.get(DocumentKeyErasure, uuid.UUID(patient.id))
            assert erasure is not None and erasure.key_id == sealing.key_id_of(copies[0]).hex()
            for copy in copies:
                with pytest.raises(DocumentKeyErased):
                    await store.unseal(session, copy)
            # no new file can be sealed for the erased person either (their key is not made again)
            with pytest.raises(DocumentKeyErased):
                await store.keys(session).for_person(uuid.UUID(patient.id))
        still = await client.get(f"/documents/{kept_document['id']}/content", headers=nurse())
        assert still.status_code == 200 and still.content.startswith(b"%PDF-")
