"""GET /usage/monthly: logins, staff, page views per area, prints, downloads, exports and searches per JST month,
counted in the database over the whole history (N30)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.audit import Operation
from tbms_core.db import Database
from tbms_testing import wait_for

pytestmark = pytest.mark.req("N30", partial=True)

FEBRUARY_FIRST_JST = datetime(2025, 1, 31, 15, 30, tzinfo=UTC)  # 00:30 on 1 February in Japan
MID_FEBRUARY = datetime(2025, 2, 14, 3, 0, tzinfo=UTC)
MID_MARCH = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)


async def months(identity: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    answer = await identity.get("/usage/monthly", params={"from": "2025-01-01", "to": "2025-03-31"}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {month["month"]: month for month in answer.json()["months"]}


async def test_each_month_counts_its_own_japanese_days_and_every_month_is_present(
    identity: httpx.AsyncClient,
    db: Database,
    publish,
    operation,
    admin: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    before = await months(identity, admin)
    events = [
        (FEBRUARY_FIRST_JST, Operation.READ, "patients"),  # 1 February in Japan though 31 January in UTC
        (MID_FEBRUARY, Operation.READ, "patients"),
        (MID_FEBRUARY, Operation.READ, "contacts"),
        (MID_FEBRUARY, Operation.PRINT, "reports"),
        (MID_FEBRUARY, Operation.SEARCH, "search"),
        (MID_MARCH, Operation.EXPORT, "patients"),
        (MID_MARCH, Operation.DOWNLOAD, "reports"),
    ]
    for at, done, service in events:
        await publish(operation(str(uuid.uuid4()), occurred_at=at, operation=done, service=service))
    staff = [f"synthetic-{uuid.uuid4()}" for _ in range(2)]
    async with db.sessions() as session:
        for user, at in (
            (staff[0], MID_FEBRUARY),
            (staff[0], MID_FEBRUARY),
            (staff[1], MID_FEBRUARY),
            (staff[1], MID_MARCH),
        ):
            await session.execute(
                text(
                    "INSERT INTO login_events (id, time, type, user_id, username, client_id, session_id,"
                    " ip_address, error, details, copied_at) VALUES (:id, :t, 'LOGIN', :u, 'テスト利用者',"
                    " 'tbms-gateway', '', '192.0.2.20', '', '{}', now())"
                ),
                {"id": uuid.uuid4().hex, "t": at, "u": user},
            )
        await session.commit()

    def grown(after: dict[str, dict], month: str, field: str) -> int:  # type: ignore[type-arg]
        return after[month][field] - before[month][field]

    async def counted() -> dict[str, dict] | None:  # type: ignore[type-arg]
        after = await months(identity, admin)
        arrived = [grown(after, "2025-03", "downloads"), grown(after, "2025-03", "exports")] + [
            grown(after, "2025-02", field) for field in ("prints", "searches")
        ]
        return after if arrived == [1, 1, 1, 1] and grown(after, "2025-02", "reads") == 3 else None  # any order

    after = await wait_for(counted, timeout=15)
    assert list(after) == ["2025-01", "2025-02", "2025-03"], "every month, oldest first, even an empty one"
    assert {field: grown(after, "2025-02", field) for field in ("reads", "prints", "searches", "exports")} == {
        "reads": 3,
        "prints": 1,
        "searches": 1,
        "exports": 0,
    }
    assert grown(after, "2025-01", "reads") == 0, "00:30 on 1 February in Japan is February"
    assert after["2025-02"]["areas"].get("contacts", 0) - before["2025-02"]["areas"].get("contacts", 0) == 1
    assert (grown(after, "2025-02", "logins"), grown(after, "2025-02", "users")) == (3, 2)
    assert (grown(after, "2025-03", "logins"), grown(after, "2025-03", "exports")) == (1, 1)


async def test_only_auditors_read_it_and_a_bad_period_is_refused(
    identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str]
) -> None:
    period = {"from": "2025-01-01", "to": "2025-03-31"}
    assert (await identity.get("/usage/monthly", params=period, headers=nurse)).status_code == 403
    backwards = await identity.get("/usage/monthly", params={"from": "2025-03-01", "to": "2025-01-31"}, headers=admin)
    assert backwards.status_code == 422 and "to" in backwards.json()["errors"]
    too_long = await identity.get("/usage/monthly", params={"from": "2015-01-01", "to": "2025-01-31"}, headers=admin)
    assert too_long.status_code == 422 and "from" in too_long.json()["errors"]
