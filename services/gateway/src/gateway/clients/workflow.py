"""The workflow service: the user's to-dos (from the deadlines the records publish) and circulations."""

from __future__ import annotations

from typing import Any

from gateway.clients.base import SaveResult, ServiceClient, saved
from gateway.web.errors import BadRequest, Forbidden, LoginRequired, PageNotFound, ServiceUnavailable

PAGE_SIZE = 100


class WorkflowClient(ServiceClient):
    """workflow's REST API as one user sees it."""

    async def todos(self, *, scope: str, due: str, offset: int = 0) -> dict[str, Any]:
        """One page of open to-dos, most overdue first: {"items", "total"}."""
        body = await self.get_json("/todos", scope=scope, due=due, limit=PAGE_SIZE, offset=offset)
        return {"items": list(body.get("items", [])), "total": int(body.get("total") or 0)}

    async def counts(self) -> list[dict[str, Any]]:
        """Per team: overdue, today, this week, open (what the user may see)."""
        return list(await self.get_json("/todos/counts"))

    async def summary(self) -> dict[str, int] | None:
        """The user's own overdue / today / this week counts for the home page; None when workflow cannot say."""
        try:
            counts = await self.get_json("/todos/counts/mine")
            return {due: int(counts[due]) for due in ("overdue", "today", "week")}
        except (BadRequest, PageNotFound, ServiceUnavailable, KeyError, ValueError, TypeError):
            return None

    async def todo(self, todo_id: str) -> dict[str, Any]:
        """One to-do the user may see."""
        return await self.get_json(f"/todos/{todo_id}")

    async def act(self, todo_id: str, action: str, body: dict[str, Any]) -> SaveResult:
        """done, snooze, reassign or dismiss a to-do, based on the version the user saw."""
        response = await self.send("POST", f"/todos/{todo_id}/{action}", json=body)
        return saved(response, "予定を更新できませんでした。")

    async def inbox(self) -> dict[str, Any]:
        """{"waiting", "sent", "sent_back", "to_read", "badge"}."""
        return await self.get_json("/circulations/inbox")

    async def inbox_count(self) -> dict[str, int] | None:
        """{"waiting", "sent_back", "to_read", "badge"} for the header's badge; None when workflow cannot say (the
        page opens without the badge rather than fail)."""
        try:
            counts = await self.get_json("/circulations/inbox/count")
            return {name: int(counts[name]) for name in ("waiting", "sent_back", "to_read", "badge")}
        except (
            BadRequest,
            Forbidden,
            LoginRequired,
            PageNotFound,
            ServiceUnavailable,
            KeyError,
            ValueError,
            TypeError,
        ):
            return None

    async def of_record(self, service: str, record_kind: str, record_id: str) -> list[dict[str, Any]] | None:
        """The circulations of one record, newest first; None when workflow cannot say (the page opens without)."""
        try:
            return list(await self.get_json(f"/circulations/of/{service}/{record_kind}/{record_id}"))
        except (BadRequest, Forbidden, PageNotFound, ServiceUnavailable, TypeError):
            return None

    async def circulation(self, circulation_id: str) -> dict[str, Any]:
        """One circulation with its steps, history and readers."""
        return await self.get_json(f"/circulations/{circulation_id}")

    async def submit(self, body: dict[str, Any]) -> SaveResult:
        """Puts a record or document into 回議 or 供覧."""
        return saved(await self.send("POST", "/circulations", json=body), "回議に出せませんでした。")

    async def decide(self, circulation_id: str, action: str, body: dict[str, Any]) -> SaveResult:
        """approve, on-behalf, send-back, resubmit, withdraw or read, based on the version the user saw."""
        response = await self.send("POST", f"/circulations/{circulation_id}/{action}", json=body)
        return saved(response, "操作を完了できませんでした。")
