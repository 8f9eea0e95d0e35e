"""A patient's DOTS state in search: the type and intensity of the plan in force and the next 服薬確認 due, from the
patients service's DOTS plans and deadlines; 詳細検索 narrows to them and to confirmations that stopped (R07, R22)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from search.indexing.consumers import on_care_record_saved, on_patient_changed, on_patient_deadlines
from tbms_contracts.deadlines import PATIENT_DEADLINES, Deadline, DeadlineRecord, DeadlinesChanged
from tbms_contracts.patients import CareRecordSaved, CareRecordSnapshot
from tbms_core.clock import frozen_at, jst
from tbms_core.events import Envelope
from tbms_testing import auth_headers
from tbms_testing.events import patient_event

TODAY = jst(2026, 12, 3, 10)


def plan_event(patient_id: uuid.UUID, plan_id: uuid.UUID, version: int, **data: object) -> Envelope:
    """A DOTS plan saved (CareRecordSaved of kind dots_plan), as patients publishes it with its labels."""
    values = {"starts_on": "2026-11-01", "ends_on": None, "dots_type": "visit", "intensity": "A"} | data
    labels = {"dots_type": {"visit": "訪問DOTS", "outpatient": "外来DOTS"}[str(values["dots_type"])]}
    record = CareRecordSnapshot(
        id=str(plan_id), patient_id=str(patient_id), version=version, kind="dots_plan", data=values, labels=labels
    )
    return Envelope.of(CareRecordSaved(care_record=record, created=version == 1), aggregate_id=plan_id, version=version)


def deadlines_event(patient_id: uuid.UUID, revision: int, *dues: tuple[str, date]) -> Envelope:
    """The patient's open deadlines (DeadlinesChanged), with DOTS confirmations and anything else due."""
    record = DeadlineRecord(service="patients", aggregate="patient", id=str(patient_id))
    deadlines = [
        Deadline(key=f"k{n}", kind=kind, rule="", what="", due_on=due_on, record=record)
        for n, (kind, due_on) in enumerate(dues)
    ]
    payload = DeadlinesChanged(record=record, revision=revision, deadlines=deadlines).model_dump(mode="json")
    return Envelope(type=PATIENT_DEADLINES, aggregate_id=str(patient_id), aggregate_version=revision, payload=payload)


async def apply_events(client: httpx.AsyncClient, *envelopes: Envelope) -> None:
    """Runs search's consumers' code on the events, each in its own transaction, on Japan's 3 December 2026."""
    app = client.app  # type: ignore[attr-defined]
    engine = app.state.engine
    handlers = {
        "patient": on_patient_changed(engine),
        "care_record": on_care_record_saved(engine),
        "deadlines": on_patient_deadlines(engine),
    }
    with frozen_at(TODAY):
        for envelope in envelopes:
            async with app.state.db.session() as session:
                await handlers[envelope.type.split(".")[2]](session, envelope)


