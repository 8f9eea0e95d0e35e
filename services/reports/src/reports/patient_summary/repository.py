"""Every query of the patient read model; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientSnapshot
from tbms_core.db import utcnow

from reports.patient_summary.models import PatientSummary

# the registration card's items kept in `card` besides the columns, for the forms (F03 prints most of them)
CARD_FIELDS = (
    "alias",
    "occupation",
    "birth_country",
    "nationality",
    "guardian",
    "notification",
    "disease",
    "clinical",
    "gakkai",
    "classification_code",
    "classification",
    "exclusion_reason",
)


class PatientSummaryRepository:
    """Reads and upserts patient summaries in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: PatientSnapshot, version: int) -> bool:
        """Stores a snapshot unless a newer or equal version is held; True when it was applied."""
        columns = PatientSummary.__table__.columns.keys()
        # fields a newer contract adds are ignored until the read model has a column for them
        values = {k: v for k, v in snapshot.model_dump().items() if k in columns and k not in ("id", "version")}
        values |= {
            "version": version,
            "card": snapshot.model_dump(mode="json", include=set(CARD_FIELDS)),
            "source_updated_at": snapshot.updated_at,
            "applied_at": utcnow(),
        }
        statement = insert(PatientSummary).values(id=uuid.UUID(snapshot.id), **values)
        statement = statement.on_conflict_do_update(
            index_elements=[PatientSummary.id],
            set_={name: statement.excluded[name] for name in values},
            where=PatientSummary.version < statement.excluded.version,
        ).returning(PatientSummary.id)
        applied = (await self.session.execute(statement)).first() is not None
        self.session.expire_all()
        return applied

    async def find(self, patient_id: uuid.UUID) -> PatientSummary | None:
        """The patient as last applied, or None when no event about them has arrived yet."""
        return await self.session.get(PatientSummary, patient_id)
