"""Consumers never drop an event (DESIGN §3): a failing handler is retried with backoff, then the event is parked
with its error; against real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationsKind, OperationsLogged
from tbms_core import operations_log, parking
from tbms_core.app import CONSUMED
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.consumers import SUBJECT, event, running_consumer

FAST = {"consumer_max_deliveries": 3, "consumer_retry_delays": (0.2, 0.4)}


class Flaky:
    """A handler that fails its first `failures` calls (after writing, so the rollback is tested too)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls, self.applied = failures, 0, 0

    async def __call__(self, session: AsyncSession, envelope: Envelope) -> None:
        self.calls += 1
        await session.execute(text("SELECT 1"))
        if self.calls <= self.failures:
            raise ConnectionError(f"database blip {self.calls}")
        self.applied += 1


def count(durable: str, outcome: str) -> float:
    """The CONSUMED counter of one consumer and outcome."""
    return CONSUMED.labels(durable, outcome)._value.get()


@pytest.mark.req("N18", partial=True)
class TestRetry:
    """A handler that raises gets the event again later instead of losing it."""

    async def test_a_handler_that_fails_twice_then_succeeds_applies_the_event_once(self) -> None:
        handler = Flaky(failures=2)
        async with running_consumer(handler, **FAST) as consumer:
            await consumer.publish(event("blip"))
            await wait_for(lambda: _true(handler.applied == 1), timeout=15)
            await asyncio.sleep(1.0)  # no further delivery arrives
            assert handler.calls == 3 and handler.applied == 1
            assert await consumer.applied() == 1
            assert await consumer.parked() == []
            assert count(consumer.durable, "retried") == 2 and count(consumer.durable, "applied") == 1

    async def test_the_delay_before_a_retry_grows_with_the_deliveries(self) -> None:
        assert [parking.retry_delay((1, 5, 30), n) for n in range(1, 6)] == [1, 5, 30, 30, 30]


@pytest.mark.req("N18", partial=True)
class TestParking:
    """What cannot be applied is set aside with its error and payload, never dropped."""

    async def test_a_handler_that_always_fails_has_the_event_parked_with_its_error(self) -> None:
        handler = Flaky(failures=1000)
        async with running_consumer(handler, **FAST) as consumer:
            sent = await consumer.publish(event("never"))
            parked = await wait_for(consumer.parked, timeout=15)
            await asyncio.sleep(1.0)  # parked means no more deliveries
            assert handler.calls == 3 and handler.applied == 0
            [msg] = parked
            assert msg.headers[parking.CONSUMER] == consumer.durable
            assert msg.headers[parking.SUBJECT] == SUBJECT
            assert msg.headers[parking.DELIVERIES] == "3"
            assert msg.headers[parking.EVENT_ID] == str(sent.event_id)
            assert "database blip 3" in parking.error_text(msg.headers[parking.ERROR])
            assert Envelope.model_validate_json(msg.data) == sent
            assert count(consumer.durable, "parked") == 1

    async def test_a_payload_that_is_not_an_event_is_parked_at_once(self) -> None:
        handler = Flaky(failures=0)
        async with running_consumer(handler, **FAST) as consumer:
            await consumer.publish(raw=b"{not json")
            [msg] = await wait_for(consumer.parked, timeout=10)
            assert msg.data == b"{not json"
            assert msg.headers[parking.DELIVERIES] == "1" and msg.headers[parking.EVENT_ID] == ""
            assert "unreadable event" in parking.error_text(msg.headers[parking.ERROR])
            assert handler.calls == 0

    async def test_a_parked_event_is_written_to_the_operations_log_once_without_its_error_message(self) -> None:
        async def refuse(session: AsyncSession, envelope: Envelope) -> None:
            raise ValueError("患者 山田 太郎 が見つかりません")

        async with running_consumer(refuse, consumer_max_deliveries=1) as consumer:
            sent = await consumer.publish(event())
            await wait_for(consumer.parked, timeout=10)
            [row] = await wait_for(consumer.outbox, timeout=10)
            assert row.subject == operations_log.subject("kerneltest")
            entry = OperationsLogged.model_validate(row.payload["payload"])
            assert entry.kind == OperationsKind.MESSAGE_PARKED and entry.component == "kerneltest"
            assert entry.details["consumer"] == consumer.durable and entry.details["subject"] == SUBJECT
            assert entry.details["event_id"] == str(sent.event_id) and entry.details["error"] == "ValueError"
            assert "山田" not in row.payload.__repr__(), "the error's message may name a person: not in the log"

    async def test_a_japanese_error_is_kept_readable(self) -> None:
        async def refuse(session: AsyncSession, envelope: Envelope) -> None:
            raise ValueError("患者が見つかりません")

        async with running_consumer(refuse, consumer_max_deliveries=1) as consumer:
            await consumer.publish(event())
            [msg] = await wait_for(consumer.parked, timeout=10)
            assert "患者が見つかりません" in parking.error_text(msg.headers[parking.ERROR])


async def _true(value: bool) -> bool:
    return value
