"""A rebuild fills a new index beside the live one and swaps it in: users always search a complete index (R28)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from search.engine.embedded import EmbeddedEngine, rebuild_file
from search.indexing.documents import patient_document
from search.rebuild.service import RebuildService
from sqlalchemy import text
from tbms_contracts.patients import PatientSnapshot
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish

IndexPatient = Callable[..., Awaitable[PatientSnapshot]]


def unique_number() -> str:
    """A 登録番号 no other test uses."""
    return f"6{uuid.uuid4().int % 10**8:08d}"


async def found(client: httpx.AsyncClient, query: str) -> list[dict]:
    """What an administrator finds."""
    response = await client.get("/search", params={"q": query}, headers=auth_headers("admin1"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def post(client: httpx.AsyncClient, **batch: object) -> httpx.Response:
    """`POST /admin/reindex` as `tbms search reindex` does."""
    return await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))


async def begin(client: httpx.AsyncClient) -> str:
    """Begins a rebuild; its id."""
    response = await post(client, reset=True)
    assert response.status_code == 200, response.text
    return response.json()["rebuild_id"]


def page(*snapshots: PatientSnapshot) -> list[dict]:
    """Snapshots as `GET /patients` returns them."""
    return [snapshot.model_dump(mode="json") for snapshot in snapshots]


async def consumed(client: httpx.AsyncClient, *envelopes: Envelope) -> None:
    """Publishes events to JetStream and waits until the search consumers applied them."""
    await publish(*envelopes)

    async def applied() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            ids = [envelope.event_id for envelope in envelopes]
            sql = text("SELECT count(*) FROM inbox WHERE event_id = ANY(:ids)")
            return (await session.execute(sql, {"ids": ids})).scalar_one() == len(ids)

    await wait_for(applied, timeout=10)


def engine_of(client: httpx.AsyncClient) -> EmbeddedEngine:
    """The in-process app's embedded engine."""
    return client.app.state.engine  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
