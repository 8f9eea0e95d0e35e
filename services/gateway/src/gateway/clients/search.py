"""The search service: suggestions while typing, and results with counts per type, status, district and sex."""

from __future__ import annotations

from typing import Any

from gateway.clients.base import ServiceClient

MAX_QUERY = 200
RESULT_LIMIT = 50


class SearchClient(ServiceClient):
    """search's REST API as one user sees it (search filters by the user's access)."""

    async def suggest(self, query: str) -> list[dict[str, Any]]:
        """Search suggestions while the user types."""
        body = await self.get_json("/search/suggest", q=query[:MAX_QUERY])
        return [_hit(item) for item in body.get("items", [])]

    async def search(self, conditions: dict[str, Any]) -> dict[str, Any]:
        """One page of results with facet counts; each hit knows its record type under "type" too."""
        body = await self.get_json("/search", **(conditions | {"facets": "true", "limit": RESULT_LIMIT}))
        return {
            "items": [_hit(item) for item in body["items"]],
            "total": body.get("total", 0),
            "lower_bound": bool(body.get("total_is_lower_bound")),  # search stopped counting: 「1,000件以上」
            "facets": body.get("facets") or {},
            "index": body.get("index") or {},  # complete, rebuilding or needs_reindex: an incomplete index is said so
        }

    async def index_status(self) -> dict[str, Any]:
        """The live index's state and the latest rebuild from the owners with its progress (監査の参照)."""
        return await self.get_json("/admin/reindex")


def _hit(item: dict[str, Any]) -> dict[str, Any]:
    """A search hit with its record type under "type" whichever name search used."""
    return {**item, "type": item.get("type") or item.get("record_type") or "patient"}
