"""Fuzzing every service's API from its OpenAPI description: no input may cause a server error (N09).

Each service runs on a fresh database behind a real HTTP server, with the real PostgreSQL, NATS and
Keycloak; schemathesis generates requests for every operation (valid and invalid bodies, parameters and
path values) and sends them with a demo user's token who may use that service. Any 5xx fails with the
request that caused it. The number of examples per operation is bounded (`TBMS_FUZZ_EXAMPLES`, 8) so the
suite stays well inside CI's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from tbms_testing import auth_headers
from tbms_testing.scratch import free_port
from tbms_testing.services import drop_database, migrate, recreate_database
from tbms_testing.services import test_env as service_env

EXAMPLES = int(os.environ.get("TBMS_FUZZ_EXAMPLES", "8"))
# the demo user whose rights reach the most of a service's operations
USER_OF = {
    "patients": "nurse1",
    "contacts": "nurse1",
    "reports": "nurse1",
    "search": "nurse1",
    "identity": "admin1",
    "masters": "admin1",
    "workflow": "chief1",
}


def serve(service: str) -> Iterator[str]:
    """The service on a fresh migrated database behind uvicorn on a free loopback port; its base URL."""
    database = f"tbms_{service}_fuzz{os.getpid()}"
    env = service_env(service, database)
    asyncio.run(recreate_database(database))
    migrate(service, env)
    os.environ.update(env)
    settings_module = importlib.import_module(f"{service}.settings")
    settings_module.get_settings.cache_clear()
    app = importlib.import_module(f"{service}.main").create_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"fuzz-{service}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, f"{service} did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)
        asyncio.run(drop_database(database))


@dataclass
class Findings:
    """What one service's run sent and which requests got a server error."""

    requests: int = 0
    errors: list[str] = field(default_factory=list)


def fuzz(schema: schemathesis.BaseSchema, base: str, username: str) -> tuple[int, Findings]:
    """Every operation, with valid and with invalid input, `EXAMPLES` examples each; the operations and findings."""
    findings = Findings()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def send(case: schemathesis.Case) -> None:
                response = case.call(base_url=base, headers=auth_headers(username), timeout=30)
                findings.requests += 1
                if response.status_code >= 500 and len(findings.errors) < 20:
                    findings.errors.append(
                        f"{case.method} {case.formatted_path} → {response.status_code}\n{case.as_curl_command()}"
                        f"\n{response.text[:500]}"
                    )

            with contextlib.suppress(Unsatisfiable):  # nothing invalid to make of an operation without input
                send()
    return len(operations), findings


def fuzz_test(service: str):
    @pytest.mark.req("N09", partial=True)
    def _test() -> None:
        for base in serve(service):
            schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
            operations, findings = fuzz(schema, base, USER_OF[service])
            print(f"fuzz {service}: {operations} operations, {findings.requests} requests, {len(findings.errors)} 5xx")
            assert operations > 0 and findings.requests >= operations
            assert not findings.errors, "\n\n".join(findings.errors)

    return _test


for _service in USER_OF:
    globals()[f"test_{_service}_answers_every_generated_request_without_a_server_error"] = fuzz_test(_service)
