"""The retention rule (N17): lists the registration records whose retention period after 登録除外 has ended, and
deletes them from the live system on an administrator's command (never by itself), with a deletion record, an
audit entry and PatientRecordDeleted so every other service deletes its copies. Backups keep them until those
generations expire (`tbms backup`'s pruning)."""

from __future__ import annotations

import asyncio
import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core import audit, clock, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import Database
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope

from patients.retention.config import LEGAL_YEARS, RetentionRule
from patients.retention.models import RetentionDeletion
from patients.retention.repository import RetentionRepository
from patients.retention.schemas import DeletionRead, DeletionRequest, DueList, DueRead, RetentionRuleRead
from patients.settings import get_settings

SERVICE = "patients"
log = logging.getLogger(__name__)


def rule() -> RetentionRule:
    """The rule of the settings (`TBMS_PATIENTS_RETENTION_YEARS`)."""
    return RetentionRule(get_settings().retention_years)


def rule_read(current: RetentionRule) -> RetentionRuleRead:
    """The rule as screens show it."""
    return RetentionRuleRead(years=current.years, legal_years=LEGAL_YEARS, basis=current.basis, confirmed=True)


async def due_list(session: AsyncSession, current: RetentionRule) -> DueList:
    """The records due for deletion on Japan's today."""
    today = clock.today()
    patients = await RetentionRepository(session).excluded_before(current.candidates_before(today))
    due = [
        DueRead(
            patient_id=p.id,
            registration_no=p.registration_no,
            excluded_on=p.excluded_on,
            exclusion_reason=p.exclusion_reason,
            expires_on=current.expires_on(p.excluded_on),
        )
        for p in patients
        if p.excluded_on is not None and current.is_due(p.excluded_on, today)
    ]
    return DueList(today=today, rule=rule_read(current), due=due)


class RetentionService:
    """The due list (a dry run) and the deletion, for 監査 (AUDIT) users."""

    def __init__(self, session: AsyncSession, principal: Principal, current: RetentionRule | None = None) -> None:
        self.session, self.principal = session, principal
        self.rule = current or rule()
        self.repository = RetentionRepository(session)

    def settings(self) -> RetentionRuleRead:
        """The setting and its basis."""
        self.principal.require(Area.AUDIT, Access.READ)
        return rule_read(self.rule)

    async def due(self) -> DueList:
        """What a deletion would delete today; nothing is changed."""
        self.principal.require(Area.AUDIT, Access.READ)
        return await due_list(self.session, self.rule)

    async def deletions(self) -> list[DeletionRead]:
        """The deletion records, newest first."""
        self.principal.require(Area.AUDIT, Access.READ)
        return [DeletionRead.model_validate(d) for d in await self.repository.deletions()]

    async def delete(self, request: DeletionRequest) -> list[DeletionRead]:
        """Deletes the records asked for, every one of which must be due today; refuses all otherwise."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        reason = request.reason.strip()
        if not reason:
            raise InvalidInput(errors={"reason": "削除の理由を入力してください。"})
        today = clock.today()
        wanted = list(dict.fromkeys(request.patient_ids))
        patients = {p.id: p for p in await self.repository.patients(wanted)}
        not_due = [
            str(i)
            for i in wanted
            if (p := patients.get(i)) is None
            or p.status != "excluded"
            or p.excluded_on is None
            or not self.rule.is_due(p.excluded_on, today)
        ]
        if not_due:
            message = f"保存期間が満了していない、または見つからない登録があります（{len(not_due)}件）。"
            raise InvalidInput(
                message + "削除対象の一覧を開き直してください。何も削除していません。",
                errors={"patient_ids": message},
            )
        done = []
        for patient_id in wanted:
            patient = patients[patient_id]
            excluded_on, registration_no, version = patient.excluded_on, patient.registration_no, patient.version
            assert excluded_on is not None
            self.session.expunge(patient)  # the rows go by SQL; the unit of work must not flush it again
            rows = await self.repository.delete_patient(patient_id)
            deletion = RetentionDeletion(
                id=uuid.uuid4(),
                patient_id=patient_id,
                registration_no=registration_no,
                excluded_on=excluded_on,
                deleted_on=today,
                deleted_by=self.principal.user_id,
                deleted_by_name=self.principal.display_name or self.principal.username,
                reason=reason,
                retention_years=self.rule.years,
                rows_deleted=rows,
            )
            self.repository.add(deletion)
            event = PatientRecordDeleted(
                patient_id=str(patient_id),
                registration_no=registration_no,
                excluded_on=excluded_on,
                deleted_on=today,
                deletion_id=str(deletion.id),
            )
            # one version past the last snapshot: a copy kept by version (search's ledger) takes it as the newest
            envelope = Envelope.of(event, aggregate_id=patient_id, version=version + 1, actor=self.principal.user_id)
            await outbox.add(self.session, envelope)
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.DELETE,
                record_type="patient",
                record_id=patient_id,
                person_id=patient_id,
                detail=f"保存期間満了による削除（登録番号 {registration_no}）: {reason}",
            )
            await self.session.flush()
            done.append(DeletionRead.model_validate(deletion))
        return done


async def run_daily(db: Database, every_seconds: float) -> None:
    """Looks at the due list once a Japan day and logs how many records are due (nothing is deleted)."""
    looked_on = None
    while True:
        try:
            if looked_on != clock.today():
                async with db.session() as session:
                    listed = await due_list(session, rule())
                looked_on = listed.today
                if listed.due:
                    log.warning("retention: %d registration records are due for deletion", len(listed.due))
        except Exception:  # keep sweeping on the next turn
            log.exception("retention: the due list could not be read")
        await asyncio.sleep(every_seconds)
