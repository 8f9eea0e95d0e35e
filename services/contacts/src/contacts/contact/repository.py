"""Every query of the contact module; never commits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from tbms_core.repository import Repository

from contacts.contact.errors import ContactNotFound
from contacts.contact.models import Contact, ContactLink
from contacts.contact.schemas import ContactFilter, ContactSort, DueFilter
from contacts.index_case.models import IndexCase

WEEK = 6  # "due this week": today and the 6 days after it


class ContactRepository(Repository[Contact]):
    """Reads and writes contacts and their exposures in the caller's unit of work."""

    model = Contact
    not_found = ContactNotFound

    async def keep_derived(self, contact_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Writes the derived columns (not a change of the contact: no new version)."""
        await self.session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def page(self, criteria: ContactFilter, *, today: date, limit: int, offset: int) -> tuple[list[Contact], int]:
        """The contacts the conditions select, in the chosen order, and how many there are."""
        query = select(Contact).where(*conditions(criteria, today))
        rows = await self.session.scalars(query.order_by(*ORDERS[criteria.sort]).limit(limit).offset(offset))
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        return list(rows), int(total or 0)

    async def all(self, criteria: ContactFilter, *, today: date, limit: int) -> list[Contact]:
        """Every selected contact in order, at most `limit` (the export asks for one more than it may hold)."""
        query = select(Contact).where(*conditions(criteria, today)).order_by(*ORDERS[criteria.sort]).limit(limit)
        return list(await self.session.scalars(query))

    async def counts(self, index_patient_id: uuid.UUID, *, today: date) -> tuple[int, int, int]:
        """How many contacts the index patient has, how many are still followed and how many are overdue."""
        linked = select(ContactLink.contact_id).where(ContactLink.index_patient_id == index_patient_id)
        active = Contact.status == "active"
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.count().filter(active),
                    func.count().filter(active, Contact.next_due_on < today),
                ).where(Contact.id.in_(linked))
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])

    async def like(self, *, birth_date: date | None, phone_digits: str, limit: int) -> list[Contact]:
        """Contacts born the same day or with the same phone number: the candidates of the duplicate check."""
        either = []
        if birth_date is not None:
            either.append(Contact.birth_date == birth_date)
        if phone_digits:
            either.append(Contact.phone_digits == phone_digits)
        if not either:
            return []
        query = select(Contact).where(or_(*either)).order_by(Contact.name_kana, Contact.id).limit(limit)
        return list(await self.session.scalars(query))


def conditions(criteria: ContactFilter, today: date) -> list[Any]:
    """The WHERE of the screening list; the exposure conditions hold for one and the same exposure."""
    where: list[Any] = []
    if criteria.status:
        where.append(Contact.status == criteria.status)
    if criteria.priority:
        where.append(Contact.priority == criteria.priority)
    if criteria.due == DueFilter.OVERDUE:
        where.append(Contact.next_due_on < today)
    elif criteria.due == DueFilter.WEEK:
        where.append(Contact.next_due_on.between(today, today + timedelta(days=WEEK)))
    elif criteria.due == DueFilter.NO_RESULT:
        where += [Contact.status == "active", Contact.has_result.is_(False)]
    link: list[Any] = []
    if criteria.index_patient_id:
        link.append(ContactLink.index_patient_id == criteria.index_patient_id)
    if criteria.setting:
        link.append(ContactLink.setting == criteria.setting)
    if criteria.district:
        district = select(IndexCase.patient_id).where(IndexCase.district == criteria.district)
        link.append(ContactLink.index_patient_id.in_(district))
    if link:
        where.append(exists().where(ContactLink.contact_id == Contact.id, *link))
    return where


ORDERS: dict[ContactSort, tuple[Any, ...]] = {
    ContactSort.FOUND: (Contact.found_on, Contact.name_kana, Contact.id),
    ContactSort.DUE: (Contact.next_due_on.asc().nulls_last(), Contact.name_kana, Contact.id),
    ContactSort.NAME: (Contact.name_kana, Contact.id),
}
