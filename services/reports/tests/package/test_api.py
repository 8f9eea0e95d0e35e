"""An encrypted file of a patient's filed documents, to send them to another body (N32): an AES-256 ZIP of the
chosen PDFs whose key is answered once and kept nowhere; the ciphertext stays in the document store."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import httpx
import pytest
import pyzipper
from sqlalchemy import text
from tbms_contracts.patients import PatientSnapshot
from tbms_core import package
from tbms_testing import auth_headers, wait_for

SummaryOf = Callable[[str], Awaitable[object]]


async def printed(client: httpx.AsyncClient, patient_id: str) -> dict[str, object]:
    """Prints F03 about a patient as nurse1 and returns the document metadata."""
    body = {"form": "F03", "patient_id": patient_id}
    response = await client.post("/documents", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    return response.json()


async def make(client: httpx.AsyncClient, patient_id: str, ids: list[str], user: str = "nurse1") -> httpx.Response:
    body = {"patient_id": patient_id, "document_ids": ids}
    return await client.post("/documents/packages", json=body, headers=auth_headers(user))


@pytest.mark.req("N32", partial=True)
class TestDocumentPackage:
    """The chosen documents of one patient, encrypted for the new health centre on a 転出."""

    async def test_the_package_opens_with_its_key_and_holds_exactly_the_chosen_pdfs(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        card, again, left_out = [await printed(client, registered_patient.id) for _ in range(3)]
        response = await make(client, registered_patient.id, [card["id"], again["id"]])
        assert response.status_code == 201, response.text
        made = response.json()
        key = made["password"]
        assert len(key) == package.KEY_LENGTH and made["document_ids"] == [card["id"], again["id"]]
        download = await client.get(f"/documents/packages/{made['id']}/content", headers=auth_headers("nurse1"))
        assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
        assert package.sha256(download.content) == made["sha256"] and len(download.content) == made["size"]
        with pytest.raises(RuntimeError):
            package.read_zip(download.content, "wrong-key")
        files = package.read_zip(download.content, key)
        with pyzipper.AESZipFile(io.BytesIO(download.content)) as archive:
            assert all(info.flag_bits & 0x1 for info in archive.infolist())  # every entry encrypted
        originals = [
            (await client.get(f"/documents/{d['id']}/content", headers=auth_headers("nurse1"))).content
            for d in (card, again)
        ]
        assert sorted(files.values()) == sorted(originals)
        assert all(name.endswith(".pdf") and "結核登録票" in name for name in files)
        assert left_out["id"] not in made["document_ids"]
        meta = await client.get(f"/documents/packages/{made['id']}", headers=auth_headers("viewer1"))
        assert meta.status_code == 200 and "password" not in meta.json()

    async def test_no_key_is_stored_in_the_row(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        card = await printed(client, registered_patient.id)
        made = (await make(client, registered_patient.id, [card["id"]])).json()
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            row = (
                (await session.execute(text("SELECT * FROM document_packages WHERE id = :i"), {"i": made["id"]}))
                .mappings()
                .one()
            )
            anywhere = await session.scalar(
                text("SELECT count(*) FROM document_packages p WHERE p::text LIKE :k"), {"k": f"%{made['password']}%"}
            )
        assert row["sha256"] == made["sha256"] and row["document_ids"] == [card["id"]]
        assert made["password"] not in str(dict(row)) and anywhere == 0

    async def test_a_document_of_another_patient_is_refused(
        self,
        client: httpx.AsyncClient,
        registered_patient: PatientSnapshot,
        make_patient: Callable[..., PatientSnapshot],
        publish_patient: Callable[[PatientSnapshot], Awaitable[object]],
        summary_of: SummaryOf,
    ) -> None:
        other = make_patient()
        await publish_patient(other)
        await wait_for(lambda: summary_of(other.id), timeout=15)
        mine, theirs = await printed(client, registered_patient.id), await printed(client, other.id)
        response = await make(client, registered_patient.id, [mine["id"], theirs["id"]])
        assert response.status_code == 422
        assert "この患者の帳票・資料ではない" in response.json()["errors"]["document_ids"]
        assert (await make(client, registered_patient.id, [])).status_code == 422
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            count = await session.scalar(
                text("SELECT count(*) FROM document_packages WHERE patient_id = :p"), {"p": registered_patient.id}
            )
        assert count == 0

    async def test_without_a_login_nothing_is_made_or_downloaded_and_an_unknown_package_is_not_found(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        card = await printed(client, registered_patient.id)
        body = {"patient_id": registered_patient.id, "document_ids": [card["id"]]}
        assert (await client.post("/documents/packages", json=body)).status_code == 401
        made = (await make(client, registered_patient.id, [card["id"]])).json()
        assert (await client.get(f"/documents/packages/{made['id']}/content")).status_code == 401
        unknown = f"/documents/packages/{card['id']}/content"  # a document's id is not a package's
        assert (await client.get(unknown, headers=auth_headers("nurse1"))).status_code == 404
