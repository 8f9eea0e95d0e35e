"""Keeping masters' 外字 master and folding with the substitutes in force (N11, N26).

Every search process holds the records in a `GaijiMaster` and hands the substitutes in force today to the folding
of names and queries (`search.engine.terms.fold_gaiji`): read at start and then on a schedule (so every process, and
a new day, take what is in force), and at once in the process whose consumer takes a change.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.masters import MasterSnapshot
from tbms_core import gaiji_records
from tbms_core.clock import today
from tbms_core.db import Database
from tbms_core.gaiji_master import GaijiEntry, GaijiMaster, refresh_every

from search.engine.terms import fold_gaiji
from search.gaiji.models import GaijiRecord

MASTER = GaijiMaster()  # this process's copy, which folding follows


async def keep(session: AsyncSession, snapshot: MasterSnapshot, version: int) -> bool | None:
    """Keeps one 外字 record; None when the snapshot is not one, False when a newer or equal version is held."""
    return await gaiji_records.keep(session, GaijiRecord, snapshot, version)


def hold(entry: GaijiEntry, master: GaijiMaster = MASTER) -> None:
    """Folds with one changed record at once (unless a newer version of it is held)."""
    master.put(entry)
    fold_gaiji(master.substitutes(today()))


async def refresh(db: Database, master: GaijiMaster = MASTER) -> None:
    """Holds exactly the records kept in the database and folds with those in force today."""
    async with db.session() as session:
        master.replace(await gaiji_records.entries(session, GaijiRecord))
    fold_gaiji(master.substitutes(today()))


async def keep_fresh(db: Database, every: float, master: GaijiMaster = MASTER) -> None:
    """Refreshes every `every` seconds (after the one at start); a failed read keeps what is held."""
    await refresh_every(every, lambda: refresh(db, master), "search's database")
