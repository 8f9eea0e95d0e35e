"""The to-do list: kept from the deadlines in the owning services' snapshots, acted on by nurses and clerks."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.deadlines import Deadline
from tbms_core import audit
from tbms_core.auth import Access, Principal
from tbms_core.clock import now, today
from tbms_core.db import flush_versioned

from workflow.access import area_of, district_scope, services_visible
from workflow.todo.errors import TodoClosed, TodoNotFound
from workflow.todo.models import CLOSED, DISMISSED, DONE, OPEN, SNOOZED, Todo
from workflow.todo.repository import TodoQuery, TodoRepository
from workflow.todo.schemas import (
    CountRead,
    TeamCountRead,
    TodoDismiss,
    TodoDone,
    TodoFilter,
    TodoPage,
    TodoRead,
    TodoReassign,
    TodoSnooze,
)

SERVICE = "workflow"


class DeadlineApplier:
    """Keeps exactly one to-do per deadline key from the snapshots of one record, newest snapshot wins."""

    def __init__(self, session: AsyncSession) -> None:
        self.todos = TodoRepository(session)

    async def apply(
        self, service: str, aggregate: str, record_id: str, version: int, deadlines: list[Deadline]
    ) -> bool:
        """Applies a snapshot's deadlines; False (nothing changed) when a newer or the same snapshot was applied.

        A deadline still present updates its to-do (a done or dismissed one opens again only when its due date
        moved: the record has a new due date to meet); one gone closes its to-do, as the record met it.
        """
        if not await self.todos.claim_version(service, aggregate, record_id, version):
            return False
        current = {deadline.key: deadline for deadline in deadlines}
        held = {
            todo.key: todo for todo in await self.todos.of_record_or_keys(service, aggregate, record_id, [*current])
        }
        created = []
        for key, deadline in current.items():
            todo = held.get(key)
            if todo is None:
                created.append(_new_todo(deadline, version))
            else:
                _refresh(todo, deadline, version)
        await self.todos.add_all(created)
        for key, todo in held.items():
            if key not in current and todo.status != CLOSED and todo.record_id == record_id:
                todo.status, todo.closed_at, todo.source_version = CLOSED, now(), version
        return True


def _new_todo(deadline: Deadline, version: int) -> Todo:
    return Todo(
        key=deadline.key,
        **_fields(deadline),
        status=OPEN,
        source_version=version,
        updated_by="deadline",
    )


def _fields(deadline: Deadline) -> dict[str, object]:
    record = deadline.record
    return {
        "kind": deadline.kind,
        "rule": deadline.rule,
        "what": deadline.what,
        "due_on": deadline.due_on,
        "severity": deadline.severity,
        "nurse": deadline.nurse,
        "team": deadline.team,
        "service": record.service,
        "aggregate": record.aggregate,
        "record_id": record.id,
        "record_label": record.label,
    }


def _refresh(todo: Todo, deadline: Deadline, version: int) -> None:
    """Brings a held to-do in line with its deadline as the newer snapshot states it."""
    moved = todo.due_on != deadline.due_on
    if todo.status == CLOSED or (todo.status in (DONE, DISMISSED) and moved):
        todo.status, todo.closed_at, todo.acted_due_on = OPEN, None, None
    for name, value in _fields(deadline).items():
        if getattr(todo, name) != value:
            setattr(todo, name, value)
    todo.source_version = version


class TodoService:
    """What a user does with to-dos: list them (mine, my team's, by due date), count them, act on them."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.todos = TodoRepository(session)

    def _query(self, **values: object) -> TodoQuery:
        return TodoQuery(
            today=today(),
            services=services_visible(self.principal),
            district=district_scope(self.principal),
            **values,  # type: ignore[arg-type]
        )

    async def list(self, criteria: TodoFilter) -> TodoPage:
        """The open to-dos of the user or a team within what the user may read, most overdue first."""
        day = today()
        mine = (self.principal.user_id, self.principal.username, self.principal.display_name)
        due_from, due_to = {
            "overdue": (None, day - timedelta(days=1)),
            "today": (day, day),
            "week": (day, day + timedelta(days=6)),
            "all": (None, None),
        }[criteria.due]
        team = criteria.team if criteria.scope == "team" else None
        if criteria.scope == "team" and team is None:
            team = self.principal.district
        query = self._query(
            mine=mine if criteria.scope == "mine" else (),
            team=team,
            due_from=due_from,
            due_to=due_to,
            limit=criteria.limit,
            offset=criteria.offset,
        )
        items, total = await self.todos.page(query)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.SEARCH, record_type="todo", query=criteria.scope
        )
        return TodoPage(items=[TodoRead.model_validate(item) for item in items], total=total)

    async def my_counts(self) -> CountRead:
        """The user's own open to-dos: overdue, today, this week, all (the home page's line)."""
        mine = (self.principal.user_id, self.principal.username, self.principal.display_name)
        overdue, due_today, week, open_ = await self.todos.counts(self._query(mine=mine))
        return CountRead(overdue=overdue, today=due_today, week=week, open=open_)

    async def counts(self) -> list[TeamCountRead]:
        """Per team, the open to-dos the user may see: overdue, today, this week, all (a chief's overview)."""
        rows = await self.todos.counts_per_team(self._query())
        return [TeamCountRead(team=t, overdue=o, today=d, week=w, open=n) for t, o, d, w, n in rows]

    async def get(self, todo_id: uuid.UUID) -> Todo:
        """One to-do of a record the user may read (another district's or area's is not found)."""
        todo = await self.todos.get(todo_id)
        if not self._may_see(todo):
            raise TodoNotFound()
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="todo", record_id=todo.id)
        return todo

    async def done(self, todo_id: uuid.UUID, data: TodoDone) -> Todo:
        """Marks a to-do done; it stays done while its deadline keeps the same due date."""
        todo = await self._changeable(todo_id, data.version)
        todo.status, todo.acted_due_on = DONE, todo.due_on
        return await self._saved(todo)

    async def snooze(self, todo_id: uuid.UUID, data: TodoSnooze) -> Todo:
        """Hides a to-do from the lists until a date."""
        todo = await self._changeable(todo_id, data.version)
        todo.status, todo.snoozed_until = SNOOZED, data.until
        return await self._saved(todo)

    async def reassign(self, todo_id: uuid.UUID, data: TodoReassign) -> Todo:
        """Gives a to-do to another user, named by their id or login name (it then shows in their list, not the
        nurse's)."""
        todo = await self._changeable(todo_id, data.version)
        todo.assignee_id, todo.assignee_name = data.user_id, data.name
        if todo.status == SNOOZED:
            todo.status, todo.snoozed_until = OPEN, None
        return await self._saved(todo)

    async def dismiss(self, todo_id: uuid.UUID, data: TodoDismiss) -> Todo:
        """Drops a to-do with the reason; it comes back only if its deadline's due date changes."""
        todo = await self._changeable(todo_id, data.version)
        todo.status, todo.reason, todo.acted_due_on = DISMISSED, data.reason, todo.due_on
        return await self._saved(todo)

    async def _changeable(self, todo_id: uuid.UUID, version: int) -> Todo:
        todo = await self.todos.get(todo_id)
        if not self._may_see(todo):
            raise TodoNotFound()
        self.principal.require(area_of(todo.service), Access.UPDATE)
        todo.check_version(version)
        if todo.status == CLOSED:
            raise TodoClosed()
        return todo

    def _may_see(self, todo: Todo) -> bool:
        district = district_scope(self.principal)
        return todo.service in services_visible(self.principal) and (district is None or todo.team in ("", district))

    async def _saved(self, todo: Todo) -> Todo:
        todo.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.UPDATE, record_type="todo", record_id=todo.id
        )
        return todo
