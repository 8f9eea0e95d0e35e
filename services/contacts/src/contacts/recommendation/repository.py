"""Every query of the 勧告 module; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from tbms_core.repository import Repository

from contacts.recommendation.errors import RecommendationNotFound
from contacts.recommendation.models import Recommendation


class RecommendationRepository(Repository[Recommendation]):
    """Reads and writes 勧告 in the caller's unit of work."""

    model = Recommendation
    not_found = RecommendationNotFound

    async def of_contacts(self, contact_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Recommendation]]:
        """The 勧告 of each contact, oldest first."""
        rows = await self.session.scalars(
            select(Recommendation)
            .where(Recommendation.contact_id.in_(contact_ids))
            .order_by(Recommendation.issued_on, Recommendation.created_at, Recommendation.id)
        )
        found: dict[uuid.UUID, list[Recommendation]] = defaultdict(list)
        for row in rows:
            found[row.contact_id].append(row)
        return found

    async def of_contact(self, contact_id: uuid.UUID, recommendation_id: uuid.UUID) -> Recommendation:
        """One 勧告 of the contact, or RecommendationNotFound."""
        found = await self.find(recommendation_id)
        if found is None or found.contact_id != contact_id:
            raise RecommendationNotFound()
        return found
