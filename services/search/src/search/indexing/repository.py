"""Every query of the indexing module: the ledger of indexed versions, and what search keeps beside the index
(linked patients, DOTS plans, contacts); never commits.

Locks keep two consumers from building a record's hit from each other's half-applied state: a consumer locks the
row of the record it rebuilds (a patient's row, a contact's row) before reading what it is built from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from search.indexing.models import DotsPlan, LinkedContact, LinkedPatient

# The row lock taken here serialises two deliveries of the same record until the transaction ends.
ADVANCE = text(
    "INSERT INTO indexed_versions (record_type, record_id, version, indexed_at) VALUES (:t, :i, :v, now()) "
    "ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version, indexed_at = now() "
    "WHERE indexed_versions.version < excluded.version RETURNING version"
)

# A rebuild re-applies the version already held; only a newer one (or a deletion's tombstone) stops it.
CATCH_UP = text(
    "INSERT INTO indexed_versions (record_type, record_id, version, indexed_at) VALUES (:t, :i, :v, now()) "
    "ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version, indexed_at = now() "
    "WHERE indexed_versions.version <= excluded.version RETURNING version"
)


class IndexedVersionRepository:
    """Reads and advances the ledger of indexed versions in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def advance(self, record_type: str, record_id: str, version: int) -> bool:
        """Records a newer version of a record; False when the same or a newer one was indexed before."""
        result = await self.session.execute(ADVANCE, {"t": record_type, "i": record_id, "v": version})
        return result.first() is not None

    async def catch_up(self, record_type: str, record_id: str, version: int) -> bool:
        """Records a rebuild of a record; False when a newer version or a deletion was recorded since."""
        result = await self.session.execute(CATCH_UP, {"t": record_type, "i": record_id, "v": version})
        return result.first() is not None

    async def ping(self) -> None:
        """Answers once the database does (the readiness check)."""
        await self.session.execute(text("SELECT 1"))

    async def count(self) -> int:
        """How many records were ever indexed (deleted ones included)."""
        return int((await self.session.execute(text("SELECT count(*) FROM indexed_versions"))).scalar_one())

    async def version_of(self, record_type: str, record_id: str) -> int | None:
        """The version last indexed of a record, if any."""
        result = await self.session.execute(
            text("SELECT version FROM indexed_versions WHERE record_type = :t AND record_id = :i"),
            {"t": record_type, "i": record_id},
        )
        return result.scalar_one_or_none()


@dataclass(frozen=True)
class IndexPatient:
    """A patient as a contact's hit shows it."""

    id: str
    registration_no: str
    name: str
    district: str

    @property
    def shown(self) -> str:
        """登録番号 and name, as the result list shows the index patient."""
        return " ".join(part for part in (self.registration_no, self.name) if part)


@dataclass(frozen=True)
class PlanFacts:
    """A DOTS plan's dates, type and intensity."""

    starts_on: date
    ends_on: date | None
    dots_type: str
    dots_type_label: str
    intensity: str


class LinkRepository:
    """Reads and writes linked patients, DOTS plans and contacts in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_patient(self, patient_id: str) -> LinkedPatient:
        """The patient's row, created empty if unknown, locked until the transaction ends."""
        await self.session.execute(insert(LinkedPatient).values(patient_id=patient_id).on_conflict_do_nothing())
        query = select(LinkedPatient).where(LinkedPatient.patient_id == patient_id).with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar_one()

    async def save_patient(self, row: LinkedPatient, version: int, document: dict[str, Any], **shown: str) -> bool:
        """Keeps a newer snapshot's document and what other hits show; True when what they show changed."""
        before = (row.registration_no, row.name, row.district)
        row.version, row.document = version, document
        row.registration_no, row.name, row.district = shown["registration_no"], shown["name"], shown["district"]
        await self.session.flush()
        return before != (row.registration_no, row.name, row.district)

    async def forget_document(self, patient_id: str) -> None:
        """A deleted patient's document is no longer rebuilt by a later DOTS event."""
        await self.session.execute(
            update(LinkedPatient).where(LinkedPatient.patient_id == patient_id).values(document=None)
        )

    async def index_patients(self, patient_ids: Sequence[str]) -> list[IndexPatient]:
        """The known patients among the ids, in the order given."""
        if not patient_ids:
            return []
        rows = await self.session.execute(select(LinkedPatient).where(LinkedPatient.patient_id.in_(patient_ids)))
        found = {row.patient_id: row for row in rows.scalars()}
        return [
            IndexPatient(id, found[id].registration_no, found[id].name, found[id].district)
            for id in patient_ids
            if id in found and found[id].version > 0
        ]

    async def save_plan(self, plan_id: str, patient_id: str, version: int, facts: PlanFacts) -> bool:
        """Keeps a DOTS plan unless the same or a newer version is kept; True when kept."""
        values = {"plan_id": plan_id, "patient_id": patient_id, "version": version, **vars(facts)}
        statement = insert(DotsPlan).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[DotsPlan.plan_id], set_=values, where=DotsPlan.version < statement.excluded.version
        ).returning(DotsPlan.plan_id)
        return (await self.session.execute(statement)).first() is not None

    async def plans_of(self, patient_id: str) -> list[PlanFacts]:
        """A patient's DOTS plans, latest start first."""
        query = select(DotsPlan).where(DotsPlan.patient_id == patient_id).order_by(DotsPlan.starts_on.desc())
        return [
            PlanFacts(plan.starts_on, plan.ends_on, plan.dots_type, plan.dots_type_label, plan.intensity)
            for plan in (await self.session.execute(query)).scalars()
        ]

    async def set_dots_due(self, patient_id: str, due_on: date | None, revision: int) -> bool:
        """Keeps the next 服薬確認 due from a newer revision of the patient's deadlines; True when kept."""
        await self.session.execute(insert(LinkedPatient).values(patient_id=patient_id).on_conflict_do_nothing())
        statement = (
            update(LinkedPatient)
            .where(LinkedPatient.patient_id == patient_id, LinkedPatient.dots_revision < revision)
            .values(dots_due_on=due_on, dots_revision=revision)
            .returning(LinkedPatient.patient_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def save_contact(self, contact_id: str, version: int, index_ids: list[str], document: dict[str, Any]) -> None:
        """Keeps a contact's own document and its index patients (the row stays locked until the commit)."""
        values = {"contact_id": contact_id, "version": version, "index_patient_ids": index_ids, "document": document}
        statement = insert(LinkedContact).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[LinkedContact.contact_id], set_=values)
        )

    async def contacts_of(self, patient_id: str) -> list[LinkedContact]:
        """The contacts of an index patient, locked so that their own events wait for the rebuild."""
        query = (
            select(LinkedContact)
            .where(LinkedContact.index_patient_ids.contains([patient_id]))
            .order_by(LinkedContact.contact_id)
            .with_for_update()
        )
        return list((await self.session.execute(query)).scalars())

    async def forget_contact(self, contact_id: str) -> None:
        """Removes a deleted contact's links."""
        await self.session.execute(delete(LinkedContact).where(LinkedContact.contact_id == contact_id))
