"""The 診査会 in practice: sessions, cases and their decisions, 受給者番号 on approval, with access checks
(診査会・公費), edit history, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.patients import BoardRecordSaved, BoardRecordSnapshot, CareRecordSaved, VersionPage
from tbms_core import audit, outbox, read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import diff
from tbms_core.clock import today
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope

from patients.board import codes, payer_numbers, view
from patients.board.errors import RecipientNumberExhausted
from patients.board.models import BoardCase, BoardSession, RecipientNumber
from patients.board.repository import (
    BoardRecordIndex,
    CardRepository,
    CaseRepository,
    NumberRepository,
    PatientLookup,
    SessionRepository,
)
from patients.board.rules import BoardRules, recipient_number
from patients.board.schemas import (
    CaseCreate,
    CaseRead,
    CaseUpdate,
    Change,
    DecisionCreate,
    Notified,
    SessionCreate,
    SessionDetail,
    SessionRead,
    SessionUpdate,
    Withdrawal,
)
from patients.care.kinds import PUBLIC_EXPENSE
from patients.care.models import PublicExpense
from patients.care.repository import PublicExpenseRepository
from patients.care.service import checked
from patients.history.service import HistoryService
from patients.patient.repository import PatientRepository
from patients.settings import get_settings

SERVICE = "patients"
COVER_37_2 = ("37-2_new", "37-2_continuation", "37-2_change")


def board_rules() -> BoardRules:
    """The rules in force: the configured numbers, the official defaults for the rest."""
    settings = get_settings()
    return BoardRules(
        admission_days=settings.board_admission_days,
        extension_days=settings.board_extension_days,
        card_notice_days=settings.board_card_notice_days,
    )


class BoardBase:
    """What the 診査会 services share: the session, the user, history, events and audit."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.rules = board_rules()
        self.patients = PatientRepository(session)
        self.lookup = PatientLookup(session)
        self.edit_history = HistoryService(session, principal)

    def may_read(self) -> None:
        """Refuses users without 参照 in 診査会・公費."""
        self.principal.require(Area.REVIEW, Access.READ)

    def may_update(self) -> None:
        """Refuses users without 更新 in 診査会・公費."""
        self.principal.require(Area.REVIEW, Access.UPDATE)

    async def publish(self, kind: str, record: Any, *, created: bool, changed: list[str]) -> None:
        """Records BoardRecordSaved with the record's full state in the outbox."""
        event = BoardRecordSaved(board_record=view.snapshot(kind, record), created=created, changed_fields=changed)
        envelope = Envelope.of(event, aggregate_id=record.id, version=record.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def audited(self, kind: str, operation: Operation, record: Any) -> None:
        """Keeps who did what to which record (and whose)."""
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=f"board_{kind}",
            record_id=record.id,
            person_id=getattr(record, "patient_id", None),
        )

    async def changed(self, kind: str, record: Any, values: dict[str, Any], reason: str | None) -> list[str]:
        """Applies values to a versioned record, keeps the change in the history, publishes and audits it."""
        before = view.data(kind, record)
        changes = diff(before, {**before, **to_jsonable_python(values)})
        if not changes:
            return []
        for name, value in values.items():
            setattr(record, name, value)
        record.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await self.session.refresh(record)
        person = getattr(record, "patient_id", None)
        if person is not None:
            await self.edit_history.record_change(
                record_type=f"board_{kind}",
                record_id=record.id,
                person_id=person,
                version=record.version,
                changes=changes,
                reason=reason,
            )
        await self.publish(kind, record, created=False, changed=list(changes))
        await self.audited(kind, Operation.UPDATE, record)
        return list(changes)

    async def created(self, kind: str, record: Any) -> None:
        """Publishes and audits a new record."""
        await self.session.flush()
        await self.session.refresh(record)
        await self.publish(kind, record, created=True, changed=[])
        await self.audited(kind, Operation.CREATE, record)


def _values(schema: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.model_dump() if isinstance(v, BaseModel) else v) for k, v in checked(schema, data).items()}


