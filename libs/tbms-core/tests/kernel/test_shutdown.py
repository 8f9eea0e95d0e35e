"""A service's shutdown ends its background tasks even when one swallows a cancellation, and never hangs."""

from __future__ import annotations

import asyncio
import logging

import pytest
from tbms_core.app import stop_tasks


async def test_a_task_that_swallows_one_cancellation_is_cancelled_again() -> None:
    swallowed: list[str] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.append("once")  # as a driver's cleanup may do
        await asyncio.sleep(3600)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await stop_tasks([task], patience=5)
    assert task.cancelled() and swallowed == ["once"]


async def test_a_task_that_never_ends_is_reported_and_left_behind(caplog: pytest.LogCaptureFixture) -> None:
    released = asyncio.Event()

    async def immortal() -> None:
        while not released.is_set():
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(immortal(), name="immortal")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(stop_tasks([task], patience=1), timeout=5)
    assert "immortal did not stop" in caplog.text
    assert not task.done()
    released.set()
    await task
