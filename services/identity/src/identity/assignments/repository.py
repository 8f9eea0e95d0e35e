"""Every query of the assignments read model; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.access_review.rules import Relations
from identity.assignments.models import DistrictStaff, DistrictTeam, PersonAssignment, RecordParticipant


class AssignmentRepository:
    """Keeps the newest snapshot of each assignment (older or repeated ones change nothing) and reads them back."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _newer(self, model: type, keys: list[str], values: dict) -> int:
        """Inserts, or updates when the version is newer; 1 when a row was written."""
        statement = insert(model).values(**values)
        changed = {name: statement.excluded[name] for name in values if name not in keys}
        result = await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=keys, set_=changed, where=model.version < statement.excluded.version
            )
        )
        return int(result.rowcount or 0)

    async def assign_person(
        self, person_id: str, kind: str, *, district: str, nurse: str, index_ids: list[str], version: int, at: datetime
    ) -> int:
        """Stores a patient's or contact's district and nurse unless a newer snapshot was stored; 1 if stored."""
        values = {
            "person_id": person_id,
            "kind": kind,
            "district": district,
            "nurse": nurse,
            "index_patient_ids": index_ids,
            "version": version,
            "updated_at": at,
        }
        return await self._newer(PersonAssignment, ["person_id"], values)

    async def add_participant(self, person_id: str, who: str, via: str, at: datetime) -> None:
        """Names a user on a person's record (kept once, with when it was first seen)."""
        statement = insert(RecordParticipant).values(person_id=person_id, who=who, via=via, first_at=at)
        await self.session.execute(statement.on_conflict_do_nothing())

    async def staff(
        self, code: str, *, district: str, username: str, active: bool, version: int, valid_to: date | None = None
    ) -> None:
        """Stores a 担当保健師 master record unless a newer version was stored."""
        values = {"code": code, "district": district, "username": username, "active": active, "version": version}
        await self._newer(DistrictStaff, ["code"], values | {"valid_to": valid_to})

    async def ended_assignments(self, day: date) -> dict[str, tuple[str, ...]]:
        """user name -> the districts of their ended 担当保健師 assignments, for users with none in force on `day`."""
        ended: dict[str, set[str]] = defaultdict(set)
        working: set[str] = set()
        for row in await self.session.scalars(select(DistrictStaff).where(DistrictStaff.username != "")):
            if row.active and (row.valid_to is None or row.valid_to >= day):
                working.add(row.username)
            else:
                ended[row.username].add(row.district)
        return {user: tuple(sorted(districts)) for user, districts in ended.items() if user not in working}

    async def team(self, district: str, team: str, version: int) -> None:
        """Stores a district's 担当班 unless a newer version was stored."""
        await self._newer(DistrictTeam, ["district"], {"district": district, "team": team, "version": version})

    async def relations(self, person_ids: Iterable[str] | None = None) -> Relations:
        """Who is related to each person (every person when `person_ids` is None)."""
        query = select(PersonAssignment)
        wanted = None if person_ids is None else set(person_ids)
        if wanted is not None:
            query = query.where(PersonAssignment.person_id.in_(wanted))
        persons = {row.person_id: row for row in await self.session.scalars(query)}
        indexes = {i for row in persons.values() for i in row.index_patient_ids} - set(persons)
        if indexes:
            rows = await self.session.scalars(select(PersonAssignment).where(PersonAssignment.person_id.in_(indexes)))
            persons |= {row.person_id: row for row in rows}
        nurses, districts = {}, {}
        for person_id, row in persons.items():
            rows = [row] + [persons[i] for i in row.index_patient_ids if i in persons]
            nurses[person_id] = frozenset(r.nurse for r in rows if r.nurse)
            districts[person_id] = frozenset(r.district for r in rows if r.district)
        named: dict[str, set[str]] = defaultdict(set)
        query = select(RecordParticipant)
        if wanted is not None:
            query = query.where(RecordParticipant.person_id.in_(wanted))
        for participant in await self.session.scalars(query):
            named[participant.person_id].add(participant.who)
        team, user_districts = await self._teams()
        return Relations(
            nurses=nurses,
            districts=districts,
            participants={person: frozenset(who) for person, who in named.items()},
            team=team,
            user_districts=user_districts,
        )

    async def _teams(self) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        """district -> its team's user names, and user name -> its team's districts (districts of one 担当班 share)."""
        team_of = {row.district: row.team for row in await self.session.scalars(select(DistrictTeam))}
        staff = await self.session.scalars(
            select(DistrictStaff).where(DistrictStaff.active, DistrictStaff.username != "")
        )
        members: dict[str, set[str]] = defaultdict(set)
        for row in staff:
            members[row.district].add(row.username)
        districts = set(members) | set(team_of)

        def mates(district: str) -> set[str]:
            label = team_of.get(district, "")
            return {d for d in districts if d == district or (label and team_of.get(d) == label)}

        team = {d: frozenset(u for m in mates(d) for u in members.get(m, ())) for d in districts}
        user_districts: dict[str, set[str]] = defaultdict(set)
        for district, users in team.items():
            for user in users:
                user_districts[user].add(district)
        return team, {user: frozenset(ds) for user, ds in user_districts.items()}
