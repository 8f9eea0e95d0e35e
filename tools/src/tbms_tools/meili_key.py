"""`tbms search meili-key`: makes the Meilisearch API key the search service runs with, so that it never holds
the master key (least privilege, N09).

The master key is used once, here, by the operator; the key made may only do what search's Meilisearch adapter
does (services/search/src/search/engine/meili.py: create and configure its index, add, read and delete documents,
search, read stats and tasks, swap a rebuilt index in) and only on search's indexes (`<index>*`). It cannot make
or read other keys, take dumps or snapshots, or touch another index.
"""

from __future__ import annotations

import os

import httpx

NAME = "tbms-search"
ACTIONS = (
    "search",
    "documents.add",
    "documents.get",
    "documents.delete",
    "indexes.create",
    "indexes.get",
    "indexes.update",
    "indexes.delete",
    "indexes.swap",
    "settings.get",
    "settings.update",
    "stats.get",
    "tasks.get",
)


def key_request(index: str) -> dict[str, object]:
    """The body of `POST /keys` for search's key: its actions on its indexes, no expiry (rotate by making another)."""
    return {
        "name": NAME,
        "description": "tbms search service: its own indexes only (made by `tbms search meili-key`)",
        "actions": list(ACTIONS),
        "indexes": [f"{index}*"],
        "expiresAt": None,
    }


def make_key(url: str, master_key: str, *, index: str = "records", timeout: float = 10.0) -> str:
    """Creates the key with the master key; returns the key to give search as TBMS_SEARCH_MEILI_KEY."""
    with httpx.Client(base_url=url.rstrip("/"), timeout=timeout) as client:
        response = client.post("/keys", json=key_request(index), headers={"Authorization": f"Bearer {master_key}"})
        response.raise_for_status()
        return str(response.json()["key"])


def run(url: str, index: str) -> None:
    """The command: the master key from $MEILI_MASTER_KEY (never an argument, which `ps` would show)."""
    master_key = os.environ.get("MEILI_MASTER_KEY", "")
    if not master_key:
        raise SystemExit("[search] ERROR: set MEILI_MASTER_KEY in the environment of this command")
    print(make_key(url, master_key, index=index))
