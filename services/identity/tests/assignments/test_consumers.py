"""The assignments read model kept from the owners' events, and the "no relation" rule that uses it, through the
identity service with real NATS and PostgreSQL: the responsible nurse, her team and whoever acted on a circulation
or holds a to-do of the record look at it unflagged; an unrelated user is found."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any

import httpx
import pytest
from identity.access_review.rules import JST
from identity.assignments.consumers import on_deadlines_changed
from identity.assignments.models import PersonAssignment, RecordParticipant
from sqlalchemy import select
from tbms_contracts.audit import OperationRecorded
from tbms_contracts.contacts import ContactRegistered, ContactSnapshot, ExposureSnapshot
from tbms_contracts.deadlines import Deadline, DeadlineRecord, DeadlinesChanged, deadlines_subject
from tbms_contracts.masters import MasterChanged, MasterSnapshot
from tbms_contracts.workflow import CirculationChanged
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import patient_event
from tbms_testing.events import publish as publish_envelopes

Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]
THURSDAY = date(2026, 6, 18)  # an ordinary working day


class Case:
    """Made-up people, users and districts of one test, none shared with any other test."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:8]
        self.patient, self.other, self.contact = (str(uuid.uuid4()) for _ in range(3))

    def name(self, who: str) -> str:
        """A user name (or id) of this test."""
        return f"rel-{who}-{self.tag}"


async def held(db: Database, person_id: str) -> PersonAssignment | None:
    """The read model's row of a person."""
    async with db.session() as session:
        return await session.get(PersonAssignment, person_id)


async def participants(db: Database, person_id: str) -> set[tuple[str, str]]:
    """(who, via) named on a person's record."""
    async with db.session() as session:
        rows = await session.scalars(select(RecordParticipant).where(RecordParticipant.person_id == person_id))
        return {(row.who, row.via) for row in rows}


def master(kind: str, code: str, data: dict[str, Any], version: int = 1) -> Envelope:
    """A MasterChanged envelope of a made-up master record."""
    snapshot = MasterSnapshot(
        kind=kind, code=code, name=f"試験{code}", data=data, valid_from=date(2026, 4, 1), version=version
    )
    return Envelope.of(MasterChanged(kind=kind, code=code, snapshot=snapshot), aggregate_id=code, version=version)


@pytest.fixture
async def case(db: Database) -> Case:
    """Two patients in two districts, a contact of the first, a teammate, a circulation and a to-do, all applied."""
    case = Case()
    north, south = f"north-{case.tag}", f"south-{case.tag}"
    contact = ContactSnapshot(
        id=case.contact,
        version=1,
        found_on=date(2026, 6, 1),
        name="試験 接触者",
        exposures=[ExposureSnapshot(id=str(uuid.uuid4()), index_patient_id=case.patient, setting="household")],
    )
    circulation = CirculationChanged(
        circulation_id=str(uuid.uuid4()),
        kind="decision",
        status="in_progress",
        service="patients",
        record_kind="patient",
        record_id=case.other,
        record_version=1,
        title="試験 回議",
        approved=False,
    )
    await publish_envelopes(
        patient_event(uuid.UUID(case.patient), 1, "試験 一郎", district=north, nurse=case.name("nurse")),
        patient_event(uuid.UUID(case.other), 1, "試験 二郎", district=south, nurse=case.name("south-nurse")),
        Envelope.of(ContactRegistered(contact=contact), aggregate_id=case.contact, version=1),
        master("district", north, {"team": f"班-{case.tag}"}),
        master("staff_assignment", f"sa-{case.tag}", {"district_code": north, "nurse_username": case.name("mate")}),
        Envelope.of(circulation, aggregate_id=circulation.circulation_id, actor=case.name("approver-id")),
    )
    record = DeadlineRecord(service="patients", aggregate="patient", id=case.other)
    deadline = Deadline(
        key=f"k-{case.tag}", kind="k", rule="試験", what="試験", due_on=THURSDAY, nurse=case.name("todo"), record=record
    )
    change = DeadlinesChanged(record=record, revision=1, deadlines=[deadline])
    envelope = Envelope.of(change, aggregate_id=case.other)
    async with db.session() as session:  # the handler alone: a published one would also reach the dev stack's to-dos
        await on_deadlines_changed(session, envelope.model_copy(update={"type": deadlines_subject("patients")}))

    async def applied() -> bool:
        row = await held(db, case.contact)
        return bool(row and await held(db, case.other) and len(await participants(db, case.other)) == 2)

    await wait_for(applied, timeout=60, interval=0.5)
    return case


class TestReadModel:
    @pytest.mark.req("N21", partial=True)
    async def test_the_events_fill_the_read_model_and_an_older_or_repeated_snapshot_changes_nothing(
        self, db: Database, case: Case
    ) -> None:
        patient = await held(db, case.patient)
        assert patient is not None and (patient.district, patient.nurse) == (f"north-{case.tag}", case.name("nurse"))
        contact = await held(db, case.contact)
        assert contact is not None and contact.index_patient_ids == [case.patient]
        assert await participants(db, case.other) == {
            (case.name("approver-id"), "circulation"),
            (case.name("todo"), "todo"),
        }
        newer = patient_event(uuid.UUID(case.patient), 3, "試験 一郎", district="elsewhere", nurse=case.name("new"))
        older = patient_event(uuid.UUID(case.patient), 2, "試験 一郎", district="older", nurse=case.name("old"))
        await publish_envelopes(newer, older, newer)

        async def moved() -> PersonAssignment | None:
            row = await held(db, case.patient)
            return row if row and row.version == 3 else None

        row = await wait_for(moved, timeout=60, interval=0.5)
        assert (row.district, row.nurse) == ("elsewhere", case.name("new"))  # type: ignore[union-attr]


