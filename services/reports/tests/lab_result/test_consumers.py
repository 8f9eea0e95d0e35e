"""Test results reach the reports read model through JetStream; a correction replaces them, a stale one does not."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest
from reports.lab_result.models import LabResult
from tbms_contracts.patients import CareRecordSnapshot, LabResultSnapshot
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for

MakeResult = Callable[..., LabResultSnapshot]
Publish = Callable[[LabResultSnapshot | CareRecordSnapshot], Awaitable[Envelope]]
ResultOf = Callable[[str], Awaitable[LabResult | None]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]


async def at_version(result_of: ResultOf, result_id: str, version: int) -> LabResult | None:
    """The result once it has reached a version, else None."""
    result = await result_of(result_id)
    return result if result is not None and result.version >= version else None


@pytest.mark.req("R09", partial=True)
@pytest.mark.req("F03")
class TestOnLabResultRecorded:
    """A recorded result becomes printable on the registration card."""

    async def test_a_recorded_result_reaches_the_read_model(
        self, make_lab_result: MakeResult, publish_record: Publish, lab_result_of: ResultOf
    ) -> None:
        patient_id = str(uuid.uuid4())
        snapshot = make_lab_result(patient_id, kind="dst", details={"results": {"INH": "R", "RFP": "R"}}, mdr=True)
        await publish_record(snapshot.model_copy(update={"summary": "耐性: INH, RFP"}))

        result = await wait_for(lambda: lab_result_of(snapshot.id), timeout=15)

        assert isinstance(result, LabResult)
        assert (str(result.patient_id), result.kind, result.specimen) == (patient_id, "dst", "喀痰")
        assert (result.collected_on, result.mdr, result.summary) == (date(2026, 4, 1), True, "耐性: INH, RFP")
        assert result.details == {"results": {"INH": "R", "RFP": "R"}}


@pytest.mark.req("R09", partial=True)
class TestOnLabResultCorrected:
    """A correction replaces the result only when it is newer than what is held."""

    async def test_a_correction_replaces_the_result(
        self, make_lab_result: MakeResult, publish_record: Publish, lab_result_of: ResultOf
    ) -> None:
        patient_id, result_id = str(uuid.uuid4()), uuid.uuid4()
        await publish_record(make_lab_result(patient_id, result_id))
        await publish_record(make_lab_result(patient_id, result_id, version=2, details={"grade": "3+"}, summary="3+"))

        result = await wait_for(lambda: at_version(lab_result_of, str(result_id), 2), timeout=15)

        assert (result.summary, result.details) == ("3+", {"grade": "3+"})  # type: ignore[union-attr]

    async def test_an_older_snapshot_arriving_late_is_ignored(
        self, make_lab_result: MakeResult, publish_record: Publish, lab_result_of: ResultOf, claimed: Claimed
    ) -> None:
        patient_id, result_id = str(uuid.uuid4()), uuid.uuid4()
        await publish_record(make_lab_result(patient_id, result_id, version=3, summary="最新"))
        await wait_for(lambda: at_version(lab_result_of, str(result_id), 3), timeout=15)
        stale = await publish_record(make_lab_result(patient_id, result_id, version=2, summary="古い"))
        first = await publish_record(make_lab_result(patient_id, result_id, version=1, summary="最初"))

        await wait_for(lambda: claimed(stale.event_id), timeout=15)
        await wait_for(lambda: claimed(first.event_id), timeout=15)

        result = await lab_result_of(str(result_id))
        assert result is not None and (result.version, result.summary) == (3, "最新")


@pytest.mark.req("R28", partial=True)
class TestBackfill:
    """POST /admin/backfill/lab-results (`tbms replay reports`): missing and older results are stored, a newer one
    an event brought is kept."""

    async def test_missing_and_older_results_are_stored_and_newer_ones_kept(
        self, client: httpx.AsyncClient, make_lab_result: MakeResult, publish_record: Publish, lab_result_of: ResultOf
    ) -> None:
        patient_id = str(uuid.uuid4())
        lost = make_lab_result(patient_id, version=2, summary="失われた 3+")
        behind, ahead = make_lab_result(patient_id), make_lab_result(patient_id)
        await publish_record(behind)
        await publish_record(ahead.model_copy(update={"version": 4, "summary": "新しい 1+"}))
        await wait_for(lambda: lab_result_of(behind.id), timeout=15)
        await wait_for(lambda: at_version(lab_result_of, ahead.id, 4), timeout=15)
        page = [
            lost,
            behind.model_copy(update={"version": 2, "summary": "訂正 2+"}),
            ahead.model_copy(update={"version": 3}),
        ]
        body = {"items": [snapshot.model_dump(mode="json") for snapshot in page]}

        answer = await client.post("/admin/backfill/lab-results", json=body, headers=auth_headers("admin1"))

        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": 3, "applied": 2, "current": 1}
        held = [await lab_result_of(result.id) for result in (lost, behind, ahead)]
        assert [(r.version, r.summary) for r in held if r] == [(2, "失われた 3+"), (2, "訂正 2+"), (4, "新しい 1+")]
        refused = await client.post("/admin/backfill/lab-results", json=body, headers=auth_headers("nurse1"))
        assert refused.status_code == 403
        listed = await client.get("/admin/backfill/lab-results", params={"limit": 5000}, headers=auth_headers("admin1"))
        held_versions = {item["id"]: item["version"] for item in listed.json()["items"]}
        assert {result.id: held_versions[result.id] for result in (lost, behind, ahead)} == {
            lost.id: 2,
            behind.id: 2,
            ahead.id: 4,
        }