async def search(client: httpx.AsyncClient, **params: object) -> list[dict]:
    """The items of GET /search (as a nurse, on Japan's 3 December 2026)."""
    with frozen_at(TODAY):
        response = await client.get("/search", params=params, headers=auth_headers("nurse1"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def district() -> str:
    """A district no other test uses, so that a filter by it finds only this test's patients."""
    return f"地区{uuid.uuid4().hex[:6]}"


@pytest.mark.req("R07", "R22", partial=True)
class TestDotsState:
    """The plan in force and the next confirmation due become part of the patient's hit."""

    async def test_the_plan_in_force_and_the_due_date_are_shown_and_filtered(self, client: httpx.AsyncClient) -> None:
        patient_id, team = uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(patient_id, 1, "服薬 支援", district=team),
            plan_event(patient_id, uuid.uuid4(), 1),
            deadlines_event(
                patient_id, 1, ("followup_exam_due", date(2026, 12, 1)), ("dots_confirmation_due", date(2026, 12, 4))
            ),
        )
        [item] = await search(client, district=team)
        assert (item["dots_type_label"], item["dots_intensity"], item["dots_due_on"]) == ("訪問DOTS", "A", "2026-12-04")
        assert [i["id"] for i in await search(client, district=team, dots_type="visit", dots_intensity="A")] == [
            str(patient_id)
        ]
        assert await search(client, district=team, dots_type="outpatient") == []
        assert await search(client, district=team, dots_overdue="true") == []  # due tomorrow: not stopped

    async def test_a_due_date_before_today_is_found_as_stopped(self, client: httpx.AsyncClient) -> None:
        stopped, on_time, team = uuid.uuid4(), uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(stopped, 1, "途絶 太郎", district=team),
            patient_event(on_time, 1, "継続 花子", district=team),
            plan_event(stopped, uuid.uuid4(), 1, intensity="B"),
            plan_event(on_time, uuid.uuid4(), 1, intensity="B"),
            deadlines_event(stopped, 3, ("dots_confirmation_overdue", date(2026, 11, 26))),
            deadlines_event(on_time, 2, ("dots_confirmation_due", date(2026, 12, 3))),
        )
        overdue = await search(client, district=team, dots_overdue="true")
        assert [item["name"] for item in overdue] == ["途絶 太郎"]
        week = await search(client, district=team, dots_due_from="2026-12-03", dots_due_to="R8.12.9")
        assert [item["name"] for item in week] == ["継続 花子"]

    async def test_the_type_is_found_without_naming_the_field(self, client: httpx.AsyncClient) -> None:
        patient_id, team = uuid.uuid4(), district()
        await apply_events(
            client, patient_event(patient_id, 1, "項目 無し", district=team), plan_event(patient_id, uuid.uuid4(), 1)
        )
        assert [item["id"] for item in await search(client, q="訪問ＤＯＴＳ", district=team)] == [str(patient_id)]


@pytest.mark.req("R07", "R22", partial=True)
class TestDotsChanges:
    """Later plans, ended plans, older versions and older deadline revisions."""

    async def test_a_changed_plan_replaces_the_old_and_an_older_version_is_ignored(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, plan_id, team = uuid.uuid4(), uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(patient_id, 1, "計画 変更", district=team),
            plan_event(patient_id, plan_id, 2, dots_type="outpatient", intensity="C"),
            plan_event(patient_id, plan_id, 1, dots_type="visit", intensity="A"),  # late
        )
        [item] = await search(client, district=team)
        assert (item["dots_type_label"], item["dots_intensity"]) == ("外来DOTS", "C")

    async def test_an_ended_plan_leaves_no_dots_state(self, client: httpx.AsyncClient) -> None:
        patient_id, plan_id, team = uuid.uuid4(), uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(patient_id, 1, "計画 終了", district=team),
            plan_event(patient_id, plan_id, 1),
            plan_event(patient_id, plan_id, 2, ends_on="2026-12-02"),
        )
        [item] = await search(client, district=team)
        assert (item["dots_type_label"], item["dots_intensity"], item["dots_due_on"]) == ("", "", None)
        assert await search(client, district=team, dots_type="visit") == []

    async def test_an_older_deadline_revision_does_not_move_the_due_date_back(self, client: httpx.AsyncClient) -> None:
        patient_id, team = uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(patient_id, 1, "期限 順序", district=team),
            plan_event(patient_id, uuid.uuid4(), 1),
            deadlines_event(patient_id, 5, ("dots_confirmation_due", date(2026, 12, 10))),
            deadlines_event(patient_id, 4, ("dots_confirmation_overdue", date(2026, 11, 20))),
        )
        [item] = await search(client, district=team)
        assert item["dots_due_on"] == "2026-12-10"

    async def test_a_patient_update_keeps_the_dots_state(self, client: httpx.AsyncClient) -> None:
        patient_id, team = uuid.uuid4(), district()
        await apply_events(
            client,
            patient_event(patient_id, 1, "更新 前", district=team),
            plan_event(patient_id, uuid.uuid4(), 1),
            patient_event(patient_id, 2, "更新 後", district=team),
        )
        [item] = await search(client, district=team)
        assert (item["name"], item["dots_type_label"]) == ("更新 後", "訪問DOTS")
