"""The master data the forms print follows masters' MasterChanged events through JetStream; the newest wins."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from reports.master_snapshot.models import MasterSnapshot
from reports.master_snapshot.repository import MasterSnapshotRepository
from tbms_contracts import masters
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import publish

MasterOf = Callable[[str, str], Awaitable[MasterSnapshot | None]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]


def institution_code() -> str:
    """A 医療機関コード-shaped key no other test run uses (reports stores codes as masters sends them)."""
    return f"99{uuid.uuid4().int % 10**8:08d}"


def snapshot(kind: str, code: str, version: int, name: str, **fields: Any) -> masters.MasterSnapshot:
    """A record as masters holds it after a create, change or end (valid from 2026-04-01 unless given)."""
    values: dict[str, Any] = {"valid_from": date(2026, 4, 1), "updated_by": "admin1"} | fields
    return masters.MasterSnapshot(kind=kind, code=code, version=version, name=name, **values)


def master_event(kind: str, code: str, version: int, name: str, **fields: Any) -> Envelope:
    """MasterChanged as masters sends it, keyed by the record's stable id."""
    payload = MasterChanged(kind=kind, code=code, snapshot=snapshot(kind, code, version, name, **fields))
    return Envelope.of(payload, aggregate_id=record_id(kind, code), version=version, actor="test")


async def at_version(master_of: MasterOf, kind: str, code: str, version: int) -> MasterSnapshot | None:
    """The record once it has reached a version, else None."""
    record = await master_of(kind, code)
    return record if record is not None and record.version >= version else None


@pytest.fixture(scope="session")
def master_of(client: httpx.AsyncClient) -> MasterOf:
    """Reads a master record from the service's read model (None until its event has been applied)."""

    async def _find(kind: str, code: str) -> MasterSnapshot | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await MasterSnapshotRepository(session).find(kind, code)

    return _find


def duplicates_dropped(client: httpx.AsyncClient) -> float:
    """How many events the service's MasterChanged consumer found already in its inbox."""
    durable = f"reports-on_master_changed{client.app.state.settings.durable_suffix}"  # type: ignore[attr-defined]
    value = REGISTRY.get_sample_value("tbms_events_consumed_total", {"consumer": durable, "outcome": "duplicate"})
    return value or 0.0


