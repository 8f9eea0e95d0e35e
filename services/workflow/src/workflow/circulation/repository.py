"""Every query of circulations."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from tbms_core.repository import Repository

from workflow.circulation.errors import CirculationNotFound
from workflow.circulation.models import (
    APPROVED,
    CIRCULATING,
    DECISION,
    IN_PROGRESS,
    SENT_BACK,
    WITHDRAWN,
    Circulation,
    CirculationAction,
    CirculationReader,
)

INBOX_LIMIT = 200


class CirculationRepository(Repository[Circulation]):
    """Reads and writes circulations, their actions and their readers."""

    model = Circulation
    not_found = CirculationNotFound

    async def add_action(self, action: CirculationAction) -> None:
        """Records one thing done to a circulation."""
        self.session.add(action)

    async def actions(self, circulation_id: uuid.UUID) -> list[CirculationAction]:
        """What happened to a circulation, oldest first."""
        statement = (
            select(CirculationAction)
            .where(CirculationAction.circulation_id == circulation_id)
            .order_by(CirculationAction.at, CirculationAction.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def readers(self, circulation_id: uuid.UUID) -> list[CirculationReader]:
        """Who a 供覧 went to (and who read it as one of a team), with when they read it."""
        statement = (
            select(CirculationReader)
            .where(CirculationReader.circulation_id == circulation_id)
            .order_by(CirculationReader.addressed.desc(), CirculationReader.name)
        )
        return list((await self.session.scalars(statement)).all())

    async def reader(self, circulation_id: uuid.UUID, user_id: str) -> CirculationReader | None:
        """One reader of a 供覧."""
        return await self.session.get(CirculationReader, (circulation_id, user_id))

    async def add_reader(self, reader: CirculationReader) -> None:
        """Adds a reader row."""
        self.session.add(reader)
        await self.session.flush()

    async def of_record(self, service: str, record_kind: str, record_id: str) -> list[Circulation]:
        """The circulations of one record, newest first."""
        statement = (
            select(Circulation)
            .where(
                Circulation.service == service,
                Circulation.record_kind == record_kind,
                Circulation.record_id == record_id,
            )
            .order_by(Circulation.created_at.desc(), Circulation.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def approved_before(self, service: str, record_kind: str, record_id: str, version: int) -> list[Circulation]:
        """The approved 回議 of a record whose approved version is older than this one, locked for the update."""
        statement = (
            select(Circulation)
            .where(
                Circulation.service == service,
                Circulation.record_kind == record_kind,
                Circulation.record_id == record_id,
                Circulation.kind == DECISION,
                Circulation.status == APPROVED,
                Circulation.record_version < version,
                Circulation.latest_record_version < version,
            )
            .with_for_update()
        )
        return list((await self.session.scalars(statement)).all())

    async def waiting_for(self, roles: list[str], services: list[str]) -> list[Circulation]:
        """回議 under way whose current step is decided by one of these roles or may be decided for by one."""
        return await self._newest(waiting_statement(roles, services))

    async def count_waiting_for(self, roles: list[str], services: list[str]) -> int:
        """How many 回議 wait for one of these roles (the header's badge)."""
        return await self._count(waiting_statement(roles, services))

    async def drafted_by(self, user_id: str, services: list[str], *, sent_back: bool = False) -> list[Circulation]:
        """Circulations the user drafted (only those sent back to them, if asked), withdrawn ones left out."""
        return await self._newest(drafted_statement(user_id, services, sent_back=sent_back))

    async def count_sent_back(self, user_id: str, services: list[str]) -> int:
        """How many of the user's 回議 were sent back to them."""
        return await self._count(drafted_statement(user_id, services, sent_back=True))

    async def to_read(self, user_id: str, district: str, services: list[str]) -> list[Circulation]:
        """供覧 addressed to the user, or to the user's team, that the user has not read yet."""
        return await self._newest(to_read_statement(user_id, district, services))

    async def count_to_read(self, user_id: str, district: str, services: list[str]) -> int:
        """How many 供覧 the user has still to read."""
        return await self._count(to_read_statement(user_id, district, services))

    async def _count(self, statement) -> int:  # type: ignore[no-untyped-def]
        statement = statement.where(Circulation.status != WITHDRAWN)
        return int(await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)

    async def _newest(self, statement) -> list[Circulation]:  # type: ignore[no-untyped-def]
        statement = statement.where(Circulation.status != WITHDRAWN).order_by(Circulation.updated_at.desc())
        return list((await self.session.scalars(statement.limit(INBOX_LIMIT))).all())


def waiting_statement(roles: list[str], services: list[str]) -> Select[tuple[Circulation]]:
    """回議 under way whose current step is decided by one of these roles or may be decided for by one."""
    return select(Circulation).where(
        Circulation.kind == DECISION,
        Circulation.status == IN_PROGRESS,
        Circulation.service.in_(services),
        or_(Circulation.current_role.in_(roles), Circulation.current_on_behalf.overlap(roles)),
    )


def drafted_statement(user_id: str, services: list[str], *, sent_back: bool) -> Select[tuple[Circulation]]:
    """Circulations the user drafted (only those sent back to them, if asked)."""
    statuses = [SENT_BACK] if sent_back else [IN_PROGRESS, SENT_BACK, APPROVED, CIRCULATING]
    return select(Circulation).where(
        Circulation.drafter_id == user_id, Circulation.status.in_(statuses), Circulation.service.in_(services)
    )


def to_read_statement(user_id: str, district: str, services: list[str]) -> Select[tuple[Circulation]]:
    """供覧 addressed to the user, or to the user's team, that the user has not read yet."""
    read_by_me = exists().where(
        CirculationReader.circulation_id == Circulation.id,
        CirculationReader.user_id == user_id,
        CirculationReader.read_at.is_not(None),
    )
    addressed_to_me = exists().where(
        CirculationReader.circulation_id == Circulation.id, CirculationReader.user_id == user_id
    )
    to_me: ColumnElement[bool] = addressed_to_me
    if district:
        to_me = or_(addressed_to_me, Circulation.teams.any(district))  # type: ignore[arg-type]
    return select(Circulation).where(
        Circulation.kind != DECISION,
        Circulation.status == CIRCULATING,
        Circulation.service.in_(services),
        and_(to_me, ~read_by_me),
    )
