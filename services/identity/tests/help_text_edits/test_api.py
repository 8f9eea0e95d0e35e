"""An edit of a gateway text (使い方・お知らせ) recorded in the operation history as the administrator who saved it,
and refused to anyone without user administration (N25)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tbms_testing import wait_for

EDIT = {"slug": "notices", "label": "お知らせ", "version": 3, "characters": 42}


@pytest.mark.req("N25", partial=True)
async def test_a_saved_text_is_recorded_in_the_operation_history_and_only_administrators_record(
    identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str]
) -> None:
    assert (await identity.post("/help-text-edits", json=EDIT, headers=nurse)).status_code == 403
    wrong = await identity.post("/help-text-edits", json=EDIT | {"slug": "../etc"}, headers=admin)
    assert wrong.status_code == 422
    done = await identity.post("/help-text-edits", json=EDIT, headers=admin)
    assert done.status_code == 201, done.text
    assert done.json()["detail"] == "「お知らせ」を第3版として保存（42文字）"

    async def recorded() -> list[dict[str, Any]]:
        events = await identity.get(
            "/audit/events", params={"user": "admin1", "operation": "update", "limit": 1000}, headers=admin
        )
        return [e for e in events.json()["items"] if e["record_type"] == "help_text" and e["record_id"] == "notices"]

    rows = await wait_for(recorded, timeout=30, interval=0.5)
    assert any(row["detail"] == "「お知らせ」を第3版として保存（42文字）" for row in rows)
