"""The outbox relay of one service as a process of its own: `python -m tbms_core.relay_process <service>`.

By default every service process relays its own outbox (`TBMS_<SERVICE>_OUTBOX_RELAY`, true). A site that wants the
relay apart, to scale or restart it alone, sets that to false on the service's processes and runs this beside them:
it reads the same `TBMS_<SERVICE>_*` variables (database, NATS user, stream replicas, attempts before parking), so
it publishes as the service, in the same order and parking rules. Several relays of one service may run: each row is
taken under `FOR UPDATE SKIP LOCKED`. SIGTERM or SIGINT ends it after the batch in hand; a SIGKILL loses nothing,
since a row is marked published only in the transaction that follows its publication and JetStream drops the
repeat of an id it already holds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import ClassVar

from prometheus_client import start_http_server

from tbms_core.db import Database
from tbms_core.relay import OutboxRelay
from tbms_core.settings import ServiceSettings, prefix
from tbms_core.telemetry import setup_logging, setup_tracing

log = logging.getLogger(__name__)


def relay_settings(service: str) -> ServiceSettings:
    """The settings a relay of `service` needs, read from the service's own `TBMS_<SERVICE>_*` variables."""
    namespace = {"model_config": prefix(service), "service": service, "__annotations__": {"service": ClassVar[str]}}
    settings_type = type(f"{service.capitalize()}RelaySettings", (ServiceSettings,), namespace)
    return settings_type()


async def run(service: str, *, metrics_port: int | None = None, metrics_host: str = "127.0.0.1") -> None:
    """Relays `service`'s outbox until SIGTERM or SIGINT."""
    settings = relay_settings(service)
    setup_logging(f"{service}-relay")
    setup_tracing(service, settings.span_file_dir)
    if metrics_port is not None:  # tbms_outbox_pending, _oldest_age_seconds, _parked: also the liveness probe
        start_http_server(metrics_port, addr=metrics_host)
    db = Database(settings.database_url, pool_size=2)
    relay = OutboxRelay.of(service, db, settings)
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, relay.stop)
    log.info("%s outbox relay started as its own process", service)
    try:
        await relay.run()
    finally:
        await db.dispose()
        log.info("%s outbox relay stopped", service)


def main(argv: list[str] | None = None) -> None:
    """Command line: `python -m tbms_core.relay_process patients [--metrics-port 9101]`."""
    parser = argparse.ArgumentParser(prog="python -m tbms_core.relay_process", description=__doc__.splitlines()[0])
    parser.add_argument("service", help="the service whose outbox is relayed (patients, contacts …)")
    parser.add_argument("--metrics-port", type=int, help="serve the relay's Prometheus metrics on this port")
    parser.add_argument("--metrics-host", default="127.0.0.1", help="address of the metrics port (default loopback)")
    arguments = parser.parse_args(argv)
    asyncio.run(run(arguments.service, metrics_port=arguments.metrics_port, metrics_host=arguments.metrics_host))


if __name__ == "__main__":
    main()
