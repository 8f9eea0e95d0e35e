"""Copies Keycloak user events into `login_events`, idempotently, in the background and on demand."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import utcnow

from identity.keycloak import KeycloakCopy
from identity.login_history.repository import LoginEventRepository

# Keycloak stamps an event when it happens but stores it when the request ends: re-read a margin, dedupe by id.
OVERLAP_MS = 120_000


def event_key(raw: dict[str, Any]) -> str:
    """Keycloak's event id, or a digest of what identifies the event when Keycloak gives none."""
    if raw.get("id"):
        return str(raw["id"])
    fields = [raw.get(k) for k in ("time", "type", "userId", "sessionId", "ipAddress", "clientId", "error")]
    return hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()


def to_row(raw: dict[str, Any]) -> dict[str, Any]:
    """A `login_events` row from one Keycloak event representation."""
    details = raw.get("details") or {}
    return {
        "id": event_key(raw),
        "time": datetime.fromtimestamp(int(raw["time"]) / 1000, UTC),
        "type": str(raw.get("type", "")),
        "user_id": raw.get("userId") or None,
        "username": str(details.get("username", "") or ""),
        "client_id": str(raw.get("clientId", "") or ""),
        "session_id": str(raw.get("sessionId", "") or ""),
        "ip_address": str(raw.get("ipAddress", "") or ""),
        "error": str(raw.get("error", "") or ""),
        "details": details,
        "copied_at": utcnow(),
    }


class LoginSync(KeycloakCopy):
    """Keeps the login history in step with Keycloak's event store."""

    what = "Keycloak login events"

    async def pull(self, session: AsyncSession) -> int:
        """Copies the events Keycloak recorded since the newest one held; returns how many were new."""
        events = LoginEventRepository(session)
        latest = await events.latest_time()
        since = int(latest.timestamp() * 1000) - OVERLAP_MS if latest else None
        rows = [to_row(raw) for raw in await self.keycloak.events(since_ms=since)]
        await events.fill_usernames(rows)
        return await events.add_new(rows)
