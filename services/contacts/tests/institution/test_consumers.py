"""Contacts keeps the institutions it examines contacts at from masters' MasterChanged events; the newest wins."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from contacts.institution.models import Institution
from contacts.institution.repository import InstitutionRepository
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import publish

Claimed = Callable[[uuid.UUID], Awaitable[bool]]
InstitutionOf = Callable[[str], Awaitable[Institution | None]]


def new_code() -> str:
    """A 医療機関コード-shaped key no other test run uses."""
    return f"98{uuid.uuid4().int % 10**8:08d}"


def master_event(kind: str, code: str, version: int, name: str, **fields: Any) -> Envelope:
    """MasterChanged as masters sends it after a create, change or end."""
    values: dict[str, Any] = {"valid_from": date(2026, 4, 1)} | fields
    snapshot = MasterSnapshot(kind=kind, code=code, version=version, name=name, **values)
    payload = MasterChanged(kind=kind, code=code, snapshot=snapshot)
    return Envelope.of(payload, aggregate_id=record_id(kind, code), version=version, actor="test")


@pytest.fixture(scope="session")
def institution_of(client: httpx.AsyncClient) -> InstitutionOf:
    """Reads an institution from the service's read model (None until its event has been applied)."""

    async def _find(code: str) -> Institution | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await InstitutionRepository(session).find(code)

    return _find


class TestOnMasterChanged:
    """Institutions follow masters; other kinds are not kept here."""

    @pytest.mark.req("R25", partial=True)
    async def test_an_institution_is_kept_with_its_address_and_designation(self, institution_of: InstitutionOf) -> None:
        code = new_code()
        data = {"address": "東京都架空区見本町2-3-4", "phone": "03-0000-2222", "type": "clinic", "designated": True}
        await publish(master_event("institution", code, 1, "見本呼吸器クリニック", data=data))

        found = await wait_for(lambda: institution_of(code), timeout=15)

        assert isinstance(found, Institution)
        assert (found.name, found.address, found.type, found.designated) == (
            "見本呼吸器クリニック",
            "東京都架空区見本町2-3-4",
            "clinic",
            True,
        )

    @pytest.mark.req("R25", partial=True)
    async def test_an_older_snapshot_after_a_newer_one_is_ignored(
        self, institution_of: InstitutionOf, claimed: Claimed
    ) -> None:
        code = new_code()
        await publish(master_event("institution", code, 2, "例題総合病院"))

        async def newest() -> bool:
            found = await institution_of(code)
            return found is not None and found.version == 2

        await wait_for(newest, timeout=15)
        stale = master_event("institution", code, 1, "例題病院")
        await publish(stale)
        await wait_for(lambda: claimed(stale.event_id), timeout=15)

        found = await institution_of(code)
        assert found is not None and found.name == "例題総合病院"

    async def test_other_kinds_are_not_kept(self, institution_of: InstitutionOf, claimed: Claimed) -> None:
        code = new_code()
        envelope = master_event("doctor", code, 1, "試験 一郎", data={"institution_code": "1319990011"})
        await publish(envelope)

        await wait_for(lambda: claimed(envelope.event_id), timeout=15)

        assert await institution_of(code) is None
