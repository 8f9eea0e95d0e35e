"""The access review through the identity service: planted misuse in a synthetic history is found, a normal
day is not, the auditor's review is kept, audited and safe against a stale screen, and only auditors see it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from identity.access_review.rules import JST
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.events import Envelope
from tbms_testing import wait_for

Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]
WEDNESDAY = date(2026, 6, 17)
SATURDAY = date(2026, 6, 20)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a Japanese day."""
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


class History:
    """Publishes a synthetic history of made-up users and waits until the identity service holds it."""

    def __init__(self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, build: Build) -> None:
        self.identity, self.admin, self.publish, self.build = identity, admin, publish, build
        self.tag = uuid.uuid4().hex[:8]
        self.count = 0

    def user(self, name: str) -> str:
        """A user id nobody else's test uses."""
        return f"review-{name}-{self.tag}"

    async def add(self, user: str, moment: datetime, operation: Operation, person: str | None, **more: Any) -> None:
        """One access by `user`."""
        event = self.build("unused", occurred_at=moment, user_id=user, username=user, operation=operation, **more)
        await self.publish(event.model_copy(update={"person_id": person, "record_id": person}))
        self.count += 1

    async def stored(self) -> None:
        """Waits until every published access is in the history."""

        async def all_in() -> bool:
            total = 0
            for name in ("normal", "night", "curious", "exporter"):
                response = await self.identity.get(
                    "/audit/events", params={"user": self.user(name), "limit": 1000}, headers=self.admin
                )
                total += len(response.json()["items"])
            return total >= self.count

        await wait_for(all_in, timeout=60, interval=0.5)


@pytest.fixture
async def planted(identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build) -> History:
    """A week with a normal nurse, a night-time look on a Saturday, a protected person opened, a bulk export."""
    history = History(identity, admin, publish, operation)
    staff = f"staff-member-{history.tag}"
    response = await identity.post(
        "/access-review/protected-persons", json={"person_id": staff, "reason": "職員"}, headers=admin
    )
    assert response.status_code == 201, response.text
    normal, night, curious, exporter = (history.user(n) for n in ("normal", "night", "curious", "exporter"))
    for n in range(6):
        moment = at(WEDNESDAY, 9 + n)
        await history.add(normal, moment, Operation.SEARCH, None, query=f"試験{n}")
        await history.add(normal, moment + timedelta(minutes=1), Operation.READ, f"p{n}-{history.tag}")
        await history.add(normal, moment + timedelta(minutes=4), Operation.UPDATE, f"p{n}-{history.tag}")
    await history.add(night, at(SATURDAY, 23, 10), Operation.READ, f"q1-{history.tag}")
    await history.add(curious, at(WEDNESDAY, 10), Operation.READ, staff)
    await history.add(exporter, at(WEDNESDAY, 15), Operation.EXPORT, None, detail="CSV 2,400件")
    await history.stored()
    return history


async def run_and_list(identity: httpx.AsyncClient, admin: dict[str, str], history: History) -> list[dict[str, Any]]:
    """Runs the analysis and returns the findings of the planted week's made-up users."""
    response = await identity.post("/access-review/run", headers=admin)
    assert response.status_code == 200, response.text
    listing = await identity.get(
        "/access-review/findings",
        params={"from": str(WEDNESDAY), "to": str(SATURDAY), "limit": 500},
        headers=admin,
    )
    assert listing.status_code == 200, listing.text
    return [item for item in listing.json()["items"] if item["user_id"].endswith(history.tag)]


