"""Batch printing by genre through the API: every form for every record in one PDF, resumed after a restart."""

from __future__ import annotations

import asyncio
import io
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from pypdf import PdfReader
from reports.batch.worker import BatchWorker
from reports.forms.registry import FORMS
from reports.forms.spec import Genre
from tbms_contracts.patients import PatientSnapshot
from tbms_testing import auth_headers, wait_for

SummaryOf = Callable[[str], Awaitable[object]]
Patients = Callable[[int], Awaitable[list[PatientSnapshot]]]


PATIENT_FORMS = [spec.id for spec in FORMS.values() if spec.genre == Genre.PATIENTS]  # the genre 患者管理


def pages(pdf: bytes) -> int:
    """A PDF's page count."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    """The text poppler extracts from a PDF."""
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def patients(
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[object]],
    summary_of: SummaryOf,
) -> Patients:
    """Registers synthetic patients through JetStream and waits until reports knows them all."""

    async def register(count: int) -> list[PatientSnapshot]:
        snapshots = [make_patient(name=f"一括 試験{n:02d}", name_kana=f"イッカツ シケン{n:02d}") for n in range(count)]
        for snapshot in snapshots:
            await publish_patient(snapshot)
        for snapshot in snapshots:
            await wait_for(lambda s=snapshot: summary_of(s.id), timeout=15)
        return snapshots

    return register


async def request(client: httpx.AsyncClient, patient_ids: list[str], genre: str = "患者管理") -> httpx.Response:
    """POST /batches as nurse1."""
    body = {"genre": genre, "patient_ids": patient_ids}
    return await client.post("/batches", json=body, headers=auth_headers("nurse1"))


async def finished(client: httpx.AsyncClient, batch_id: str, timeout: float = 60) -> dict:
    """Waits until the batch is done and returns its progress."""

    async def done() -> dict | None:
        batch = (await client.get(f"/batches/{batch_id}", headers=auth_headers("nurse1"))).json()
        return batch if batch["status"] in ("done", "failed") else None

    return await wait_for(done, timeout=timeout)


async def filed_pages(client: httpx.AsyncClient, patient_id: str) -> list[int]:
    """The page counts of the documents filed with a patient."""
    listed = (await client.get(f"/documents?patient_id={patient_id}", headers=auth_headers("nurse1"))).json()
    counts = []
    for document in listed["items"]:
        content = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))
        counts.append(pages(content.content))
    return counts


@pytest.mark.req("R19", partial=True)
class TestBatchByGenre:
    """Every form of the genre is printed for each chosen record, into one PDF kept with the batch."""

    async def test_every_form_for_every_patient_is_in_the_merged_pdf_and_filed_with_the_patient(
        self, client: httpx.AsyncClient, patients: Patients
    ) -> None:
        chosen = await patients(3)
        unknown = str(uuid.uuid4())
        response = await request(client, [p.id for p in chosen] + [unknown])
        assert response.status_code == 202, response.text
        forms = len(PATIENT_FORMS)
        assert (response.json()["total"], response.json()["status"]) == (4 * forms, "queued")

        batch = await finished(client, response.json()["id"], timeout=180)

        assert (batch["status"], batch["done"], batch["percent"]) == ("done", 4 * forms, 100)
        assert [s["patient_id"] for s in batch["skipped"]] == [unknown] * forms
        assert batch["skipped"][0]["reason"].startswith("患者情報がまだ帳票サービスに反映されていません")
        merged = await client.get(f"/batches/{batch['id']}/content", headers=auth_headers("nurse1"))
        assert merged.status_code == 200
        per_patient = [await filed_pages(client, p.id) for p in chosen]
        assert all(len(counts) == forms for counts in per_patient), "one filed copy of each form per patient"
        assert pages(merged.content) == batch["pages"] == sum(sum(c) for c in per_patient)
        text = pdf_text(merged.content)
        for patient in chosen:
            assert patient.name in text and patient.registration_no in text

    async def test_a_session_batch_without_a_session_and_an_unknown_genre_are_refused_in_japanese(
        self, client: httpx.AsyncClient
    ) -> None:
        by_session = await request(client, [str(uuid.uuid4())], genre="診査会")  # its papers print per session
        unknown = await request(client, [str(uuid.uuid4())], genre="その他")
        assert (by_session.status_code, unknown.status_code) == (422, 422)
        assert by_session.json()["errors"]["session_id"] == "印刷する診査会を選んでください。"
        assert "いずれか" in unknown.json()["detail"]

    async def test_the_merged_pdf_is_refused_until_the_batch_is_done(
        self, client: httpx.AsyncClient, paused_worker: None, patients: Patients
    ) -> None:
        chosen = await patients(1)
        batch = (await request(client, [chosen[0].id])).json()
        response = await client.get(f"/batches/{batch['id']}/content", headers=auth_headers("nurse1"))
        assert response.status_code == 409


@pytest.mark.req("R19", partial=True)
class TestResume:
    """A batch whose reports process stopped half-way is finished by the next one, without printing twice."""

    async def test_a_batch_interrupted_by_a_restart_is_resumed_and_completed_once(
        self, client: httpx.AsyncClient, paused_worker: None, patients: Patients
    ) -> None:
        chosen = await patients(6)
        batch = (await request(client, [p.id for p in chosen])).json()
        app = client.app  # type: ignore[attr-defined]

        def worker() -> BatchWorker:
            return BatchWorker(app.state.db, app.state.store, app.state.renderer, poll=0.1, stale=0.5)

        first = asyncio.create_task(worker().run())
        await wait_for(lambda: _done_at_least(client, batch["id"], 2), timeout=60)
        first.cancel()  # the process stops mid-batch, as on a restart
        await asyncio.gather(first, return_exceptions=True)
        halfway = (await client.get(f"/batches/{batch['id']}", headers=auth_headers("nurse1"))).json()
        total = 6 * len(PATIENT_FORMS)
        assert halfway["status"] == "running" and 2 <= halfway["done"] < total

        second = asyncio.create_task(worker().run())
        try:
            result = await finished(client, batch["id"], timeout=180)
        finally:
            second.cancel()
            await asyncio.gather(second, return_exceptions=True)

        assert (result["status"], result["done"]) == ("done", total)
        per_patient = [await filed_pages(client, p.id) for p in chosen]
        assert all(len(counts) == len(PATIENT_FORMS) for counts in per_patient), "no form printed twice"
        merged = await client.get(f"/batches/{batch['id']}/content", headers=auth_headers("nurse1"))
        assert pages(merged.content) == sum(sum(c) for c in per_patient)


async def _done_at_least(client: httpx.AsyncClient, batch_id: str, count: int) -> bool:
    batch = (await client.get(f"/batches/{batch_id}", headers=auth_headers("nurse1"))).json()
    return batch["done"] >= count


@pytest.fixture
async def paused_worker(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Stops the service's own batch worker for one test, and starts it again afterwards."""
    app = client.app  # type: ignore[attr-defined]
    worker: BatchWorker = app.state.batch_worker
    worker.stop()
    await asyncio.sleep(max(worker.poll, 0.1) * 2)
    yield
    app.state.kit.tasks.append(asyncio.create_task(worker.run(), name="reports-batch-worker"))
