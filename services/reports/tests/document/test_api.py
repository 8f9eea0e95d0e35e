"""Printing F03 through the API, end to end: JetStream patient → read model → PDF → MinIO → download."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from minio import Minio
from minio.versioningconfig import ENABLED
from reports.settings import get_settings
from tbms_contracts.patients import CareRecordSnapshot, LabResultSnapshot, PatientSnapshot
from tbms_core import document_sealing as sealing
from tbms_testing import auth_headers, wait_for
from tbms_testing.stack import state_dir

EventsSince = Callable[[str, datetime], Awaitable[list[dict[str, object]]]]
AUDIT_SUBJECT = "tbms.audit.reports.operation.recorded.v1"
SEALING_OVERHEAD = sealing.HEADER_BYTES + 16  # the header and the GCM tag


def pdf_text(pdf: bytes, *options: str) -> str:
    """The text poppler extracts from a PDF (`-layout` keeps table rows on their lines)."""
    command = ["pdftotext", *options, "-", "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True).stdout.decode()


async def print_form(
    client: httpx.AsyncClient, patient_id: str, *, form: str = "F03", user: str = "nurse1"
) -> httpx.Response:
    """POST /documents as a demo user."""
    return await client.post("/documents", json={"form": form, "patient_id": patient_id}, headers=auth_headers(user))


async def printed(client: httpx.AsyncClient, patient_id: str, user: str = "nurse1") -> dict[str, object]:
    """Prints F03 about a patient and returns the document metadata."""
    response = await print_form(client, patient_id, user=user)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.req("R18", partial=True)
@pytest.mark.req("F03")
class TestPrintRegistrationCard:
    """Staff print the 結核登録票 of a registered patient and get it back as a PDF."""

    async def test_a_nurse_prints_and_downloads_the_card_of_a_registered_patient(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        document = await printed(client, registered_patient.id)
        assert (document["kind"], document["title"]) == ("F03", "結核登録票")
        assert document["patient_id"] == registered_patient.id
        assert document["object_key"] == f"patients/{registered_patient.id}/F03/{document['id']}.pdf"

        response = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert hashlib.sha256(response.content).hexdigest() == document["sha256"]
        assert len(response.content) == document["size"]
        text = pdf_text(response.content)
        for expected in (
            registered_patient.name,
            registered_patient.name_kana,
            registered_patient.registration_no,
            "昭和45年3月1日",
            "結 核 登 録 票",
        ):
            assert expected in text, expected

    async def test_the_card_names_who_printed_it(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        document = await printed(client, registered_patient.id, user="clerk1")
        response = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("clerk1"))
        assert "出力者：" in pdf_text(response.content)
        assert document["created_by_name"]

    async def test_a_read_only_user_may_print_because_printing_is_a_read(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        response = await print_form(client, registered_patient.id, user="viewer1")
        assert response.status_code == 201, response.text

    async def test_a_patient_whose_registration_has_not_arrived_is_asked_to_retry(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await print_form(client, str(uuid.uuid4()))
        assert response.status_code == 409
        assert response.json()["detail"] == (
            "患者情報がまだ帳票サービスに反映されていません。数秒後にもう一度お試しください。"
        )

    async def test_an_unknown_form_is_refused_with_a_japanese_message(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        response = await print_form(client, registered_patient.id, form="F99")
        assert response.status_code == 422
        assert response.json()["errors"]["form"] == "帳票「F99」はありません。帳票の番号を確認してください。"

    async def test_printing_without_a_login_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/documents", json={"form": "F03", "patient_id": str(uuid.uuid4())})
        assert response.status_code == 401
        assert response.json()["detail"] == "ログインが必要です。もう一度ログインしてください。"

    async def test_printing_and_downloading_are_audited_with_the_person(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot, jetstream_events: EventsSince
    ) -> None:
        since = datetime.now(UTC) - timedelta(seconds=1)
        document = await printed(client, registered_patient.id)
        await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))

        async def operations() -> set[str]:
            records = [e["payload"] for e in await jetstream_events(AUDIT_SUBJECT, since)]
            return {r["operation"] for r in records if r["record_id"] == document["id"]}  # type: ignore[index]

        await wait_for(lambda: _has(operations, {"print", "download"}), timeout=15)


@pytest.mark.req("R09", partial=True)
@pytest.mark.req("F03")
class TestPrintRegistrationCardSections:
    """The card prints what the patients service sent: the card's sections, test results and care records."""

    async def test_the_card_prints_the_notification_disease_tests_treatment_and_measures(
        self,
        client: httpx.AsyncClient,
        make_patient: Callable[..., PatientSnapshot],
        publish_patient: Callable[[PatientSnapshot], Awaitable[object]],
        summary_of: Callable[[str], Awaitable[object]],
        card: dict[str, object],
        make_lab_result: Callable[..., LabResultSnapshot],
        make_care_record: Callable[..., CareRecordSnapshot],
        publish_record: Callable[[LabResultSnapshot | CareRecordSnapshot], Awaitable[object]],
        lab_result_of: Callable[[str], Awaitable[object]],
        care_record_of: Callable[[str], Awaitable[object]],
    ) -> None:
        patient = make_patient(**card)
        smear = make_lab_result(patient.id)
        culture = make_lab_result(patient.id, kind="culture", details={"medium": "液体", "result": "陽性"})
        culture = culture.model_copy(update={"summary": "陽性（液体）"})
        treatment = make_care_record(
            patient.id,
            "treatment",
            {"regimen": "2HREZ/4HR", "started_on": "2026-04-08", "institution": "試験総合病院"},
            labels={"regimen": "2HREZ/4HR（標準治療A法）"},
        )
        visit = make_care_record(
            patient.id,
            "progress_note",
            {"noted_on": "2026-04-10", "kind": "visit", "text": "自宅を訪問し服薬を確認。", "author_name": "保健 太郎"},
            labels={"kind": "家庭訪問"},
        )
        await publish_patient(patient)
        for record in (smear, culture, treatment, visit):
            await publish_record(record)
        await wait_for(lambda: summary_of(patient.id), timeout=15)
        await wait_for(lambda: lab_result_of(smear.id), timeout=15)
        await wait_for(lambda: lab_result_of(culture.id), timeout=15)
        await wait_for(lambda: care_record_of(treatment.id), timeout=15)
        await wait_for(lambda: care_record_of(visit.id), timeout=15)

        document = await printed(client, patient.id)
        response = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))

        text = "".join(pdf_text(response.content, "-layout").split())
        for expected in (
            "届出医師氏名届出医師",  # the label, then the doctor
            "令和8年4月6日（2026年4月6日）",
            "試験総合病院",
            "医療従事者",
            "肺結核および肺外結核",
            "病側（b）病型（II）拡がり（2）",
            "令和8年4月1日喀痰2+（G5）陽性（液体）",
            "治療開始日令和8年4月8日（2026年4月8日）",
            "2HREZ/4HR（標準治療A法）",
            "■通院",
            "令和8年4月10日【家庭訪問】自宅を訪問し服薬を確認。保健太郎",
        ):
            assert expected in text, expected