class TestOnMasterChanged:
    """Institutions, doctors, health centers and board members reach the read model the forms print from."""

    @pytest.mark.req("R25", partial=True)
    async def test_a_new_institution_is_kept_with_its_data(self, master_of: MasterOf) -> None:
        code = institution_code()
        data = {"address": "東京都架空区試験町一丁目1番1号", "phone": "03-0000-1111", "type": "hospital"}
        await publish(
            master_event("institution", code, 1, "試験中央病院", kana="シケンチュウオウビョウイン", data=data)
        )

        record = await wait_for(lambda: master_of("institution", code), timeout=15)

        assert isinstance(record, MasterSnapshot)
        assert (record.name, record.kana, record.version) == ("試験中央病院", "シケンチュウオウビョウイン", 1)
        assert record.data["address"] == "東京都架空区試験町一丁目1番1号"
        assert (record.valid_from, record.valid_to) == (date(2026, 4, 1), None)

    @pytest.mark.req("R25", partial=True)
    async def test_a_renamed_institution_prints_its_current_name(self, master_of: MasterOf) -> None:
        code = institution_code()
        await publish(master_event("institution", code, 1, "架空クリニック"))
        await publish(master_event("institution", code, 2, "架空内科クリニック"))

        record = await wait_for(lambda: at_version(master_of, "institution", code, 2), timeout=15)

        assert record.name == "架空内科クリニック"  # type: ignore[attr-defined]

    @pytest.mark.req("R25", partial=True)
    async def test_an_ended_doctor_is_kept_with_the_end_of_the_period(self, master_of: MasterOf) -> None:
        code = f"DT{uuid.uuid4().hex[:8]}"
        await publish(master_event("doctor", code, 1, "試験 一郎", data={"institution_code": "1310000013"}))
        await publish(master_event("doctor", code, 2, "試験 一郎", valid_to=date(2026, 9, 30)))

        record = await wait_for(lambda: at_version(master_of, "doctor", code, 2), timeout=15)

        assert record.valid_to == date(2026, 9, 30)  # type: ignore[attr-defined]

    @pytest.mark.req("R25", partial=True)
    async def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(
        self, master_of: MasterOf, claimed: Claimed
    ) -> None:
        code = institution_code()
        await publish(master_event("institution", code, 3, "試験総合病院"))
        await wait_for(lambda: at_version(master_of, "institution", code, 3), timeout=15)
        stale = master_event("institution", code, 2, "試験病院（旧称）")
        await publish(stale)

        await wait_for(lambda: claimed(stale.event_id), timeout=15)

        record = await master_of("institution", code)
        assert record is not None and (record.version, record.name) == (3, "試験総合病院")

    @pytest.mark.req("R25", partial=True)
    async def test_a_redelivered_event_is_applied_once(self, client: httpx.AsyncClient, master_of: MasterOf) -> None:
        code = f"M{uuid.uuid4().hex[:8]}"
        envelope = master_event("municipality", code, 1, "架空市", data={"health_center_name": "架空市保健所"})
        await publish(envelope)
        first = await wait_for(lambda: master_of("municipality", code), timeout=15)
        before = duplicates_dropped(client)

        await publish(envelope, msg_id=str(uuid.uuid4()))  # a late redelivery JetStream cannot tell apart

        async def dropped() -> bool:
            return duplicates_dropped(client) > before

        await wait_for(dropped, timeout=15)
        record = await master_of("municipality", code)
        assert record is not None and record.applied_at == first.applied_at  # type: ignore[attr-defined]
        assert record.data["health_center_name"] == "架空市保健所"

    async def test_kinds_no_form_prints_are_not_kept(self, master_of: MasterOf, claimed: Claimed) -> None:
        code = f"test:{uuid.uuid4().hex[:8]}:0-4:male:2025-10-01"
        envelope = master_event("population", code, 1, "人口", data={"count": 10})
        await publish(envelope)

        await wait_for(lambda: claimed(envelope.event_id), timeout=15)

        assert await master_of("population", code) is None


class TestRepository:
    """What the forms ask for: this health center's letterhead and an institution by code."""

    @pytest.mark.req("R25", partial=True)
    async def test_the_letterhead_is_the_current_self_row(self, client: httpx.AsyncClient) -> None:
        # straight into a rolled-back transaction: a letterhead event on NATS would reach the dev stack's reports
        async with client.app.state.db.sessions() as session:  # type: ignore[attr-defined]
            repository = MasterSnapshotRepository(session)
            for version, director in ((10**9, "試験 所長"), (10**9 + 1, "見本 所長")):
                record = snapshot("letterhead", "self", version, "架空区保健所", data={"director_name": director})
                await repository.apply(record, version)
            await repository.apply(snapshot("letterhead", "self", 10**9 - 1, "旧保健所"), 10**9 - 1)

            letterhead = await repository.letterhead()

            assert letterhead is not None and letterhead.name == "架空区保健所"
            assert letterhead.data["director_name"] == "見本 所長"
            await session.rollback()

    async def test_an_institution_is_found_by_its_code_and_an_unknown_one_is_none(
        self, client: httpx.AsyncClient
    ) -> None:
        code = institution_code()
        async with client.app.state.db.sessions() as session:  # type: ignore[attr-defined]
            repository = MasterSnapshotRepository(session)
            await repository.apply(snapshot("institution", code, 1, "見本記念病院", data={"type": "hospital"}), 1)

            found = await repository.institution(code)

            assert found is not None and found.name == "見本記念病院"
            assert await repository.institution(institution_code()) is None
            await session.rollback()
