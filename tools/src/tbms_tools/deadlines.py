"""`tbms deadlines sweep`: recomputes now the deadlines not yet computed on Japan's today, in patients and contacts,
as their daily sweep does after the day turns (R11, R17); each republishes only the records whose deadlines changed."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tbms_tools import config
from tbms_tools.keycloak import auth_headers

SERVICES = ("patients", "contacts")  # the services that publish deadlines
USER = "nurse1"  # 患者管理 and 接触者管理 更新: what `POST /deadlines/sweep` asks for


def sweep(
    username: str = USER, *, everything: bool = False, report: Callable[[str], None] = print
) -> dict[str, dict[str, int]]:
    """Runs each service's sweep (`everything`: every record again); returns how many each recomputed and sent."""
    headers = auth_headers(username)
    done = {}
    for service in SERVICES:
        with httpx.Client(base_url=config.service_url(service), headers=headers, timeout=600) as client:
            response = client.post("/deadlines/sweep", params={"all": "true"} if everything else {})
            response.raise_for_status()
        done[service] = response.json()
        report(f"{service}: {done[service]['checked']} recomputed, {done[service]['republished']} republished")
    return done
