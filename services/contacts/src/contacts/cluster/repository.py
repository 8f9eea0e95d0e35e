"""The queries of the transmission picture; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from tbms_core.repository import Repository

from contacts.contact.models import Contact, ContactLink
from contacts.index_case.models import IndexCase


class ClusterRepository(Repository[IndexCase]):
    """Reads index cases and their contacts for the cluster picture."""

    model = IndexCase

    async def contacts_of(self, index_ids: Collection[uuid.UUID]) -> list[tuple[uuid.UUID, Contact]]:
        """(index patient id, contact) of every exposure to these index patients, in registration order."""
        if not index_ids:
            return []
        rows = await self.session.execute(
            select(ContactLink.index_patient_id, Contact)
            .join(Contact, Contact.id == ContactLink.contact_id)
            .where(ContactLink.index_patient_id.in_(index_ids))
            .order_by(Contact.found_on, Contact.name_kana, Contact.id)
        )
        return [(index_id, contact) for index_id, contact in rows.tuples()]

    async def patients_born(self, days: Collection[date]) -> list[IndexCase]:
        """Registered patients born on any of these days (the candidates a contact who fell ill became)."""
        if not days:
            return []
        rows = await self.session.scalars(
            select(IndexCase).where(IndexCase.birth_date.in_(days), IndexCase.external_from == "")
        )
        return list(rows)

    async def patients(self, ids: Collection[uuid.UUID]) -> list[IndexCase]:
        """The registered patients of these ids (the patients contacts were linked to at registration or hand-over)."""
        if not ids:
            return []
        return list(await self.session.scalars(select(IndexCase).where(IndexCase.patient_id.in_(ids))))
