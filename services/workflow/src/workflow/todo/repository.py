"""Every query of the to-do list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.elements import ColumnElement
from tbms_core.repository import Repository

from workflow.todo.errors import TodoNotFound
from workflow.todo.models import OPEN, SNOOZED, DeadlineSource, Todo

SEVERITY_ORDER = case({"danger": 0, "warning": 1}, value=Todo.severity, else_=2)


@dataclass(frozen=True)
class TodoQuery:
    """Which to-dos a list shows: the user's or a team's, up to a due date, within what the user may see."""

    today: date
    services: list[str]
    district: str | None = None  # only this team's (and to-dos without a team)
    mine: tuple[str, ...] = ()  # the user's id, login name and name: to-dos of this nurse or reassigned to them
    team: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    limit: int = 100
    offset: int = 0


class TodoRepository(Repository[Todo]):
    """Reads and writes to-dos and the snapshot versions they were built from."""

    model = Todo
    not_found = TodoNotFound

    async def claim_version(self, service: str, aggregate: str, record_id: str, version: int) -> bool:
        """Takes a snapshot's version as the newest of its record; False when a newer or the same one was applied."""
        statement = pg_insert(DeadlineSource).values(
            service=service, aggregate=aggregate, record_id=record_id, version=version
        )
        statement = statement.on_conflict_do_update(
            index_elements=["service", "aggregate", "record_id"],
            set_={"version": statement.excluded.version},
            where=DeadlineSource.version < statement.excluded.version,
        ).returning(DeadlineSource.version)
        return (await self.session.execute(statement)).first() is not None

    async def add_all(self, todos: list[Todo]) -> None:
        """Stores new to-dos in one round trip."""
        self.session.add_all(todos)
        await self.session.flush()

    async def of_record_or_keys(self, service: str, aggregate: str, record_id: str, keys: list[str]) -> list[Todo]:
        """The to-dos of one record and those of these deadline keys, locked for the update."""
        of_record = and_(Todo.service == service, Todo.aggregate == aggregate, Todo.record_id == record_id)
        statement = select(Todo).where(or_(of_record, Todo.key.in_(keys))).with_for_update()
        return list((await self.session.scalars(statement)).all())

    async def page(self, query: TodoQuery) -> tuple[list[Todo], int]:
        """A page of open to-dos, the most overdue first, and how many there are."""
        conditions = _conditions(query)
        total = await self.session.scalar(select(func.count()).select_from(Todo).where(*conditions))
        statement = (
            select(Todo)
            .where(*conditions)
            .order_by(Todo.due_on, SEVERITY_ORDER, Todo.id)
            .limit(query.limit)
            .offset(query.offset)
        )
        return list((await self.session.scalars(statement)).all()), int(total or 0)

    async def counts_per_team(self, query: TodoQuery) -> list[tuple[str, int, int, int, int]]:
        """Per team: open to-dos overdue, due today, due within the week, and all open."""
        statement = (
            select(Todo.team, *_due_counts(query.today))
            .where(*_conditions(query))
            .group_by(Todo.team)
            .order_by(Todo.team)
        )
        return [tuple(row) for row in (await self.session.execute(statement)).all()]  # type: ignore[misc]

    async def counts(self, query: TodoQuery) -> tuple[int, int, int, int]:
        """The to-dos of one query: overdue, due today, due within the week, and all open, in one statement."""
        row = (await self.session.execute(select(*_due_counts(query.today)).where(*_conditions(query)))).one()
        return tuple(row)  # type: ignore[return-value]


def _due_counts(day: date) -> tuple[ColumnElement[int], ...]:
    """Counts of overdue, due on the day, due within the week from it, and all."""
    week_end = date.fromordinal(day.toordinal() + 6)
    return (
        func.count().filter(Todo.due_on < day),
        func.count().filter(Todo.due_on == day),
        func.count().filter(and_(Todo.due_on >= day, Todo.due_on <= week_end)),
        func.count(),
    )


def _conditions(query: TodoQuery) -> list[ColumnElement[bool]]:
    """Open (or snoozed until today or earlier), of services the user may read, within the district scope."""
    conditions: list[ColumnElement[bool]] = [
        or_(Todo.status == OPEN, and_(Todo.status == SNOOZED, Todo.snoozed_until <= query.today)),
        Todo.service.in_(query.services),
    ]
    if query.district is not None:
        conditions.append(Todo.team.in_([query.district, ""]))
    if query.mine:
        user_ids = [name for name in query.mine[:2] if name]  # reassigned by the user's id or login name
        mine_by_nurse = and_(Todo.assignee_id == "", Todo.nurse.in_([name for name in query.mine if name]))
        conditions.append(or_(Todo.assignee_id.in_(user_ids), mine_by_nurse))
    if query.team is not None:
        conditions.append(Todo.team == query.team)
    if query.due_from is not None:
        conditions.append(Todo.due_on >= query.due_from)
    if query.due_to is not None:
        conditions.append(Todo.due_on <= query.due_to)
    return conditions