async def no_rebuild_left(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Every test starts and ends without a running rebuild (others' pages would go into it)."""
    await _discard_running(client)
    yield
    await _discard_running(client)


async def _discard_running(client: httpx.AsyncClient) -> None:
    app = client.app  # type: ignore[attr-defined]
    async with app.state.db.session() as session:
        await RebuildService(session, app.state.engine, timeout=timedelta(0)).expire()


@pytest.mark.req("R28", "R22", partial=True)
class TestSearchingDuringARebuild:
    """The live index keeps serving, complete, until the new one is swapped in."""

    async def test_every_record_of_the_live_index_is_found_while_pages_fill_the_new_one(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        live = [await index_patient("再構築中 一", registration_no=unique_number()) for _ in range(3)]
        rebuild_id = await begin(client)
        added = PatientSnapshot.model_validate(
            page(live[0])[0] | {"id": str(uuid.uuid4()), "registration_no": unique_number()}
        )
        response = await post(client, patients=page(live[0], added), rebuild_id=rebuild_id)
        assert response.json() == {"received": 2, "indexed": 2, "current": 0, "skipped": 0, "rebuild_id": rebuild_id}
        for snapshot in live:  # nothing was emptied
            assert [item["id"] for item in await found(client, snapshot.registration_no)] == [snapshot.id]
        assert await found(client, added.registration_no) == []  # only in the new index so far
        ready = (await client.get("/health/ready")).json()
        assert (ready["status"], ready["index"]["state"]) == ("ok", "complete")
        rebuild = ready["index"]["rebuild"]
        assert (rebuild["id"], rebuild["state"], rebuild["records_sent"]) == (rebuild_id, "running", 2)
        assert rebuild["started_at"] <= rebuild["last_progress_at"] and rebuild["finished_at"] is None
        await post(client, done=True, rebuild_id=rebuild_id)
        assert [item["id"] for item in await found(client, added.registration_no)] == [added.id]

    async def test_the_status_for_operators_shows_the_rebuild(self, client: httpx.AsyncClient) -> None:
        rebuild_id = await begin(client)
        status = (await client.get("/admin/reindex", headers=auth_headers("admin1"))).json()
        assert status["state"] == "complete" and status["rebuild"]["id"] == rebuild_id
        assert status["rebuild"]["state"] == "running"
        refused = await client.get("/admin/reindex", headers=auth_headers("nurse1"))
        assert refused.status_code == 403


@pytest.mark.req("R28", "R22", partial=True)
class TestEventsDuringARebuild:
    """Events go to both indexes; a page never undoes an event, nor brings back a deletion."""

    async def test_an_update_and_a_deletion_during_the_rebuild_survive_the_swap(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        kept = await index_patient("再構築 旧姓", registration_no=unique_number())
        removed = await index_patient("再構築 削除", registration_no=unique_number())
        rebuild_id = await begin(client)
        await engine_of(client).follow_rebuild(None)  # as if another process had begun it: each event must
        # find the rebuild in the database and write to its index too
        corrected = patient_event(uuid.UUID(kept.id), 2, "再構築 新姓", kept.registration_no)
        deleted = Envelope(
            type="tbms.patients.patient.deleted.v1", aggregate_id=removed.id, aggregate_version=2, payload={}
        )
        await consumed(client, corrected, deleted)
        assert [item["name"] for item in await found(client, kept.registration_no)] == ["再構築 新姓"]  # live too
        stale = await post(client, patients=page(kept, removed), rebuild_id=rebuild_id)  # read before the events
        assert (stale.json()["indexed"], stale.json()["skipped"]) == (0, 2)  # the ledger refuses both
        engine = engine_of(client)  # and so does the new index itself
        assert not await engine.index_rebuilt(patient_document(kept))
        assert not await engine.index_rebuilt(patient_document(removed))
        assert (await post(client, done=True, rebuild_id=rebuild_id)).status_code == 200
        assert [item["name"] for item in await found(client, kept.registration_no)] == ["再構築 新姓"]
        assert await found(client, removed.registration_no) == []


@pytest.mark.req("R28", "R22", partial=True)
class TestSwap:
    """`done` puts the new index in place of the live one."""

    async def test_after_done_the_new_index_serves_and_the_old_file_is_gone(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        engine = engine_of(client)
        never_sent = await index_patient("再構築 未送信", registration_no=unique_number())
        sent = await index_patient("再構築 送信", registration_no=unique_number())
        rebuild_id = await begin(client)
        new_file = rebuild_file(engine.directory, rebuild_id)
        assert new_file.exists()
        await post(client, patients=page(sent), rebuild_id=rebuild_id)
        answer = await post(client, done=True, rebuild_id=rebuild_id)
        assert answer.json()["rebuild_id"] == rebuild_id
        assert not new_file.exists() and engine.path.exists()
        assert not [name for name in os.listdir(engine.directory) if ".rebuild-" in name]
        assert [item["id"] for item in await found(client, sent.registration_no)] == [sent.id]
        assert await found(client, never_sent.registration_no) == []  # it was only in the old file
        ready = (await client.get("/health/ready")).json()["index"]
        assert (ready["state"], ready["rebuild"]["state"]) == ("complete", "finished")
        assert ready["rebuild"]["finished_at"] is not None
        late = await post(client, patients=[], rebuild_id=rebuild_id)
        assert late.status_code == 409 and "実行中ではありません" in late.json()["detail"]


@pytest.mark.req("R28", "R22", partial=True)
class TestAbandonedRebuild:
    """A rebuild no page came for is discarded; the live index is untouched."""

    async def test_a_silent_rebuild_is_discarded_and_the_live_index_answers_fully(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        engine = engine_of(client)
        live = [await index_patient("再構築 放置", registration_no=unique_number()) for _ in range(2)]
        rebuild_id = await begin(client)
        await post(client, patients=page(live[0]), rebuild_id=rebuild_id)
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            sql = "UPDATE rebuilds SET last_progress_at = now() - interval '31 minutes' WHERE id = :id"
            await session.execute(text(sql), {"id": rebuild_id})
        ready = (await client.get("/health/ready")).json()
        assert (ready["status"], ready["index"]["state"]) == ("ok", "complete")
        rebuild = ready["index"]["rebuild"]
        assert (rebuild["id"], rebuild["state"]) == (rebuild_id, "abandoned")
        assert "破棄" in rebuild["detail"] and "discarded" in rebuild["detail"]
        assert not rebuild_file(engine.directory, rebuild_id).exists()
        for snapshot in live:
            assert [item["id"] for item in await found(client, snapshot.registration_no)] == [snapshot.id]
        late = await post(client, patients=page(live[1]), rebuild_id=rebuild_id)
        assert late.status_code == 409

    async def test_a_page_after_the_timeout_discards_the_rebuild_itself(self, client: httpx.AsyncClient) -> None:
        rebuild_id = await begin(client)
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            sql = "UPDATE rebuilds SET last_progress_at = now() - interval '2 hours' WHERE id = :id"
            await session.execute(text(sql), {"id": rebuild_id})
        late = await post(client, patients=[], rebuild_id=rebuild_id)
        assert late.status_code == 409 and "分間ページが届かなかった" in late.json()["detail"]

    async def test_a_rebuild_whose_file_was_lost_is_marked_failed(self, client: httpx.AsyncClient) -> None:
        engine = engine_of(client)
        rebuild_id = await begin(client)
        await engine.follow_rebuild(None)  # as after a restart that found no file
        await asyncio.to_thread(rebuild_file(engine.directory, rebuild_id).unlink)
        rebuild = (await client.get("/health/ready")).json()["index"]["rebuild"]
        assert (rebuild["id"], rebuild["state"]) == (rebuild_id, "failed") and "missing" in rebuild["detail"]

    async def test_a_new_reset_takes_over_from_a_running_rebuild(self, client: httpx.AsyncClient) -> None:
        engine = engine_of(client)
        first = await begin(client)
        second = await begin(client)
        assert not rebuild_file(engine.directory, first).exists() and rebuild_file(engine.directory, second).exists()
        refused = await post(client, patients=[], rebuild_id=first)
        assert refused.status_code == 409 and second in refused.json()["detail"]
        assert (await post(client, done=True, rebuild_id=second)).status_code == 200


@pytest.mark.req("R28", partial=True)
class TestMalformedPages:
    """A malformed page is the caller's mistake: 422 with the field, never 500, and nothing begins."""

    @pytest.mark.parametrize(
        "batch",
        [
            {"patients": "every one"},
            {"patients": [1, 2]},
            {"patients": [{"id": "x"}]},
            {"contacts": [{"id": "x", "version": "new"}]},
            {"reset": "maybe"},
            {"rebuild_id": "../../etc"},
            {"patients": [{}] * 1001},
        ],
    )
    async def test_a_malformed_body_is_422(self, client: httpx.AsyncClient, batch: dict) -> None:
        response = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "invalid_input" and response.json()["errors"]

    async def test_a_malformed_first_page_begins_no_rebuild(self, client: httpx.AsyncClient) -> None:
        engine = engine_of(client)
        before = set(os.listdir(engine.directory))
        response = await post(client, reset=True, patients=[{"id": "x"}])
        assert response.status_code == 422 and "patients.0" in response.json()["errors"]
        assert set(os.listdir(engine.directory)) == before
        status = (await client.get("/admin/reindex", headers=auth_headers("admin1"))).json()
        assert status.get("rebuild", {}).get("state") != "running"

    async def test_a_body_that_is_not_json_is_422(self, client: httpx.AsyncClient) -> None:
        headers = auth_headers("admin1") | {"content-type": "application/json"}
        response = await client.post("/admin/reindex", content=b"{not json", headers=headers)
        assert response.status_code == 422
