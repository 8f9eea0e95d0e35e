"""The 公費負担者番号 of an approval comes from masters (R29): patients keeps masters' numbers from MasterChanged and
an approval takes the only one of the case's 法別番号 in force on the cover's first day; with two in force the clerk
must choose, and a chosen number that masters does not hold in force is refused with a Japanese message.

The numbers are valid only in 2001, so no other test's decisions (dated 2026) meet them. The events are built as
masters' MasterService builds them and published to the real JetStream, as its outbox relay does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import publish

from .test_api import VIEWER, case, decide, payer

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
WAIT = 30  # seconds an event may take through JetStream on a busy machine
ONLY = payer("1013201")  # 法別10, in force 2001-04-01 to 2001-09-30 alone
LATER = (payer("1013202"), payer("1013203"))  # 法別10, both in force from 2001-10-01 to 2001-12-31
ADMISSION = payer("1113201")  # 法別11, never chosen by a 37条の2 case
pytestmark = pytest.mark.req("R29")  # with TestConcurrentNumbers: both numbers assigned, unique, checked


def payer_event(code: str, valid_from: date, valid_to: date, version: int = 1) -> Envelope:
    """MasterChanged of a 公費負担者番号 as masters sends it after a create."""
    data = {"law": code[:2], "agency": "試験区"}
    snapshot = MasterSnapshot(
        kind="payer_number",
        code=code,
        name=f"試験区（法別{code[:2]}）",
        data=data,
        valid_from=valid_from,
        valid_to=valid_to,
        version=version,
    )
    event = MasterChanged(kind="payer_number", code=code, snapshot=snapshot)
    return Envelope.of(event, aggregate_id=record_id("payer_number", code), version=version, actor="test")


@pytest.fixture(scope="module")
async def numbers(client: httpx.AsyncClient) -> None:
    """masters' numbers of 2001, taken in by the service's consumer."""
    events = [
        payer_event(ONLY, date(2001, 4, 1), date(2001, 9, 30)),
        *(payer_event(code, date(2001, 10, 1), date(2001, 12, 31)) for code in LATER),
        payer_event(ADMISSION, date(2001, 4, 1), date(2001, 12, 31)),
    ]
    await publish(*events)

    async def kept() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(
                text("SELECT count(*) FROM payer_numbers WHERE code = ANY(:codes)"),
                {"codes": [ONLY, *LATER, ADMISSION]},
            )
        return found == 4

    await wait_for(kept, timeout=WAIT)


async def case_of_2001(client: httpx.AsyncClient, patient: dict[str, Any], received_on: str) -> dict[str, Any]:
    return await case(client, patient, received_on=received_on, certificate_on=received_on)


@pytest.mark.usefixtures("numbers")
class TestFromMasters:
    async def test_an_approval_without_a_number_takes_masters_only_number_of_its_law(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case_of_2001(client, await make_patient(), "2001-06-01")
        decided = await decide(client, item, decided_on="2001-06-20", payer_number="")
        assert decided["data"]["payer_number"] == ONLY
        assert decided["data"]["valid_from"] == "2001-06-01" and len(decided["data"]["recipient_number"]) == 7

    async def test_a_number_masters_does_not_hold_in_force_is_refused_and_nothing_is_issued(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case_of_2001(client, await make_patient(), "2001-06-01")
        unknown = await decide(client, item, 422, decided_on="2001-06-20", payer_number=payer("1013209"))
        assert "マスタ" in unknown["errors"]["payer_number"]
        ended = await decide(client, item, 422, decided_on="2001-06-20", payer_number=LATER[0])  # not yet valid
        assert "2001-06-01" in ended["errors"]["payer_number"]
        shown = (await client.get(f"/board/cases/{item['id']}", headers=VIEWER)).json()
        assert shown["data"]["recipient_number"] == "" and shown["data"]["decision"] != "approved"

    async def test_with_two_numbers_in_force_the_clerk_chooses_one_of_them(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case_of_2001(client, await make_patient(), "2001-10-05")
        undecided = await decide(client, item, 422, decided_on="2001-10-20", payer_number="")
        assert "2件" in undecided["errors"]["payer_number"]
        chosen = await decide(client, item, decided_on="2001-10-20", payer_number=LATER[1])
        assert chosen["data"]["payer_number"] == LATER[1]

    async def test_the_law_of_the_case_decides_which_numbers_count(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case_of_2001(client, await make_patient(), "2001-06-01")
        wrong_law = await decide(client, item, 422, decided_on="2001-06-20", payer_number=ADMISSION)
        assert "法別番号「10」" in wrong_law["errors"]["payer_number"]