class TestNoRelation:
    @pytest.mark.req("N21", partial=True)
    async def test_nurse_team_circulation_and_to_do_are_related_and_an_unrelated_user_is_found(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, case: Case
    ) -> None:
        looks = [
            ("nurse", case.patient),  # the responsible nurse
            ("mate", case.patient),  # on the team of the patient's district
            ("nurse", case.contact),  # a contact of her patient
            ("approver-id", case.other),  # acted on a circulation of the record
            ("todo", case.other),  # holds a to-do of the record
            ("stranger", case.patient),  # none of these
        ]
        for n, (who, person) in enumerate(looks):
            moment = datetime.combine(THURSDAY, time(10, n), tzinfo=JST)
            event = operation(person, occurred_at=moment, user_id=case.name(who), username=case.name(who))
            await publish(event)

        async def stored() -> bool:
            count = 0
            for person in (case.patient, case.contact, case.other):
                response = await identity.get("/audit/events", params={"person_id": person}, headers=admin)
                count += len(response.json()["items"])
            return count >= len(looks)

        await wait_for(stored, timeout=60, interval=0.5)
        assert (await identity.post("/access-review/run", headers=admin)).status_code == 200
        listing = await identity.get(
            "/access-review/findings",
            params={"from": str(THURSDAY), "to": str(THURSDAY), "rule": "no_relation", "limit": 500},
            headers=admin,
        )
        found = [item for item in listing.json()["items"] if item["user_id"].endswith(case.tag)]
        assert [(item["user_id"], item["person_id"], item["rule_name"]) for item in found] == [
            (case.name("stranger"), case.patient, "担当外の閲覧")
        ]
        assert (
            found[0]["summary"]
            == f"担当外(地区 north-{case.tag}、担当保健師 {case.name('nurse')})の人の記録を 1回閲覧・出力"
        )


class TestBackfill:
    @pytest.mark.req("N21", partial=True)
    async def test_a_page_of_the_lists_fills_what_the_events_no_longer_hold_and_never_an_older_version(
        self, identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str], db: Database, case: Case
    ) -> None:
        old_patient, old_contact = str(uuid.uuid4()), str(uuid.uuid4())
        page = {
            "patients": [
                {"id": old_patient, "version": 4, "district": "west", "nurse": case.name("w"), "name": "試験 三郎"},
                {"id": case.patient, "version": 0, "district": "stale", "nurse": case.name("stale")},
            ],
            "contacts": [{"id": old_contact, "version": 2, "exposures": [{"index_patient_id": old_patient}]}],
        }
        assert (await identity.post("/access-review/assignments", json=page, headers=nurse)).status_code == 403
        response = await identity.post("/access-review/assignments", json=page, headers=admin)
        assert response.json() == {"received": 3, "stored": 2}
        patient, contact, kept = [await held(db, i) for i in (old_patient, old_contact, case.patient)]
        assert patient is not None and (patient.district, patient.nurse) == ("west", case.name("w"))
        assert contact is not None and contact.index_patient_ids == [old_patient]
        assert kept is not None and kept.district == f"north-{case.tag}"


class TestEndedAssignments:
    @pytest.mark.req("N21", partial=True)
    async def test_users_whose_assignments_all_ended_are_found_and_working_ones_are_not(self, db: Database) -> None:
        from datetime import timedelta

        from identity.assignments.consumers import on_master_changed
        from identity.assignments.repository import AssignmentRepository
        from tbms_core.clock import today

        tag, day = uuid.uuid4().hex[:8], today()

        def assignment(code: str, user: str, district: str, valid_to: date | None, active: bool = True) -> Envelope:
            data = {"district_code": district, "nurse_username": f"{user}-{tag}"}
            snapshot = MasterSnapshot(
                kind="staff_assignment", code=f"{code}-{tag}", name="試験", data=data,
                valid_from=date(2025, 4, 1), valid_to=valid_to, active=active, version=1,
            )  # fmt: skip
            event = MasterChanged(kind="staff_assignment", code=snapshot.code, snapshot=snapshot)
            return Envelope.of(event, aggregate_id=snapshot.code, version=1)

        yesterday, later = day - timedelta(days=1), day + timedelta(days=30)
        async with db.session() as session:
            for envelope in (
                assignment("a1", "moved", "kinuta", yesterday),
                assignment("a2", "moved", "setagaya", None, active=False),
                assignment("b1", "working", "kinuta", yesterday),
                assignment("b2", "working", "karasuyama", None),
                assignment("c1", "leaving", "kinuta", later),
            ):
                await on_master_changed(session, envelope)
            await session.commit()
        async with db.session() as session:
            ended = await AssignmentRepository(session).ended_assignments(day)
        assert ended.get(f"moved-{tag}") == ("kinuta", "setagaya")
        assert f"working-{tag}" not in ended and f"leaving-{tag}" not in ended
