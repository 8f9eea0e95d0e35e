"""The 外字 master as the outputs use it (N26): masters' effective-dated 外字 records, replicated from its events,
turned into the substitute table of `tbms_core.jp.gaiji`.

masters keeps one record per 外字 (code `U+…`, `data.character`, `data.substitute`, valid_from/valid_to) and sends
each change as MasterChanged (kind `gaiji`). A service that writes names out (forms, CP932 CSV) keeps those
records and asks for the substitutes in force on the day it writes. The settings' JSON table stays a fallback: it
counts only for a character the master has no record in force for.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tbms_contracts.masters import MasterSnapshot

from tbms_core.jp.gaiji import GaijiPolicy, load_policy

__all__ = ["KIND", "GaijiEntry", "GaijiMaster", "entry_of", "master_policy", "substitutes_in_force"]

KIND = "gaiji"  # the 外字 master's kind in masters' events


@dataclass(frozen=True)
class GaijiEntry:
    """One record of the 外字 master: the character, its 代替文字 and the days it is in force."""

    code: str  # U+20BB7
    character: str
    substitute: str
    valid_from: date | None = None
    valid_to: date | None = None
    version: int = 0

    def in_force(self, day: date) -> bool:
        """Started on or before the day and not ended before it."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def entry_of(snapshot: MasterSnapshot, version: int | None = None) -> GaijiEntry | None:
    """The 外字 record of a MasterChanged snapshot, or None when it is another kind or lacks its fields."""
    if snapshot.kind != KIND:
        return None
    return entry_from(snapshot.code, snapshot.data, snapshot.valid_from, snapshot.valid_to, version or snapshot.version)


def entry_from(
    code: str, data: Mapping[str, Any], valid_from: date | None, valid_to: date | None, version: int = 0
) -> GaijiEntry | None:
    """A 外字 record from its stored fields (a read model's row), or None when character or substitute is missing."""
    character, substitute = str(data.get("character") or ""), str(data.get("substitute") or "")
    if len(character) != 1 or not substitute:
        return None
    return GaijiEntry(code, character, substitute, valid_from, valid_to, version)


def substitutes_in_force(entries: Iterable[GaijiEntry], day: date) -> dict[str, str]:
    """{外字: 代替文字} of the records in force on the day."""
    return {entry.character: entry.substitute for entry in entries if entry.in_force(day)}


def master_policy(mode: str, substitutes_file: str, entries: Iterable[GaijiEntry], day: date) -> GaijiPolicy:
    """The settings' policy (mode, JSON table) with the master's substitutes in force on the day laid over the
    table: the table's entry counts only for a character the master has nothing in force for."""
    return load_policy(mode, substitutes_file, substitutes_in_force(entries, day))


class GaijiMaster:
    """The 外字 records a process holds (thread-safe): replaced from its read model, updated by its consumer."""

    def __init__(self, entries: Iterable[GaijiEntry] = ()) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, GaijiEntry] = {entry.code: entry for entry in entries}
        self._policies: dict[tuple[str, str, date], GaijiPolicy] = {}  # per settings and day, until a change

    def replace(self, entries: Iterable[GaijiEntry]) -> None:
        """Holds exactly these records (what the read model has now)."""
        fresh = {entry.code: entry for entry in entries}
        with self._lock:
            if fresh != self._entries:
                self._entries, self._policies = fresh, {}

    def put(self, entry: GaijiEntry) -> None:
        """Holds one record unless a newer version of it is held."""
        with self._lock:
            held = self._entries.get(entry.code)
            if held is None or held.version < entry.version:
                self._entries, self._policies = {**self._entries, entry.code: entry}, {}

    def entries(self) -> list[GaijiEntry]:
        """Every record held, ended ones too."""
        return list(self._entries.values())

    def substitutes(self, day: date) -> dict[str, str]:
        """{外字: 代替文字} in force on the day."""
        return substitutes_in_force(self._entries.values(), day)

    def policy(self, mode: str, substitutes_file: str, day: date) -> GaijiPolicy:
        """The settings' policy with the master's substitutes in force on the day over the settings' table (kept
        until the records change, so a form may ask for it for every text it prints)."""
        key = (mode, substitutes_file, day)
        found = self._policies.get(key)
        if found is None:
            with self._lock:
                found = master_policy(mode, substitutes_file, self._entries.values(), day)
                self._policies = {**self._policies, key: found}
        return found


async def refresh_every(every: float, refresh: Callable[[], Awaitable[None]], source: str) -> None:
    """Calls `refresh` every `every` seconds (after the one at start): a process's 外字 master follows what its
    database holds. A failed read keeps what is held and the next round retries; `source` names what is read."""
    while True:
        await asyncio.sleep(every)
        try:
            await refresh()
        except Exception:  # a database hiccup must not stop the service's work
            logging.getLogger(__name__).warning("外字 master not refreshed from %s", source, exc_info=True)
