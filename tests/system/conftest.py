"""System tests run against the whole stack as `make dev` starts it: real processes on loopback."""

import pytest
from tbms_tools.stack import ensure_up


@pytest.fixture(scope="session", autouse=True)
def whole_stack() -> None:
    """Starts (or reuses) infrastructure and all seven services."""
    ensure_up(infra_only=False)
