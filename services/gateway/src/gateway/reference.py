"""The card's code lists and the configurable fields, as the patients service defines them (never copied here)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from gateway.clients import Backend
from gateway.templating import TOKYO

CODES_TTL_SECONDS = 300.0  # the lists change only with a release of patients


@dataclass(frozen=True)
class _Cached:
    codes: dict[str, dict[str, str]]
    until: float


async def card_codes(request: Request, backend: Backend) -> dict[str, dict[str, str]]:
    """Every code list of the card {list: {code: label}}, kept a few minutes per gateway process."""
    cached: _Cached | None = getattr(request.app.state, "card_codes", None)
    if cached is not None and cached.until > time.monotonic():
        return cached.codes
    codes = await backend.card_codes()
    request.app.state.card_codes = _Cached(codes, time.monotonic() + CODES_TTL_SECONDS)
    return codes


async def definitions_today(backend: Backend) -> list[dict[str, Any]]:
    """The configurable fields in use today (Asia/Tokyo), read fresh: an administrator may just have added one."""
    return await backend.custom_field_definitions(datetime.now(TOKYO).date().isoformat())