async def _has(operations: Callable[[], Awaitable[set[str]]], expected: set[str]) -> bool:
    return expected <= await operations()


@pytest.mark.req("R20")
class TestDocumentStore:
    """Generated PDFs are kept in the versioned document store and can be found again."""

    async def test_the_pdf_is_stored_in_a_versioned_bucket_under_its_checksum(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot, minio_client: Minio
    ) -> None:
        document = await printed(client, registered_patient.id)
        bucket = get_settings().s3_bucket
        stat = minio_client.stat_object(bucket, str(document["object_key"]), version_id=str(document["version_id"]))
        stored = minio_client.get_object(bucket, str(document["object_key"]), version_id=str(document["version_id"]))
        try:
            content = stored.read()
        finally:
            stored.close()
            stored.release_conn()
        assert document["version_id"]
        assert minio_client.get_bucket_versioning(bucket).status == ENABLED
        # the stored bytes are the PDF sealed with the patient's data key; the checksum is the PDF's
        assert stat.content_type == "application/pdf" and stat.size == document["size"] + SEALING_OVERHEAD
        assert stat.metadata["x-amz-meta-sha256"] == document["sha256"]
        assert content.startswith(sealing.MAGIC) and b"%PDF" not in content
        assert stat.metadata["x-amz-meta-tbms-key-id"] == sealing.key_id_of(content).hex()

    @pytest.mark.req("N16", partial=True)
    async def test_the_pdf_is_encrypted_at_rest_by_the_store(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot, minio_client: Minio
    ) -> None:
        """The bucket's default encryption is SSE-S3 and what lies on MinIO's disk is no PDF: without the key the
        deployment holds (MINIO_KMS_SECRET_KEY), a copy of the disks or of their snapshots reads nothing."""
        document = await printed(client, registered_patient.id)
        bucket, key = get_settings().s3_bucket, str(document["object_key"])
        config = minio_client.get_bucket_encryption(bucket)
        assert config is not None and config.rule.sse_algorithm == "AES256"
        stat = minio_client.stat_object(bucket, key, version_id=str(document["version_id"]))
        assert stat.metadata.get("x-amz-server-side-encryption") == "AES256"
        on_disk = [path for path in (state_dir() / "minio" / bucket / key).rglob("*") if path.is_file()]
        assert on_disk, "the object's files were not found in MinIO's data folder"
        assert not [path for path in on_disk if b"%PDF-" in path.read_bytes()]

    async def test_a_patients_documents_are_listed_newest_first(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        first = await printed(client, registered_patient.id)
        second = await printed(client, registered_patient.id)
        response = await client.get(
            "/documents", params={"patient_id": registered_patient.id}, headers=auth_headers("nurse1")
        )
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 2
        assert [d["id"] for d in page["items"]] == [second["id"], first["id"]]

    async def test_a_documents_metadata_is_read_back(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot
    ) -> None:
        document = await printed(client, registered_patient.id)
        response = await client.get(f"/documents/{document['id']}", headers=auth_headers("viewer1"))
        assert response.status_code == 200
        assert response.json() == document

    async def test_an_unknown_document_is_not_found_in_japanese(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/documents/{uuid.uuid4()}/content", headers=auth_headers("nurse1"))
        assert response.status_code == 404
        assert response.json()["detail"] == "指定された帳票・資料が見つかりません。"

    async def test_document_generated_is_published_with_the_checksum(
        self, client: httpx.AsyncClient, registered_patient: PatientSnapshot, jetstream_events: EventsSince
    ) -> None:
        since = datetime.now(UTC) - timedelta(seconds=1)
        document = await printed(client, registered_patient.id)

        async def published() -> list[dict[str, object]]:
            events = await jetstream_events("tbms.reports.document.generated.v1", since)
            return [e for e in events if e["aggregate_id"] == document["id"]]

        [event] = await wait_for(published, timeout=15)  # type: ignore[misc]
        payload = event["payload"]
        assert payload["sha256"] == document["sha256"]  # type: ignore[index]
        assert payload["object_key"] == document["object_key"]  # type: ignore[index]
        assert payload["version_id"] == document["version_id"]  # type: ignore[index]
        assert "name" not in payload  # type: ignore[operator]