class BoardService(BoardBase):
    """What the clerk and the 協議会 do with sessions, cases and decisions."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        super().__init__(session, principal)
        self.sessions = SessionRepository(session)
        self.cases = CaseRepository(session)
        self.numbers = NumberRepository(session)

    # ---- rebuilding reports' copy ----

    def _may_hand_out(self) -> None:
        """Every 診査会 record, for an administrator's rebuild of a read model elsewhere: 監査の更新 and 患者管理の参照,
        as for the patients and their test results."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[BoardRecordSnapshot]:
        """Every session's, case's, 患者票's and 勧告's current snapshot after `after` in id order, as its events
        carry it: what reports' 診査会 read model is rebuilt from (`tbms replay reports`). Changes nothing."""
        self._may_hand_out()
        page = await BoardRecordIndex(self.session).page_after(after, limit)
        found = [view.snapshot(kind, record) for kind, record in page]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "board-records", found, named=False)

    async def snapshots_of(self, record_ids: list[uuid.UUID]) -> list[BoardRecordSnapshot]:
        """The current snapshots of the records named that exist, in id order (`tbms reconcile` repairs drift)."""
        self._may_hand_out()
        named = await BoardRecordIndex(self.session).having(record_ids)
        found = [view.snapshot(kind, record) for kind, record in named]
        return await read_models.handed_out(self.session, self.principal, SERVICE, "board-records", found, named=True)

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every 診査会 record's id and current version after `after`, in id order; changes nothing."""
        self._may_hand_out()
        index = BoardRecordIndex(self.session).ids()
        return await read_models.version_page(self.session, index.c.id, index.c.version, after, limit)

    # ---- sessions ----

    async def open_session(self, data: SessionCreate) -> SessionRead:
        """Schedules a session of the 協議会."""
        self.may_update()
        values = to_jsonable_python(data.model_dump(exclude_unset=True), exclude_none=True)
        values["held_at"] = data.held_at
        row = BoardSession(**values, updated_by=self.principal.user_id)
        self.session.add(row)
        await self.created("session", row)
        return view.session_read(row)

    async def change_session(self, session_id: uuid.UUID, data: Change) -> SessionRead:
        """Saves attendance, agenda, minutes or status if nobody saved since the user's version."""
        self.may_update()
        row = await self.sessions.get(session_id)
        row.check_version(data.version)
        values = checked(SessionUpdate, data.changes)
        if "members" in values:
            values["members"] = to_jsonable_python(values["members"])
        await self.changed("session", row, {k: v for k, v in values.items() if v is not None}, data.reason)
        return view.session_read(row, len(await self.cases.of_session(row.id)))

    async def session_listing(self) -> list[SessionRead]:
        """Sessions, newest first, with how many cases each has."""
        self.may_read()
        return [view.session_read(row, n) for row, n in await self.sessions.listing()]

    async def session_detail(self, session_id: uuid.UUID) -> SessionDetail:
        """A session with its cases in agenda order, each with its patient and the rules' dates."""
        self.may_read()
        row = await self.sessions.get(session_id)
        cases = await self.cases.of_session(row.id)
        reads = await self.case_reads(cases)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="board_session", record_id=row.id
        )
        head = view.session_read(row, len(cases))
        return SessionDetail(**head.model_dump(), cases=reads, basis=self.rules.basis())

    # ---- cases ----

    async def case_reads(self, cases: list[BoardCase]) -> list[CaseRead]:
        """Cases as the pages read them."""
        patients = await self.lookup.summaries({c.patient_id for c in cases})
        day = today()
        reads = []
        for case in cases:
            current = None
            if case.kind == "37-2_continuation":
                current = await self.cases.latest_cover_end(case.patient_id, COVER_37_2, case.id)
            reads.append(view.case_read(case, patients.get(case.patient_id), day, self.rules, current))
        return reads

    async def case(self, case_id: uuid.UUID) -> CaseRead:
        """One case with its patient, due date and cover."""
        self.may_read()
        case = await self.cases.get(case_id)
        await self.audited("case", Operation.READ, case)
        return (await self.case_reads([case]))[0]

    async def open_case(self, data: CaseCreate) -> CaseRead:
        """Records an application or a 諮問 as a case, on a session's agenda when one is named."""
        self.may_update()
        patient = await self.patients.get(data.patient_id)
        values = data.model_dump(exclude_unset=True, exclude_none=True)
        if data.session_id:
            await self.sessions.get(data.session_id)
            values.setdefault("position", await self.cases.next_position(data.session_id))
        if data.kind in ("37_admission", "art20", "art20_extension") and not data.admitted_on:
            what = "前の期間の終了日" if data.kind == "art20_extension" else "勧告入院の日"
            raise InvalidInput(errors={"admitted_on": f"{what}を入力してください。"})
        case = BoardCase(**values, updated_by=self.principal.user_id)
        case.patient_id = patient.id
        self.session.add(case)
        await self.created("case", case)
        return (await self.case_reads([case]))[0]

    async def change_case(self, case_id: uuid.UUID, data: Change) -> CaseRead:
        """Corrects a case's items or moves it to a session's agenda (409 when somebody saved first)."""
        self.may_update()
        case = await self.cases.get(case_id)
        case.check_version(data.version)
        values = {k: v for k, v in checked(CaseUpdate, data.changes).items() if v is not None or k == "session_id"}
        if values.get("session_id") and values["session_id"] != case.session_id:
            await self.sessions.get(values["session_id"])
            values.setdefault("position", await self.cases.next_position(values["session_id"]))
        await self.changed("case", case, values, data.reason)
        return (await self.case_reads([case]))[0]

    async def decide(self, case_id: uuid.UUID, data: DecisionCreate) -> CaseRead:
        """Enters the 協議会's decision; a granted 公費 case gets its period, its 受給者番号 and its 公費負担 record."""
        self.may_update()
        case = await self.cases.get(case_id)
        case.check_version(data.version)
        if case.decision in ("approved", "conditional", "refused", "withdrawn"):
            raise InvalidInput(errors={"decision": "この案件は既に決定済みです。取り消してから入力してください。"})
        _, basis, _ = codes.CASE_KINDS[case.kind]
        values: dict[str, Any] = {
            "decision": data.decision,
            "decided_on": data.decided_on,
            "conditions": data.conditions,
            "comments": data.comments,
        }
        if data.decided_on < case.received_on:
            raise InvalidInput(errors={"decided_on": "決定日が受理日より前になっています。"})
        granted, serial = data.decision in codes.GRANTING, 0
        if granted and case.kind in codes.COVER_KINDS:
            values |= self._period(case, data, await self._current_end(case))
            try:
                first_day = values.get("valid_from") or data.decided_on
                values["payer_number"] = await payer_numbers.choose(self.session, data.payer_number, basis, first_day)
            except ValueError as exc:
                raise InvalidInput(errors={"payer_number": str(exc)}) from exc
            serial, values["recipient_number"] = await self._next_number()
        elif granted and case.kind in ("art20", "art20_extension"):
            values |= self._period(case, data, None)
        await self.changed("case", case, values, None)
        if granted and case.kind in codes.COVER_KINDS:
            self._keep_number(case, basis, serial)
            await self._record_public_expense(case, basis)
        return (await self.case_reads([case]))[0]

    async def _current_end(self, case: BoardCase) -> date | None:
        if case.kind != "37-2_continuation":
            return None
        return await self.cases.latest_cover_end(case.patient_id, COVER_37_2, case.id)

    def _period(self, case: BoardCase, data: DecisionCreate, current_end: date | None) -> dict[str, Any]:
        """The period granted: the rules' period, or a shorter one inside it; never earlier nor longer."""
        period = view.proposed_cover(case, current_end, self.rules)
        if period is None:
            return {}
        start, end = data.valid_from or period.start, data.valid_to or period.end
        if case.kind == "37_admission":
            end = data.valid_to  # open until discharge unless the decision names an end
        if start < period.start:
            raise InvalidInput(
                errors={"valid_from": f"開始日は{period.start.isoformat()}より前にできません（{period.why}）。"}
            )
        if case.kind != "37_admission" and end is not None and end > period.end:
            raise InvalidInput(
                errors={"valid_to": f"終了日は{period.end.isoformat()}より後にできません（{period.why}）。"}
            )
        if end is not None and end < start:
            raise InvalidInput(errors={"valid_to": "終了日が開始日より前になっています。"})
        return {"valid_from": start, "valid_to": end}

    async def _next_number(self) -> tuple[int, str]:
        """The next serial and its 受給者番号; the counter's lock holds until the decision is committed."""
        serial = await self.numbers.next_serial()
        try:
            return serial, recipient_number(serial)
        except ValueError as exc:
            raise RecipientNumberExhausted() from exc

    def _keep_number(self, case: BoardCase, basis: str, serial: int) -> None:
        self.session.add(
            RecipientNumber(
                serial=serial,
                number=case.recipient_number,
                case_id=case.id,
                patient_id=case.patient_id,
                basis=basis,
                payer_number=case.payer_number,
                issued_on=today(),
                issued_by=self.principal.user_id,
            )
        )

    async def _record_public_expense(self, case: BoardCase, basis: str) -> None:
        """Keeps the 公費負担 on the patient's card, so its alerts and deadlines follow the approval."""
        record = PublicExpense(
            patient_id=case.patient_id,
            basis=basis,
            applied_on=case.admitted_on if basis == "37" else case.received_on,
            status="approved",
            valid_from=case.valid_from,
            valid_to=case.valid_to,
            payer_number=case.payer_number,
            recipient_number=case.recipient_number,
            institution=case.institution,
            institution_code=case.institution_code,
            note=f"診査会の決定（{case.decided_on.isoformat() if case.decided_on else ''}）による",
            updated_by=self.principal.user_id,
        )
        await PublicExpenseRepository(self.session).add(record)
        await self._publish_care(record, created=True, changed=[])

    async def _publish_care(self, record: PublicExpense, *, created: bool, changed: list[str]) -> None:
        event = CareRecordSaved(care_record=PUBLIC_EXPENSE.snapshot(record), created=created, changed_fields=changed)
        envelope = Envelope.of(event, aggregate_id=record.id, version=record.version, actor=self.principal.user_id)
        await outbox.add(self.session, envelope)

    async def withdraw(self, case_id: uuid.UUID, data: Withdrawal) -> CaseRead:
        """Withdraws a decision: its 受給者番号 is voided (kept in the audit list, never reused), its 患者票 and
        公費負担 record end."""
        self.may_update()
        case = await self.cases.get(case_id)
        case.check_version(data.version)
        if case.decision == "withdrawn":
            raise InvalidInput(errors={"reason": "この案件は既に取り消されています。"})
        for number in await self.numbers.of_case(case.id):
            if number.voided_on is None:
                number.voided_on, number.void_reason = today(), data.reason
        await self._end_public_expense(case)
        for card in await CardRepository(self.session).of_case(case.id):
            if card.status == "issued":
                await self.changed("card", card, {"status": "void"}, "決定の取消")
        await self.changed("case", case, {"decision": "withdrawn", "withdrawn_reason": data.reason}, data.reason)
        return (await self.case_reads([case]))[0]

    async def _end_public_expense(self, case: BoardCase) -> None:
        if not case.recipient_number:
            return
        for record in await PublicExpenseRepository(self.session).of_patient(case.patient_id):
            if record.recipient_number == case.recipient_number and record.status == "approved":
                record.status = "withdrawn"
                record.updated_by = self.principal.user_id
                await flush_versioned(self.session)
                await self.session.refresh(record)
                await self._publish_care(record, created=False, changed=["status"])

    async def mark_notified(self, case_id: uuid.UUID, data: Notified) -> CaseRead:
        """Records that the decision notice was sent."""
        self.may_update()
        case = await self.cases.get(case_id)
        case.check_version(data.version)
        if case.decision not in ("approved", "conditional", "refused"):
            raise InvalidInput(errors={"notified_on": "決定の前に通知日は入力できません。"})
        await self.changed("case", case, {"notified_on": data.notified_on}, None)
        return (await self.case_reads([case]))[0]

    async def number_audit(self) -> dict[str, Any]:
        """Every 受給者番号 issued, voided ones included, and whether the serials run without a gap."""
        self.may_read()
        rows = await self.numbers.audit_list()
        last = await self.numbers.last_serial()
        serials = [n.serial for n, _, _ in rows]
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="recipient_number")
        return {
            "items": [
                {
                    "serial": n.serial,
                    "number": n.number,
                    "case_id": str(n.case_id),
                    "patient_id": str(n.patient_id),
                    "registration_no": no,
                    "name": name,
                    "basis": n.basis,
                    "payer_number": n.payer_number,
                    "issued_on": n.issued_on,
                    "issued_by": n.issued_by,
                    "voided_on": n.voided_on,
                    "void_reason": n.void_reason,
                }
                for n, no, name in rows
            ],
            "last_serial": last,
            "complete": serials == list(range(1, last + 1)),
        }
