"""Parked events: what a consumer could not apply after its retries, kept with the error for an operator's replay."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from faststream.nats import NatsBroker
from nats.aio.msg import Msg

from tbms_core.clock import now
from tbms_core.events import PARKED_STREAM

log = logging.getLogger(__name__)

CONSUMER = "Tbms-Parked-Consumer"
SUBJECT = "Tbms-Parked-Subject"
DELIVERIES = "Tbms-Parked-Deliveries"
ERROR = "Tbms-Parked-Error"
AT = "Tbms-Parked-At"
EVENT_ID = "Tbms-Parked-Event-Id"
ERROR_LENGTH = 2000
_READABLE = " !\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~"  # ASCII kept as is; only % and non-ASCII are encoded


def parked_subject(consumer: str) -> str:
    """The subject a consumer's parked events are stored under (`tbms.parked.<service>.<durable>`, the durable
    being `<service>-<handler>`): under its service's name, which only that service's NATS user may publish to."""
    return f"tbms.parked.{consumer.split('-', 1)[0]}.{consumer}"


def retry_delay(delays: Sequence[float], deliveries: int) -> float:
    """How long to wait before the next delivery after the `deliveries`-th failed one; the last delay repeats."""
    if not delays:
        return 0.0
    return delays[min(max(deliveries, 1), len(delays)) - 1]


def one_line(text: str) -> str:
    """Error text fit for a NATS header: one line, bounded, non-ASCII (Japanese messages) percent-encoded."""
    return quote(" ".join(text.split())[:ERROR_LENGTH], safe=_READABLE)


def error_text(header: str) -> str:
    """The error text of a parked event's header, decoded."""
    return unquote(header)


@dataclass(frozen=True)
class Parking:
    """Where one consumer sets aside the events it gave up on."""

    broker: NatsBroker
    consumer: str

    async def park(self, msg: Msg, *, deliveries: int, error: str, event_id: str = "") -> None:
        """Stores the original payload unchanged in the PARKED stream, headers naming what failed and why."""
        headers = {
            CONSUMER: self.consumer,
            SUBJECT: msg.subject,
            DELIVERIES: str(deliveries),
            ERROR: one_line(error) or "(no message)",
            AT: now().isoformat(),
            EVENT_ID: event_id,
        }
        await self.broker.publish(msg.data, parked_subject(self.consumer), headers=headers, stream=PARKED_STREAM)
        log.error(
            "consumer %s parked event %s from %s after %d deliveries: %s; replay with `tbms parked replay`",
            self.consumer,
            event_id or "(unreadable)",
            msg.subject,
            deliveries,
            headers[ERROR],
        )
