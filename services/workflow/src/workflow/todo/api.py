"""To-do endpoints: the home page's lists and counts, and the actions on one to-do."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from workflow.deps import TodoServiceDep
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

router = APIRouter(prefix="/todos", tags=["ToDo"])


@router.get("", response_model=TodoPage)
async def list_todos(todos: TodoServiceDep, criteria: Annotated[TodoFilter, Query()]) -> TodoPage:
    """Open to-dos: mine, my team's or all I may see; overdue, today, this week or all."""
    return await todos.list(criteria)


@router.get("/counts/mine", response_model=CountRead)
async def count_my_todos(todos: TodoServiceDep) -> CountRead:
    """The user's own open to-dos: overdue, today, this week, all (one call for the home page)."""
    return await todos.my_counts()


@router.get("/counts", response_model=list[TeamCountRead])
async def count_todos(todos: TodoServiceDep) -> list[TeamCountRead]:
    """Open to-dos per team (a chief's overview)."""
    return await todos.counts()


@router.get("/{todo_id}", response_model=TodoRead)
async def read(todo_id: uuid.UUID, todos: TodoServiceDep) -> TodoRead:
    """One to-do the user may see (the reassign page shows it)."""
    return TodoRead.model_validate(await todos.get(todo_id))


@router.post("/{todo_id}/done", response_model=TodoRead)
async def mark_done(todo_id: uuid.UUID, data: TodoDone, todos: TodoServiceDep) -> TodoRead:
    """Marks a to-do done."""
    return TodoRead.model_validate(await todos.done(todo_id, data))


@router.post("/{todo_id}/snooze", response_model=TodoRead)
async def snooze(todo_id: uuid.UUID, data: TodoSnooze, todos: TodoServiceDep) -> TodoRead:
    """Hides a to-do until a date."""
    return TodoRead.model_validate(await todos.snooze(todo_id, data))


@router.post("/{todo_id}/reassign", response_model=TodoRead)
async def reassign(todo_id: uuid.UUID, data: TodoReassign, todos: TodoServiceDep) -> TodoRead:
    """Gives a to-do to another user."""
    return TodoRead.model_validate(await todos.reassign(todo_id, data))


@router.post("/{todo_id}/dismiss", response_model=TodoRead)
async def dismiss(todo_id: uuid.UUID, data: TodoDismiss, todos: TodoServiceDep) -> TodoRead:
    """Drops a to-do with a reason."""
    return TodoRead.model_validate(await todos.dismiss(todo_id, data))
