"""The review calendar through the identity service: what is due and overdue, a review recorded once with who did it
and when, the recording audited, and only those responsible may record."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tbms_core.clock import frozen_at, jst
from tbms_testing import wait_for


class TestCalendar:
    @pytest.mark.req("N21", partial=True)
    async def test_overdue_reviews_show_until_recorded_and_the_record_names_the_reviewer_and_is_audited(
        self, identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str]
    ) -> None:
        with frozen_at(jst(2032, 5, 20, 10)):
            before = (await identity.get("/review-calendar", headers=admin)).json()
            lines = {(item["kind"], item["period"]): item for item in before["items"]}
            april = lines[("access_log", "2032-04")]
            assert (april["status_label"], april["due_on"], april["reviewer"]) == ("期限超過", "2032-05-10", None)
            assert lines[("access_log", "2032-05")]["status_label"] == "予定"
            assert lines[("rights", "2032-04-personnel")]["status"] == "overdue"
            assert before["overdue"] == sum(item["status"] == "overdue" for item in before["items"]) >= 4

            url = "/review-calendar/access_log/2032-04"
            assert (await identity.post(url, json={"note": "x"}, headers=nurse)).status_code == 403
            done = await identity.post(url, json={"note": "検知 3件を確認。指導 1件"}, headers=admin)
            assert done.status_code == 201, done.text
            assert (done.json()["status_label"], done.json()["reviewer"]) == ("実施済", "admin1")
            again = await identity.post(url, json={"note": ""}, headers=admin)
            assert again.status_code == 409
            assert (
                await identity.post("/review-calendar/access_log/2019-01", json={}, headers=admin)
            ).status_code == 404

            after = (await identity.get("/review-calendar", headers=admin)).json()
            line = next(i for i in after["items"] if (i["kind"], i["period"]) == ("access_log", "2032-04"))
            assert (line["status"], line["note"]) == ("done", "検知 3件を確認。指導 1件")
            assert line["reviewed_at"] is not None
            assert after["overdue"] == before["overdue"] - 1

        async def audited() -> list[dict[str, Any]]:
            events = await identity.get(
                "/audit/events", params={"user": "admin1", "operation": "create", "limit": 1000}, headers=admin
            )
            return [e for e in events.json()["items"] if e["record_type"] == "review_calendar"]

        rows = await wait_for(audited, timeout=30, interval=0.5)
        assert any(row["detail"] == "操作履歴(アクセスログ)の確認 2032年4月分 実施" for row in rows)

    async def test_only_auditors_read_the_calendar(self, identity: httpx.AsyncClient, viewer: dict[str, str]) -> None:
        assert (await identity.get("/review-calendar", headers=viewer)).status_code == 403
