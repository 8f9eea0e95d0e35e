"""The part every repository shares: add, get or refuse as not found, get a version the caller has seen."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Subquery, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from tbms_core.db import Base, Versioned
from tbms_core.errors import NotFound

ModelT = TypeVar("ModelT", bound=Base)


class Repository(Generic[ModelT]):
    """Reads and writes one model in the caller's unit of work; never commits."""

    model: ClassVar[type[Any]]
    not_found: ClassVar[type[NotFound]] = NotFound

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, item: ModelT) -> ModelT:
        """Stores a new row and gives it its key."""
        self.session.add(item)
        await self.session.flush()
        return item

    async def page_after(self, after: uuid.UUID | None, limit: int) -> list[ModelT]:
        """Up to `limit` rows with an id after `after` (all from the first when None), in id order: the pages a read
        model elsewhere is rebuilt from."""
        statement = select(self.model).order_by(self.model.id).limit(limit)
        if after is not None:
            statement = statement.where(self.model.id > after)
        return list(await self.session.scalars(statement))

    async def having(self, keys: list[uuid.UUID]) -> list[ModelT]:
        """The rows with these ids that exist, in id order."""
        return list(
            await self.session.scalars(select(self.model).where(self.model.id.in_(keys)).order_by(self.model.id))
        )

    async def find(self, key: uuid.UUID | int | str) -> ModelT | None:
        """The row with this key, or None."""
        return await self.session.get(self.model, key)

    async def get(self, key: uuid.UUID | int | str) -> ModelT:
        """The row with this key, or the repository's NotFound error (404 with its Japanese message)."""
        item = await self.find(key)
        if item is None:
            raise self.not_found()
        return item

    async def get_version(self, key: uuid.UUID | int | str, version: int) -> ModelT:
        """The row as the caller saw it: a newer stored version is refused with 409 (optimistic concurrency)."""
        item = await self.get(key)
        if not isinstance(item, Versioned):
            raise TypeError(f"{type(item).__name__} has no version column")
        item.check_version(version)
        return item


class RecordIndex:
    """The records of several tables one kind of event carries (a care record may be a treatment, a stay, a DOTS
    plan …), as one sequence in id order: the pages a read model elsewhere is rebuilt from. Their ids are uuids, so
    no two tables share one; each record comes with the name of its kind (the key of its table in `tables`)."""

    tables: ClassVar[Mapping[str, type[Any]]]  # kind -> a versioned model with a uuid `id`

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def ids(self) -> Subquery:
        """Every record's id, version and kind (`id`, `version`, `kind`), one union over the tables."""
        return union_all(
            *(
                select(model.id.label("id"), model.version.label("version"), literal(kind).label("kind"))
                for kind, model in self.tables.items()
            )
        ).subquery("records")

    async def page_after(self, after: uuid.UUID | None, limit: int) -> list[tuple[str, Any]]:
        """Up to `limit` records with an id after `after` (all from the first when None), in id order, with kinds."""
        index = self.ids()
        statement = select(index.c.id, index.c.kind).order_by(index.c.id).limit(limit)
        if after is not None:
            statement = statement.where(index.c.id > after)
        return await self._load(list((await self.session.execute(statement)).tuples()))

    async def having(self, keys: list[uuid.UUID]) -> list[tuple[str, Any]]:
        """The records with these ids that exist, in id order, with kinds."""
        index = self.ids()
        statement = select(index.c.id, index.c.kind).where(index.c.id.in_(keys)).order_by(index.c.id)
        return await self._load(list((await self.session.execute(statement)).tuples()))

    async def _load(self, found: list[tuple[uuid.UUID, str]]) -> list[tuple[str, Any]]:
        """The rows of the ids found, one query per kind, in the order found."""
        wanted: dict[str, list[uuid.UUID]] = {}
        for key, kind in found:
            wanted.setdefault(kind, []).append(key)
        rows: dict[uuid.UUID, Any] = {}
        for kind, keys in wanted.items():
            model = self.tables[kind]
            rows |= {row.id: row for row in await self.session.scalars(select(model).where(model.id.in_(keys)))}
        return [(kind, rows[key]) for key, kind in found if key in rows]
