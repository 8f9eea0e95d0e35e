"""Every query of the group module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from tbms_core.repository import Repository

from contacts.contact.models import Contact
from contacts.group.errors import GroupNotFound, ImportNotFound
from contacts.group.models import ContactGroup, GroupImport, GroupMember


class GroupRepository(Repository[ContactGroup]):
    """Reads and writes groups in the caller's unit of work."""

    model = ContactGroup
    not_found = GroupNotFound

    async def of_index(self, index_patient_id: uuid.UUID) -> list[ContactGroup]:
        """The groups of an index patient, oldest first."""
        rows = await self.session.scalars(
            select(ContactGroup)
            .where(ContactGroup.index_patient_id == index_patient_id)
            .order_by(ContactGroup.created_at, ContactGroup.id)
        )
        return list(rows)

    async def of_member(self, contact_id: uuid.UUID) -> list[ContactGroup]:
        """The groups a contact is a member of, oldest first."""
        rows = await self.session.scalars(
            select(ContactGroup)
            .join(GroupMember, GroupMember.group_id == ContactGroup.id)
            .where(GroupMember.contact_id == contact_id)
            .order_by(ContactGroup.created_at, ContactGroup.id)
        )
        return list(rows)

    async def contacts(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, Contact]:
        """The member contacts by id."""
        if not ids:
            return {}
        return {c.id: c for c in await self.session.scalars(select(Contact).where(Contact.id.in_(ids)))}

    async def import_of(self, group_id: uuid.UUID, import_id: uuid.UUID) -> GroupImport:
        """One import of the group, or ImportNotFound."""
        found = await self.session.get(GroupImport, import_id)
        if found is None or found.group_id != group_id:
            raise ImportNotFound()
        return found
