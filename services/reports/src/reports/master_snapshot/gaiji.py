"""The 外字 master the forms print with (N26): read from the master snapshots at start and then on a schedule, so
every reports process prints the substitutes in force (the consumer's own process takes a change at once)."""

from __future__ import annotations

from tbms_core.db import Database
from tbms_core.gaiji_master import GaijiMaster, refresh_every

from reports.master_snapshot.repository import MasterSnapshotRepository


async def refresh(db: Database, master: GaijiMaster) -> None:
    """Holds exactly the 外字 records of the read model."""
    async with db.session() as session:
        master.replace(await MasterSnapshotRepository(session).gaiji_entries())


async def keep_fresh(db: Database, master: GaijiMaster, every: float) -> None:
    """Refreshes every `every` seconds (after the one at start); a failed read keeps what is held."""
    await refresh_every(every, lambda: refresh(db, master), "the read model")
