"""The contact's deadlines, in the form the patients service publishes them (tbms_contracts.deadlines), recomputed
after every unit of work that wrote the contact, an exposure or an examination, and once a Japan day (R17):
each open item of the screening plan (due after the last contact as the settings say; `danger` once overdue) and
each examination done whose result is still missing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.deadlines import Deadline, DeadlineRecord
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import Database
from tbms_core.deadlines import Computed, DeadlinePublisher, SweepCount
from tbms_core.jp.wareki import format_wareki

from contacts.contact.models import Contact
from contacts.contact.schemas import ContactRead
from contacts.contact.service import ContactService
from contacts.deadline.repository import AGGREGATE, ContactDeadlineRepository
from contacts.settings import get_settings

# The plan is read on the publisher's behalf: no user, no access check, no audit (nothing is shown to anyone).
PUBLISHER_PRINCIPAL = Principal(user_id="deadlines", username="deadlines", display_name="期限の再計算")
RESULT_RULE = "実施した健診の結果を{days}日以内に入力する（保健所の設定 TBMS_CONTACTS_SCREENING_RESULT_DAYS、既定14日）"


def contact_of(instance: object) -> object | None:
    """The contact a written row belongs to: the contact itself, or the `contact_id` of an exposure, exam …"""
    if isinstance(instance, Contact):
        return instance.id
    return getattr(instance, "contact_id", None)


def deadlines_of(read: ContactRead, record: DeadlineRecord, owner: tuple[str, str], result_days: int) -> list[Deadline]:
    """The open plan items and the results missing of one contact, for the index patient's nurse and district."""
    if read.status != "active":
        return []
    team, nurse = owner
    found = []
    for due in read.plan:
        if due.status not in ("due", "overdue"):
            continue
        late = due.status == "overdue"
        found.append(
            Deadline(
                key=f"contacts:contact:{read.id}:screening_{due.kind}:{due.step}",
                kind=f"screening_{due.kind}",
                rule=f"{due.why}（{due.basis}）",
                what=f"接触者健診の{due.label}を実施する" + ("（予定日を過ぎています）" if late else ""),
                due_on=due.due_on,
                severity="danger" if late else "warning",
                nurse=nurse,
                team=team,
                record=record,
            )
        )
    for exam in read.exams:
        if exam.status != "done" or exam.result or exam.done_on is None:
            continue
        label = exam.kind_label or exam.kind  # the コード表's label (read_models reads it)
        found.append(
            Deadline(
                key=f"contacts:contact:{read.id}:screening_result_missing:{exam.id}",
                kind="screening_result_missing",
                rule=RESULT_RULE.format(days=result_days),
                what=f"{label}（{format_wareki(exam.done_on)}実施）の結果を入力する",
                due_on=exam.done_on + timedelta(days=result_days),
                nurse=nurse,
                team=team,
                record=record,
            )
        )
    return found


async def compute(session: AsyncSession, ids: Sequence[str]) -> Mapping[str, Computed]:
    """Each contact's deadlines as the contact page's plan gives them on Japan's today."""
    repository = ContactDeadlineRepository(session)
    contacts = await repository.contacts(ids)
    reads = await ContactService(session, PUBLISHER_PRINCIPAL).read_models(contacts)
    owners = await repository.owners({link.index_patient_id for c in contacts for link in c.links})
    days = get_settings().screening_result_days
    found = {}
    for contact, read in zip(contacts, reads, strict=True):
        first = contact.links[0].index_patient_id if contact.links else None
        record = DeadlineRecord(service="contacts", aggregate=AGGREGATE, id=str(contact.id), label=contact.name)
        owner = owners.get(first, ("", "")) if first else ("", "")
        found[str(contact.id)] = Computed(record, deadlines_of(read, record, owner, days))
    return found


async def candidates(session: AsyncSession, day: date, limit: int) -> list[str]:
    """The contacts the sweep of `day` still has to compute."""
    return await ContactDeadlineRepository(session).not_computed_on(day, limit)


PUBLISHER = DeadlinePublisher("contacts", AGGREGATE, record_of=contact_of, compute=compute, candidates=candidates)


async def touch_contacts_of(session: AsyncSession, patient_id: uuid.UUID) -> None:
    """An index patient's district or nurse may have changed: their contacts' deadlines are recomputed."""
    PUBLISHER.touch(session, await ContactDeadlineRepository(session).of_index(patient_id))


class DeadlineSweepService:
    """Runs the daily sweep now (an administrator's or an operator's button, or after a changed setting)."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self.db, self.principal = db, principal

    async def sweep(self, *, everything: bool = False) -> SweepCount:
        """Recomputes the contacts not yet computed on Japan's today (every one, `everything`); republishes
        those whose deadlines changed."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        return await PUBLISHER.sweep(self.db, everything=everything)
