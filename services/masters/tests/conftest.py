"""Fixtures: a live masters service on a fresh database, MasterService on a rolled-back session, code builders."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from itertools import count
from typing import Any

import httpx
import pytest
from masters.main import create_app
from masters.master.service import MasterService
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core import clock
from tbms_core.auth import Principal
from tbms_core.jp.check_digits import modulus10_check_digit, modulus11_check_digit
from tbms_testing import auth_headers, service_client

MakeRecord = Callable[..., Awaitable[dict[str, Any]]]
Masters = Callable[..., MasterService]
_serial = count(1)


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The masters API, in-process, against real PostgreSQL and NATS."""
    async with service_client("masters", create_app) as api:
        yield api


@pytest.fixture
async def session(client: httpx.AsyncClient) -> AsyncIterator[AsyncSession]:
    """A unit of work on the test database that is rolled back at the end of the test."""
    async with client.app.state.db.sessions() as unit:  # type: ignore[attr-defined]
        yield unit
        await unit.rollback()


@pytest.fixture
def masters(session: AsyncSession) -> Masters:
    """MasterService for a synthetic user holding these roles (マスタ管理 更新 unless told)."""

    def _service(*roles: str) -> MasterService:
        principal = Principal(
            user_id="test-master-keeper",
            username="keeper",
            display_name="試験 管理者",
            roles=frozenset(roles or ("masters:update",)),
        )
        return MasterService(session, principal)

    return _service


@pytest.fixture
def make_record(client: httpx.AsyncClient) -> MakeRecord:
    """Creates a record through the API as admin1 (マスタ管理 更新) and returns it."""

    async def _make(kind: str, **body: Any) -> dict[str, Any]:
        response = await client.post(f"/masters/{kind}", json=body, headers=auth_headers("admin1"))
        assert response.status_code == 201, response.text
        return response.json()

    return _make


class Codes:
    """Fresh codes for one test (the tests share one database, so every record gets a code of its own)."""

    def serial(self) -> int:
        """A number no other test of this run has had."""
        return next(_serial)

    def institution(self) -> str:
        """A valid 医療機関コード of Tokyo (13), 医科 (1), with its 検証番号."""
        body = f"{self.serial():06d}"
        return f"131{body}{modulus10_check_digit(body)}"

    def municipality(self) -> str:
        """A valid 全国地方公共団体コード in Tokyo (13), with its 検査数字."""
        body = f"13{self.serial() % 1000:03d}"
        return f"{body}{modulus11_check_digit(body)}"

    def free(self, prefix: str) -> str:
        """A free code, e.g. D17."""
        return f"{prefix}{self.serial()}"


@pytest.fixture
def codes() -> Codes:
    """Builds fresh codes."""
    return Codes()


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    """Every test starts and ends on the real clock."""
    clock.set_clock(None)
    yield
    clock.set_clock(None)
