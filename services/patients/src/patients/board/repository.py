"""Every query of the 診査会 module; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.db import apply_snapshot, utcnow
from tbms_core.repository import RecordIndex, Repository

from patients.board.errors import BoardCaseNotFound, BoardSessionNotFound, MeasureNotFound, PatientCardNotFound
from patients.board.models import (
    BoardCase,
    BoardSession,
    Measure,
    NumberCounter,
    PatientCard,
    PayerNumber,
    RecipientNumber,
)
from patients.patient.models import Patient


class SessionRepository(Repository[BoardSession]):
    """Sessions of the 協議会."""

    model = BoardSession
    not_found = BoardSessionNotFound

    async def listing(self, limit: int = 100) -> list[tuple[BoardSession, int]]:
        """Sessions newest first, each with the number of its cases."""
        counts = select(BoardCase.session_id, func.count().label("n")).group_by(BoardCase.session_id).subquery()
        rows = await self.session.execute(
            select(BoardSession, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.session_id == BoardSession.id)
            .order_by(BoardSession.held_at.desc())
            .limit(limit)
        )
        return [(s, n) for s, n in rows.all()]


class CaseRepository(Repository[BoardCase]):
    """Cases and their decisions."""

    model = BoardCase
    not_found = BoardCaseNotFound

    async def of_session(self, session_id: uuid.UUID) -> list[BoardCase]:
        """A session's cases in agenda order."""
        rows = await self.session.scalars(
            select(BoardCase)
            .where(BoardCase.session_id == session_id)
            .order_by(BoardCase.position, BoardCase.created_at)
        )
        return list(rows)

    async def of_patient(self, patient_id: uuid.UUID) -> list[BoardCase]:
        """A patient's cases, newest receipt first."""
        rows = await self.session.scalars(
            select(BoardCase)
            .where(BoardCase.patient_id == patient_id)
            .order_by(BoardCase.received_on.desc(), BoardCase.created_at.desc())
        )
        return list(rows)

    async def next_position(self, session_id: uuid.UUID) -> int:
        """The place after the last case on a session's agenda."""
        last = await self.session.scalar(
            select(func.coalesce(func.max(BoardCase.position), 0)).where(BoardCase.session_id == session_id)
        )
        return int(last or 0) + 1

    async def open_cases(self) -> list[BoardCase]:
        """Cases not decided for good: undecided, deferred, or granted and not yet notified."""
        rows = await self.session.scalars(
            select(BoardCase)
            .where(
                (BoardCase.decision.in_(("", "deferred")))
                | (BoardCase.decision.in_(("approved", "conditional", "refused")) & BoardCase.notified_on.is_(None))
            )
            .order_by(BoardCase.received_on)
        )
        return list(rows)

    async def granted_without_card(self) -> list[BoardCase]:
        """Granted cases with a 受給者番号 and no 患者票 yet."""
        cards = select(PatientCard.case_id)
        rows = await self.session.scalars(
            select(BoardCase)
            .where(BoardCase.decision.in_(("approved", "conditional")), BoardCase.recipient_number != "")
            .where(BoardCase.id.not_in(cards))
            .order_by(BoardCase.decided_on)
        )
        return list(rows)

    async def latest_cover_end(
        self, patient_id: uuid.UUID, basis_kinds: tuple[str, ...], before: uuid.UUID
    ) -> date | None:
        """The end of the patient's latest granted cover of these kinds, other than the case itself."""
        return await self.session.scalar(
            select(func.max(BoardCase.valid_to)).where(
                BoardCase.patient_id == patient_id,
                BoardCase.kind.in_(basis_kinds),
                BoardCase.decision.in_(("approved", "conditional")),
                BoardCase.id != before,
            )
        )


