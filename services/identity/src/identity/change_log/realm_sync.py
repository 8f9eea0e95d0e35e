"""Copies the Keycloak realm's admin events (changes of users, groups, roles, clients and realm settings made
through the admin API or console) into `realm_changes`, so the change log shows them (N28)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import utcnow

from identity.change_log.repository import ChangeLogRepository
from identity.keycloak import KeycloakCopy

# Keycloak stamps an event when it happens but stores it when the request ends: re-read a margin, dedupe by id.
OVERLAP_MS = 120_000


def field_names(representation: str | None) -> list[str]:
    """The names of the fields an admin request sent; their values are dropped (a password reset sends one)."""
    if not representation:
        return []
    try:
        sent = json.loads(representation)
    except ValueError:
        return []
    items = sent if isinstance(sent, list) else [sent]
    return sorted({key for item in items if isinstance(item, dict) for key in item})


class RealmSync(KeycloakCopy):
    """Keeps the change log's realm changes in step with Keycloak's admin events."""

    what = "Keycloak admin events"

    async def pull(self, session: AsyncSession) -> int:
        """Copies the admin events Keycloak recorded since the newest one held; returns how many were new."""
        changes = ChangeLogRepository(session)
        latest = await changes.latest_realm_change()
        since = int(latest.timestamp() * 1000) - OVERLAP_MS if latest else None
        rows = [await self._row(raw) for raw in await self.keycloak.admin_events(since_ms=since)]
        return await changes.add_realm_changes(rows)

    async def _row(self, raw: dict[str, Any]) -> dict[str, Any]:
        who = raw.get("authDetails") or {}
        admin = str(who.get("userId") or "")
        return {
            "id": str(raw["id"]),
            "time": datetime.fromtimestamp(int(raw["time"]) / 1000, UTC),
            "operation": str(raw.get("operationType") or ""),
            "resource_type": str(raw.get("resourceType") or ""),
            "resource_path": str(raw.get("resourcePath") or ""),
            "admin_user_id": admin,
            "admin_username": await self.keycloak.username_of(admin) if admin else "",
            "ip_address": str(who.get("ipAddress") or ""),
            "fields": field_names(raw.get("representation")),
            "error": str(raw.get("error") or ""),
            "copied_at": utcnow(),
        }
