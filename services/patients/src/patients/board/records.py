"""What follows a decision: 患者票 (issue, reissue, return), 勧告 and notices (18・19・20条) with their delivery and
end, a patient's 診査会 records and the clerk's list of what is due."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Principal
from tbms_core.clock import today
from tbms_core.errors import InvalidInput

from patients.board import codes, rules, view
from patients.board.models import Measure, PatientCard
from patients.board.repository import CardRepository, CaseRepository, MeasureRepository
from patients.board.schemas import CardEvent, CardIssue, Change, MeasureCreate, MeasureUpdate, Receipt
from patients.board.service import BoardBase, BoardService
from patients.care.service import checked


class BoardRecordService(BoardBase):
    """患者票, 勧告 and the clerk's list."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        super().__init__(session, principal)
        self.cases = CaseRepository(session)
        self.cards = CardRepository(session)
        self.measures = MeasureRepository(session)

    # ---- 患者票 ----

    async def issue_card(self, case_id: uuid.UUID, data: CardIssue) -> dict[str, Any]:
        """Issues the 患者票 (F15) of a granted 公費 case, with its numbers and validity."""
        self.may_update()
        case = await self.cases.get(case_id)
        if case.decision not in codes.GRANTING or not case.recipient_number or not case.valid_from:
            raise InvalidInput(errors={"issued_on": "承認され受給者番号のある案件にだけ患者票を交付できます。"})
        if any(c.status == "issued" for c in await self.cards.of_case(case.id)):
            raise InvalidInput(errors={"issued_on": "この案件の患者票は交付済みです。紛失のときは再交付してください。"})
        card = PatientCard(
            patient_id=case.patient_id,
            case_id=case.id,
            payer_number=case.payer_number,
            recipient_number=case.recipient_number,
            valid_from=case.valid_from,
            valid_to=case.valid_to or case.valid_from,
            institution=case.institution,
            pharmacy=data.pharmacy if data.pharmacy is not None else case.pharmacy,
            care_kind=data.care_kind,
            issued_on=data.issued_on,
            updated_by=self.principal.user_id,
        )
        self.session.add(card)
        await self.created("card", card)
        return view.card_read(card, today(), self.rules)

    async def reissue_card(self, card_id: uuid.UUID, data: CardEvent) -> dict[str, Any]:
        """Reissues a lost 患者票: same numbers and validity, the reissue kept on the card."""
        self.may_update()
        card = await self.cards.get(card_id)
        card.check_version(data.version)
        if card.status != "issued":
            raise InvalidInput(errors={"on": "交付中の患者票だけ再交付できます。"})
        reissues = [*card.reissues, {"on": data.on.isoformat(), "reason": data.reason or "紛失"}]
        await self.changed("card", card, {"reissues": reissues}, data.reason or "紛失による再交付")
        return view.card_read(card, today(), self.rules)

    async def return_card(self, card_id: uuid.UUID, data: CardEvent) -> dict[str, Any]:
        """Records the return of a 患者票 (cover ended or changed)."""
        self.may_update()
        card = await self.cards.get(card_id)
        card.check_version(data.version)
        if card.status != "issued":
            raise InvalidInput(errors={"on": "交付中の患者票だけ返還できます。"})
        await self.changed("card", card, {"status": "returned", "returned_on": data.on}, data.reason or "返還")
        return view.card_read(card, today(), self.rules)

    async def receive(self, case_id: uuid.UUID, data: Receipt) -> dict[str, Any]:
        """Closes a case recorded without the board by its receipt (受理). A 記載事項変更届 also changes the 患者票
        in force on the day: the 医療機関 and 薬局 it names replace the card's, the change kept on the card (the
        name and address print from the patient's record, corrected there)."""
        self.may_update()
        case = await self.cases.get(case_id)
        case.check_version(data.version)
        if case.kind not in codes.RECEIVED_KINDS:
            raise InvalidInput(errors={"on": "受理で閉じるのは、記載事項変更届と19条の報告だけです。"})
        if case.decision:
            raise InvalidInput(errors={"on": "この案件は既に受理または決定されています。"})
        if data.on > today():
            raise InvalidInput(errors={"on": "受理日に未来の日付は入力できません。"})
        if data.on < case.received_on:
            raise InvalidInput(errors={"on": "受理日が届出の受付日より前になっています。"})
        card = None
        if case.kind == "record_change":
            card = await self._card_in_force(case, data)
        await self.changed("case", case, {"decision": "received", "decided_on": data.on}, data.note or None)
        return {
            "case": (await BoardService(self.session, self.principal).case_reads([case]))[0].model_dump(mode="json"),
            "card": view.card_read(card, today(), self.rules) if card else None,
        }

    async def _card_in_force(self, case: Any, data: Receipt) -> PatientCard:
        """The 患者票 valid on the day of the change, with the changed items applied; refused when there is none or
        when the 届 changes nothing the card carries."""
        cards = [
            c
            for c in await self.cards.of_patient(case.patient_id)
            if c.status == "issued" and c.valid_from <= data.on <= c.valid_to
        ]
        if not cards:
            raise InvalidInput(errors={"on": "この日に有効な患者票がありません。患者票の交付を確認してください。"})
        card = max(cards, key=lambda c: c.valid_from)
        items = {
            name: {"label": label, "before": getattr(card, name), "after": getattr(case, name)}
            for name, label in codes.CARD_ITEMS.items()
            if getattr(case, name) and getattr(case, name) != getattr(card, name)
        }
        if items:
            change = {"on": data.on.isoformat(), "case_id": str(case.id), "items": items}
            values = {name: item["after"] for name, item in items.items()} | {"changes": [*card.changes, change]}
            await self.changed("card", card, values, f"記載事項変更届（受理 {data.on.isoformat()}）")
        return card

    # ---- 勧告 ----

    async def issue_measure(self, patient_id: uuid.UUID, data: MeasureCreate) -> dict[str, Any]:
        """Records a 勧告 or notice; its period follows the article (72 hours, the configured days, or until no
        longer infectious); an extension needs a case with the 協議会's favourable opinion."""
        self.may_update()
        patient = await self.patients.get(patient_id)
        values = data.model_dump(exclude_none=True)
        case = await self.cases.get(data.case_id) if data.case_id else None
        if case and case.patient_id != patient.id:
            raise InvalidInput(errors={"case_id": "別の患者の案件です。"})
        starts_on = data.starts_on or data.issued_on
        if data.article == "19":
            started_at = data.starts_at
            if started_at is None:
                raise InvalidInput(errors={"starts_at": "応急入院の開始日時を入力してください（72時間の起点）。"})
            ends_at = rules.emergency_end(started_at, self.rules)
            values |= {
                "starts_at": started_at,
                "ends_at": ends_at,
                "starts_on": started_at.date(),
                "ends_on": ends_at.date(),
            }
        elif data.article in ("20", "20_extension"):
            if data.article == "20_extension" and not (
                case and case.kind == "art20_extension" and case.decision in codes.GRANTING
            ):
                raise InvalidInput(errors={"case_id": "延長には協議会の意見（延長の案件の承認）が必要です。"})
            if case and case.valid_from and case.valid_to:
                values |= {"starts_on": case.valid_from, "ends_on": case.valid_to}
            else:
                period = rules.admission_period(starts_on, self.rules)
                values |= {"starts_on": period.start, "ends_on": period.end}
        else:
            values |= {"starts_on": starts_on, "restricted_work": data.restricted_work or codes.RESTRICTED_WORK}
        measure = Measure(**values, patient_id=patient.id, updated_by=self.principal.user_id)
        self.session.add(measure)
        await self.created("measure", measure)
        return view.measure_read(measure, today())

    async def change_measure(self, measure_id: uuid.UUID, data: Change) -> dict[str, Any]:
        """Records delivery, the 意見陳述 or the end of a 勧告 (with why), if nobody saved since the user's version."""
        self.may_update()
        measure = await self.measures.get(measure_id)
        measure.check_version(data.version)
        values = {k: v for k, v in checked(MeasureUpdate, data.changes).items() if v is not None}
        ended_on = values.get("ended_on")
        if ended_on and not (values.get("end_reason") or measure.end_reason):
            raise InvalidInput(errors={"end_reason": "終了の理由を選んでください。"})
        if ended_on and ended_on < measure.starts_on:
            raise InvalidInput(errors={"ended_on": "終了日が開始日より前になっています。"})
        await self.changed("measure", measure, values, data.reason)
        return view.measure_read(measure, today())

    # ---- overviews ----

    async def of_patient(self, patient_id: uuid.UUID) -> dict[str, Any]:
        """A patient's cases, 患者票 and 勧告 for the patient page."""
        self.may_read()
        patient = await self.patients.get(patient_id)
        board = BoardService(self.session, self.principal)
        cases = await board.case_reads(await self.cases.of_patient(patient.id))
        day = today()
        await audit.record(
            self.session, self.principal, "patients", Operation.READ, record_type="board", person_id=patient.id
        )
        return {
            "cases": [c.model_dump(mode="json") for c in cases],
            "cards": [view.card_read(c, day, self.rules) for c in await self.cards.of_patient(patient.id)],
            "measures": [view.measure_read(m, day) for m in await self.measures.of_patient(patient.id)],
            "basis": self.rules.basis(),
        }

    async def worklist(self) -> dict[str, Any]:
        """The clerk's list: applications awaiting a session, decisions to notify, 患者票 to issue, covers
        expiring and 勧告 periods ending."""
        self.may_read()
        day = today()
        board = BoardService(self.session, self.principal)
        open_cases = await self.cases.open_cases()
        awaiting = [  # not yet on an agenda, or deferred (carried to a next session)
            c
            for c in open_cases
            if codes.CASE_KINDS[c.kind][2] and (c.decision == "deferred" or (c.decision == "" and c.session_id is None))
        ]
        to_notify = [c for c in open_cases if c.decision in ("approved", "conditional", "refused")]
        to_issue = await self.cases.granted_without_card()
        horizon = day + timedelta(days=self.rules.card_notice_days)
        expiring = await self.cards.expiring(horizon)
        ending = await self.measures.ending(day + timedelta(days=14))
        patients = await self.lookup.summaries({c.patient_id for c in expiring} | {m.patient_id for m in ending})
        await audit.record(self.session, self.principal, "patients", Operation.READ, record_type="board_worklist")
        return {
            "awaiting": [c.model_dump(mode="json") for c in await board.case_reads(awaiting)],
            "to_notify": [c.model_dump(mode="json") for c in await board.case_reads(to_notify)],
            "to_issue": [c.model_dump(mode="json") for c in await board.case_reads(to_issue)],
            "expiring": [
                view.card_read(c, day, self.rules) | {"patient": view.patient_summary(patients.get(c.patient_id))}
                for c in expiring
            ],
            "ending": [
                view.measure_read(m, day) | {"patient": view.patient_summary(patients.get(m.patient_id))}
                for m in ending
            ],
        }
