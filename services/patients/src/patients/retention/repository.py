"""Rows of the retention rule: patients excluded long enough ago, the deletion of everything of one patient, and
the deletion records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from patients.patient.models import Patient
from patients.retention.models import RetentionDeletion

# Every foreign key of the database as (child table, child column, parent table, parent column): the tables that
# hold records of a patient, found from the catalogue so a module added later is deleted with the rest.
_FOREIGN_KEYS = text(
    """
    SELECT c.conrelid::regclass::text AS child, a.attname AS child_column,
           c.confrelid::regclass::text AS parent, p.attname AS parent_column
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute p ON p.attrelid = c.confrelid AND p.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
    """
)
# Tables keyed by the person without a foreign key: the edit history, and published events carrying snapshots.
# published_deadlines stays: the deletion record touches the patient, so the deadline publisher finds no patient,
# publishes an empty DeadlinesChanged (workflow closes the to-dos) and keeps that empty list, with no name.
_BY_PERSON = (
    "DELETE FROM record_versions WHERE person_id = :id",
    "DELETE FROM outbox WHERE published_at IS NOT NULL AND payload->>'aggregate_id' = :text_id",
)


class RetentionRepository:
    """Reads and deletes for the retention rule."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def excluded_before(self, day: date) -> Sequence[Patient]:
        """Excluded patients whose 登録除外日 is on or before `day`, oldest exclusion first."""
        query = (
            select(Patient)
            .where(Patient.status == "excluded", Patient.excluded_on.is_not(None), Patient.excluded_on <= day)
            .order_by(Patient.excluded_on, Patient.registration_no)
        )
        return (await self.session.scalars(query)).all()

    async def patients(self, ids: Sequence[uuid.UUID]) -> Sequence[Patient]:
        """The patients of these ids, locked until the deletion commits."""
        query = select(Patient).where(Patient.id.in_(ids)).with_for_update()
        return (await self.session.scalars(query)).all()

    async def delete_patient(self, patient_id: uuid.UUID) -> int:
        """Deletes the patient and every row that refers to them (directly or through another row); returns how many
        rows went."""
        keys = [tuple(row) for row in (await self.session.execute(_FOREIGN_KEYS)).all()]
        count = 0
        for statement in _BY_PERSON:
            result = await self.session.execute(text(statement), {"id": patient_id, "text_id": str(patient_id)})
            count += result.rowcount  # type: ignore[attr-defined]
        return count + await self._delete(keys, "patients", "id = :id", {"id": patient_id}, depth=0)

    async def _delete(
        self, keys: list[tuple[str, str, str, str]], table: str, where: str, params: dict[str, object], depth: int
    ) -> int:
        if depth > 6:
            raise RuntimeError(f"foreign keys nest too deep under {table}")
        count = 0
        for child, child_column, parent, parent_column in keys:
            if parent != table or child == table:
                continue
            # names from the catalogue only; values are bound parameters
            child_where = f'"{child_column}" IN (SELECT "{parent_column}" FROM "{table}" WHERE {where})'  # noqa: S608
            count += await self._delete(keys, child, child_where, params, depth + 1)
        result = await self.session.execute(text(f'DELETE FROM "{table}" WHERE {where}'), params)  # noqa: S608
        return count + result.rowcount  # type: ignore[attr-defined]

    def add(self, deletion: RetentionDeletion) -> None:
        """Keeps a deletion record."""
        self.session.add(deletion)

    async def deletions(self, limit: int = 500) -> Sequence[RetentionDeletion]:
        """The deletion records, newest first."""
        query = select(RetentionDeletion).order_by(RetentionDeletion.deleted_at.desc()).limit(limit)
        return (await self.session.scalars(query)).all()