class NumberRepository(Repository[RecipientNumber]):
    """The 受給者番号 issued, and the counter that hands out the next serial."""

    model = RecipientNumber

    async def next_serial(self) -> int:
        """The next serial: the counter row stays locked until the transaction ends, so two approvals at once wait
        for each other, and a rolled-back approval gives its serial back (no gap, no duplicate)."""
        serial = await self.session.scalar(
            update(NumberCounter)
            .where(NumberCounter.id == 1)
            .values(last_serial=NumberCounter.last_serial + 1)
            .returning(NumberCounter.last_serial)
        )
        return int(serial or 0)

    async def of_case(self, case_id: uuid.UUID) -> list[RecipientNumber]:
        """Numbers issued on a case (one, or none)."""
        return list(await self.session.scalars(select(RecipientNumber).where(RecipientNumber.case_id == case_id)))

    async def audit_list(self) -> list[tuple[RecipientNumber, str, str]]:
        """Every number ever issued, voided ones included, by serial, with the patient's 登録番号 and name."""
        rows = await self.session.execute(
            select(RecipientNumber, Patient.registration_no, Patient.name)
            .join(Patient, Patient.id == RecipientNumber.patient_id)
            .order_by(RecipientNumber.serial)
        )
        return [(n, no, name) for n, no, name in rows.all()]

    async def last_serial(self) -> int:
        """The counter's value: the audit list must run 1…this without a gap."""
        return int(
            await self.session.scalar(text("SELECT last_serial FROM recipient_number_counter WHERE id = 1")) or 0
        )


class CardRepository(Repository[PatientCard]):
    """患者票."""

    model = PatientCard
    not_found = PatientCardNotFound

    async def of_patient(self, patient_id: uuid.UUID) -> list[PatientCard]:
        """A patient's 患者票, newest first."""
        rows = await self.session.scalars(
            select(PatientCard).where(PatientCard.patient_id == patient_id).order_by(PatientCard.valid_from.desc())
        )
        return list(rows)

    async def of_case(self, case_id: uuid.UUID) -> list[PatientCard]:
        """The 患者票 issued on a case."""
        return list(await self.session.scalars(select(PatientCard).where(PatientCard.case_id == case_id)))

    async def expiring(self, until: date) -> list[PatientCard]:
        """Issued 患者票 whose validity ends by a day."""
        rows = await self.session.scalars(
            select(PatientCard)
            .where(PatientCard.status == "issued", PatientCard.valid_to <= until)
            .order_by(PatientCard.valid_to)
        )
        return list(rows)


class MeasureRepository(Repository[Measure]):
    """勧告 and notices."""

    model = Measure
    not_found = MeasureNotFound

    async def of_patient(self, patient_id: uuid.UUID) -> list[Measure]:
        """A patient's measures, newest first."""
        rows = await self.session.scalars(
            select(Measure)
            .where(Measure.patient_id == patient_id)
            .order_by(Measure.starts_on.desc(), Measure.created_at.desc())
        )
        return list(rows)

    async def ending(self, until: date) -> list[Measure]:
        """Measures still in force whose period ends by a day."""
        rows = await self.session.scalars(
            select(Measure)
            .where(Measure.ended_on.is_(None), Measure.ends_on.is_not(None), Measure.ends_on <= until)
            .order_by(Measure.ends_on)
        )
        return list(rows)


class BoardRecordIndex(RecordIndex):
    """Every record BoardRecordSaved carries, of the four tables, in id order with its kind."""

    tables: ClassVar[Mapping[str, type[Any]]] = {
        "session": BoardSession,
        "case": BoardCase,
        "card": PatientCard,
        "measure": Measure,
    }


class PatientLookup:
    """The patients the 診査会 pages name, read in one query."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def summaries(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, Patient]:
        """Patients by id."""
        if not ids:
            return {}
        rows = await self.session.scalars(select(Patient).where(Patient.id.in_(ids)))
        return {p.id: p for p in rows}


class PayerNumberRepository:
    """masters' 公費負担者番号 as patients keeps them (a read model of MasterChanged)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, code: str, values: dict[str, object], version: int) -> bool:
        """Stores one number unless a newer or equal version is held; True when it was applied."""
        changed = values | {"version": version, "applied_at": utcnow()}
        return await apply_snapshot(self.session, PayerNumber, {"code": code}, changed)

    async def in_force(self, law: str, day: date) -> list[PayerNumber]:
        """The numbers of one 法別番号 valid on `day`."""
        query = (
            select(PayerNumber)
            .where(PayerNumber.law == law, PayerNumber.valid_from <= day)
            .where(or_(PayerNumber.valid_to.is_(None), PayerNumber.valid_to >= day))
            .order_by(PayerNumber.code)
        )
        return list(await self.session.scalars(query))
