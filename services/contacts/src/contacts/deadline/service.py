"""The contact's deadlines, in the form the patients service publishes them (tbms_contracts.deadlines), recomputed
after every unit of work that wrote the contact, an exposure or an examination, and once a Japan day (R17):
each open item of the screening plan (due after the last contact as the settings say; `danger` once overdue) and
each examination done whose result is still missing, and each 17条 勧告 in force (not cancelled) whose exams were
not yet done, due on its 受診期限. A request to or from another health centre publishes its reply-by date the same
way while the reply is awaited (ours sent) or owed (theirs received)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.deadlines import Deadline, DeadlineRecord
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import Database
from tbms_core.deadlines import Computed, DeadlinePublisher, SweepCount
from tbms_core.jp.wareki import format_wareki

from contacts.contact.models import Contact
from contacts.contact.schemas import ContactRead
from contacts.contact.service import ContactService
from contacts.deadline.repository import (
    AGGREGATE,
    REQUEST_AGGREGATE,
    ContactDeadlineRepository,
    RequestDeadlineRepository,
)
from contacts.request.models import MunicipalRequest
from contacts.request.schemas import DIRECTION_LABELS
from contacts.settings import get_settings

# The plan is read on the publisher's behalf: no user, no access check, no audit (nothing is shown to anyone).
PUBLISHER_PRINCIPAL = Principal(user_id="deadlines", username="deadlines", display_name="期限の再計算")
RECOMMENDATION_RULE = "感染症法第17条の勧告で定めた受診期限（{issued}の勧告）までに、勧告した健診を受けたか確かめる"
RESULT_RULE = "実施した健診の結果を{days}日以内に入力する（保健所の設定 TBMS_CONTACTS_SCREENING_RESULT_DAYS、既定14日）"


def contact_of(instance: object) -> object | None:
    """The contact a written row belongs to: the contact itself, or the `contact_id` of an exposure, exam …"""
    if isinstance(instance, Contact):
        return instance.id
    return getattr(instance, "contact_id", None)


def deadlines_of(read: ContactRead, record: DeadlineRecord, owner: tuple[str, str], result_days: int) -> list[Deadline]:
    """The open plan items and the results missing of one contact, for its nurse (the contact's own, else the index
    patient's) and the index patient's district."""
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
    for rec in read.recommendations:
        if rec.status != "issued" or not missing_exams(read, rec.exams, rec.issued_on):
            continue
        late = rec.deadline_on < today()
        found.append(
            Deadline(
                key=f"contacts:contact:{read.id}:recommendation:{rec.id}",
                kind="recommendation_deadline",
                rule=RECOMMENDATION_RULE.format(issued=format_wareki(rec.issued_on)),
                what=f"勧告した健診（{'、'.join(rec.exam_labels)}）の受診を確認する"
                + ("（受診期限を過ぎています）" if late else ""),
                due_on=rec.deadline_on,
                severity="danger" if late else "warning",
                nurse=nurse,
                team=team,
                record=record,
            )
        )
    return found


def missing_exams(read: ContactRead, kinds: Sequence[str], since: date) -> list[str]:
    """The exam kinds of a 勧告 not yet done on or after the day it was issued (a QFT counts for a T-SPOT)."""
    family = get_settings().exam_rules  # each kind's rule (igra, tst, xray …): a QFT and a T-SPOT are both IGRA
    done = {family.get(e.kind, e.kind) for e in read.exams if e.status == "done" and e.done_on and e.done_on >= since}
    return [kind for kind in kinds if family.get(kind, kind) not in done]


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
        team, nurse = owners.get(first, ("", "")) if first else ("", "")
        owner = (team, contact.nurse or nurse)  # the contact's own 担当保健師 first
        found[str(contact.id)] = Computed(record, deadlines_of(read, record, owner, days))
    return found


async def candidates(session: AsyncSession, day: date, limit: int) -> list[str]:
    """The contacts the sweep of `day` still has to compute."""
    return await ContactDeadlineRepository(session).not_computed_on(day, limit)


PUBLISHER = DeadlinePublisher("contacts", AGGREGATE, record_of=contact_of, compute=compute, candidates=candidates)


def request_of(instance: object) -> object | None:
    """The request a written row is (its status and reply-by date are all its deadline depends on)."""
    return instance.id if isinstance(instance, MunicipalRequest) else None


def request_deadlines(
    request: MunicipalRequest, record: DeadlineRecord, owner: tuple[str, str], day: date
) -> list[Deadline]:
    """The reply awaited (ours sent, not yet answered) or owed (theirs received), by the request's reply-by date,
    for the index patient's district and nurse; `danger` once the date has passed."""
    if request.reply_by is None:
        return []
    due, asked = format_wareki(request.reply_by), format_wareki(request.requested_on)
    if request.direction == "outgoing" and request.status in ("sent", "awaiting"):
        kind, what = "request_reply", f"{request.counterpart_name}からの回答を確認する（回答期限 {due}）"
        rule = f"{request.counterpart_name}へ依頼した接触者健診の回答期限（依頼日 {asked}）"
    elif request.direction == "incoming" and request.status == "received":
        kind, what = "request_answer", f"{request.counterpart_name}へ接触者健診の結果を回答する（回答期限 {due}）"
        rule = f"{request.counterpart_name}から依頼された接触者健診の回答期限（受付 {asked}）"
    else:
        return []
    team, nurse = owner
    late = request.reply_by < day
    return [
        Deadline(
            key=f"contacts:request:{request.id}:{kind}",
            kind=kind,
            rule=rule + (f"・文書番号 {request.reference}" if request.reference else ""),
            what=what + ("（期限を過ぎています）" if late else ""),
            due_on=request.reply_by,
            severity="danger" if late else "warning",
            nurse=nurse,
            team=team,
            record=record,
        )
    ]


async def compute_requests(session: AsyncSession, ids: Sequence[str]) -> Mapping[str, Computed]:
    """Each request's reply-by deadline on Japan's today."""
    requests = await RequestDeadlineRepository(session).requests(ids)
    owners = await ContactDeadlineRepository(session).owners({r.index_patient_id for r in requests})
    day = today()
    found = {}
    for request in requests:
        label = f"{DIRECTION_LABELS.get(request.direction, '')} {request.counterpart_name}".strip()
        record = DeadlineRecord(service="contacts", aggregate=REQUEST_AGGREGATE, id=str(request.id), label=label)
        owner = owners.get(request.index_patient_id, ("", ""))
        found[str(request.id)] = Computed(record, request_deadlines(request, record, owner, day))
    return found


async def request_candidates(session: AsyncSession, day: date, limit: int) -> list[str]:
    """The requests the sweep of `day` still has to compute."""
    return await RequestDeadlineRepository(session).not_computed_on(day, limit)


REQUEST_PUBLISHER = DeadlinePublisher(
    "contacts", REQUEST_AGGREGATE, record_of=request_of, compute=compute_requests, candidates=request_candidates
)
PUBLISHERS = (PUBLISHER, REQUEST_PUBLISHER)


async def touch_contacts_of(session: AsyncSession, patient_id: uuid.UUID) -> None:
    """An index patient's district or nurse may have changed: their contacts' and requests' deadlines are
    recomputed."""
    PUBLISHER.touch(session, await ContactDeadlineRepository(session).of_index(patient_id))
    REQUEST_PUBLISHER.touch(session, await RequestDeadlineRepository(session).of_index(patient_id))


class DeadlineSweepService:
    """Runs the daily sweep now (an administrator's or an operator's button, or after a changed setting)."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self.db, self.principal = db, principal

    async def sweep(self, *, everything: bool = False) -> SweepCount:
        """Recomputes the contacts not yet computed on Japan's today (every one, `everything`); republishes
        those whose deadlines changed."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        counts = [await publisher.sweep(self.db, everything=everything) for publisher in PUBLISHERS]
        return SweepCount(sum(c.checked for c in counts), sum(c.republished for c in counts))
