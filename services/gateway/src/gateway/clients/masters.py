"""The masters service: reference data such as the districts (地区) patients and nurses belong to."""

from __future__ import annotations

import logging

from gateway.clients.base import ServiceClient
from gateway.web.errors import PageError

log = logging.getLogger(__name__)
DISTRICTS_TTL_SECONDS = 60.0  # an administrator's change to the districts shows within a minute
DISTRICTS_TIMEOUT_SECONDS = 3.0  # the districts only fill a choice: a slow masters must not hold up the page


class MastersClient(ServiceClient):
    """masters' REST API as one user sees it."""

    async def districts(self) -> tuple[str, ...]:
        """The district names in their usual order, kept a minute; none while masters cannot be reached.

        Pages then ask for the district as free text instead of failing.
        """
        try:
            return await self.cache.get("masters:districts", DISTRICTS_TTL_SECONDS, self._read_districts)
        except (PageError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("districts unavailable from masters: %s", type(exc).__name__)
            return ()

    async def _read_districts(self) -> tuple[str, ...]:
        response = await self.send("GET", "/districts", timeout=DISTRICTS_TIMEOUT_SECONDS)
        if response.status_code != 200:
            raise ValueError(f"masters answered {response.status_code}")
        return tuple(str(district["name"]) for district in response.json())
