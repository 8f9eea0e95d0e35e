"""Every query of the contact module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from tbms_core.repository import Repository

from contacts.contact.errors import ContactNotFound
from contacts.contact.models import Contact, ContactLink


class ContactRepository(Repository[Contact]):
    """Reads and writes contacts and their exposures in the caller's unit of work."""

    model = Contact
    not_found = ContactNotFound

    async def page(self, *, index_patient_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Contact], int]:
        """Contacts (of one index patient when given), earliest listed first, and how many there are."""
        query = select(Contact)
        if index_patient_id is not None:
            linked = select(ContactLink.contact_id).where(ContactLink.index_patient_id == index_patient_id)
            query = query.where(Contact.id.in_(linked))
        rows = await self.session.scalars(
            query.order_by(Contact.found_on, Contact.name_kana, Contact.id).limit(limit).offset(offset)
        )
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        return list(rows), int(total or 0)