class TestAnalysis:
    @pytest.mark.req("N21", partial=True)
    async def test_each_planted_case_is_found_with_its_evidence_and_the_normal_day_is_not(
        self, identity: httpx.AsyncClient, admin: dict[str, str], planted: History
    ) -> None:
        found = {item["user_id"]: item for item in await run_and_list(identity, admin, planted)}
        assert set(found) == {planted.user("night"), planted.user("curious"), planted.user("exporter")}
        night = found[planted.user("night")]
        assert (night["rule"], night["rule_name"], night["day"]) == ("off_hours", "時間外・休日の閲覧", str(SATURDAY))
        assert night["summary"] == "土曜日に 1人の記録を 1回閲覧・出力"
        assert night["evidence"][0]["at"] == "2026-06-20 23:10:00"
        assert night["evidence"][0]["client_ip"] == "192.0.2.10"
        curious = found[planted.user("curious")]
        assert (curious["rule"], curious["level"], curious["summary"]) == (
            "protected_person",
            "要確認",
            "指定者(職員)の記録を 1回(read)",
        )
        assert found[planted.user("exporter")]["summary"] == "patient を 2,400件出力"
        assert all(item["status_label"] == "未確認" for item in found.values())

    @pytest.mark.req("N21", partial=True)
    async def test_a_second_run_neither_duplicates_a_finding_nor_forgets_its_review(
        self, identity: httpx.AsyncClient, admin: dict[str, str], planted: History
    ) -> None:
        first = await run_and_list(identity, admin, planted)
        [night] = [item for item in first if item["rule"] == "off_hours"]
        review = {"status": "ok", "note": "", "version": night["version"]}
        assert (
            await identity.post(f"/access-review/findings/{night['id']}/review", json=review, headers=admin)
        ).is_success
        second = await run_and_list(identity, admin, planted)
        assert sorted(item["id"] for item in second) == sorted(item["id"] for item in first)
        [again] = [item for item in second if item["rule"] == "off_hours"]
        assert (again["status_label"], again["reviewer"]) == ("確認済・問題なし", "admin1")


class TestReview:
    @pytest.mark.req("N21", partial=True)
    async def test_a_review_needs_a_note_unless_cleared_and_is_kept_in_order_and_audited(
        self, identity: httpx.AsyncClient, admin: dict[str, str], planted: History
    ) -> None:
        [export] = [item for item in await run_and_list(identity, admin, planted) if item["rule"] == "bulk_export"]
        url = f"/access-review/findings/{export['id']}/review"
        refused = await identity.post(url, json={"status": "guidance", "note": " ", "version": 1}, headers=admin)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {"note": "「指導」とする場合は、確認した内容や対応を記入してください。"}
        first = await identity.post(
            url, json={"status": "check", "note": "所属長に目的を照会", "version": 1}, headers=admin
        )
        assert first.status_code == 200, first.text
        stale = await identity.post(url, json={"status": "ok", "note": "", "version": 1}, headers=admin)
        assert stale.status_code == 409
        done = await identity.post(
            url, json={"status": "guidance", "note": "目的外の出力。本人に指導した", "version": 2}, headers=admin
        )
        assert done.status_code == 200
        page = (await identity.get(f"/access-review/findings/{export['id']}", headers=admin)).json()
        assert [(m["status_label"], m["reviewer"]) for m in page["marks"]] == [("要確認", "admin1"), ("指導", "admin1")]
        assert (page["status_label"], page["version"]) == ("指導", 3)

        async def audited() -> list[dict[str, Any]]:
            events = await identity.get(
                "/audit/events", params={"user": "admin1", "operation": "update", "limit": 1000}, headers=admin
            )
            rows = [e for e in events.json()["items"] if e["record_id"] == export["id"]]
            return rows if len(rows) >= 2 else []  # both reviews' audit events travel through NATS: wait for both

        rows = await wait_for(audited, timeout=30, interval=0.5)
        assert {row["detail"] for row in rows} == {"要確認", "指導"}

    @pytest.mark.req("N21", partial=True)
    async def test_the_monthly_summary_counts_each_rule_by_review_state(
        self, identity: httpx.AsyncClient, admin: dict[str, str], planted: History
    ) -> None:
        await run_and_list(identity, admin, planted)
        summary = (await identity.get("/access-review/summary", params={"month": "2026-06-05"}, headers=admin)).json()
        assert (summary["since"], summary["until"]) == ("2026-06-01", "2026-06-30")
        lines = {line["rule"]: line for line in summary["lines"]}
        assert set(lines) == {
            "off_hours",
            "burst",
            "bulk_export",
            "protected_person",
            "no_relation",
            "outside_district",
            "search_without_work",
        }
        assert lines["protected_person"]["total"] >= 1
        assert summary["total"] == sum(line["total"] for line in summary["lines"])


class TestAccess:
    async def test_only_auditors_read_the_findings_or_change_the_protected_list(
        self, identity: httpx.AsyncClient, nurse: dict[str, str], viewer: dict[str, str]
    ) -> None:
        for headers in (nurse, viewer):
            assert (await identity.get("/access-review/findings", headers=headers)).status_code == 403
            add = await identity.post(
                "/access-review/protected-persons", json={"person_id": "x", "reason": "職員"}, headers=headers
            )
            assert add.status_code == 403
