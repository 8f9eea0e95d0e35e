"""Two processes of identity on one database, as `docker compose` may run its replicas: they share the durable
consumer of `tbms.audit.>`, and every operation either of them takes is chained exactly once, in one unbroken
chain: appends wait for each other on the locked chain head, so the history's seq has no gap and no repeat and
the hash chain with its seal verifies (R28, R36, N05, N07)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.events import Envelope
from tbms_testing import services as scratch
from tbms_testing import wait_for
from tbms_testing.events import publish

DATABASE = f"tbms_identity_replicas_t{os.getpid()}"
DSN = f"postgresql://tbms@127.0.0.1:55432/{DATABASE}"
SUFFIX = f"-replicas{os.getpid()}"  # a durable consumer of its own, shared by the two processes
DURABLE = f"identity-on_operation_recorded{SUFFIX}"
SUBJECT = "tbms.audit.replicatest.operation.recorded.v1"
COUNTED = re.compile(rf'^tbms_events_consumed_total\{{consumer="{re.escape(DURABLE)}",outcome="(\w+)"\}} ([0-9.e+]+)$')
QUIET = {  # no background copies or watches: only the consumer is under test
    "TBMS_IDENTITY_DURABLE_SUFFIX": SUFFIX,
    "TBMS_IDENTITY_LOGIN_SYNC_SECONDS": "3600",
    "TBMS_IDENTITY_REALM_SYNC_SECONDS": "3600",
    "TBMS_IDENTITY_ACCESS_REVIEW_SECONDS": "0",
    "TBMS_IDENTITY_AUDIT_ANCHOR_SECONDS": "0",
    "TBMS_IDENTITY_HEALTH_CHECK_SECONDS": "0",
    "TBMS_IDENTITY_OPERATIONS_LOG_SWEEP_SECONDS": "0",
}


def operations(n: int) -> list[Envelope]:
    """`n` reads of synthetic records by a synthetic nurse."""
    events = []
    for i in range(n):
        event = OperationRecorded(
            occurred_at=datetime.now(UTC),
            service="replicatest",
            user_id="u-replica",
            username="nurse-replica",
            client_ip="127.0.0.1",
            operation=Operation.READ,
            person_id=str(uuid.uuid4()),
            record_type="patient",
            detail=f"複製試験 {i:03d}",
        )
        events.append(Envelope.of(event, aggregate_id=uuid.uuid4(), version=1))
    return events


async def rows(sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(DSN)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


def applied_by(metrics: str) -> int:
    return sum(
        int(float(m.group(2))) for line in metrics.splitlines() if (m := COUNTED.match(line)) and m[1] == "applied"
    )


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N07", partial=True)
@pytest.mark.req("N05", partial=True)
async def test_two_identity_processes_chain_every_operation_once_in_one_unbroken_chain() -> None:
    events = operations(300)
    ours = [envelope.event_id for envelope in events]
    async with scratch.service_replicas("identity", DATABASE, 2, QUIET) as replicas:
        await publish(*events[:150], subject=SUBJECT)
        # the same events again under other message ids: JetStream's de-duplication does not catch them; the
        # inbox and the unique event id must
        await asyncio.gather(publish(*events[150:], subject=SUBJECT), _republished(events[:150]))

        async def all_chained() -> bool:
            found = await rows("SELECT count(*) AS n FROM audit_events WHERE event_id = ANY($1::uuid[])", ours)
            return found[0]["n"] == len(events)

        await wait_for(all_chained, timeout=120, interval=0.5)
        applied = [applied_by(await replica.metrics()) for replica in replicas]
        env = await asyncio.to_thread(scratch.test_env, "identity", DATABASE)
        verified = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "identity.audit_log.cli", "verify"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        chained = await rows("SELECT seq, event_id FROM audit_events ORDER BY seq")
    assert all(n > 0 for n in applied), f"both processes took part: {applied}"
    seqs = [row["seq"] for row in chained]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "no gap and no repeat in the history's seq"
    assert len({row["event_id"] for row in chained}) == len(chained), "every event chained once"
    assert verified.returncode == 0, verified.stderr or verified.stdout


async def _republished(events: list[Envelope]) -> None:
    for envelope in events:
        await publish(envelope, subject=SUBJECT, msg_id=f"{envelope.event_id}-again")
