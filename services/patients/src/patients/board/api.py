"""HTTP API of the 診査会 (access area 診査会・公費): sessions, cases and decisions, the 受給者番号 audit list,
患者票, 勧告 and the clerk's list."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, status

from patients.board.rules import BoardRules
from patients.board.schemas import (
    CardEvent,
    CardIssue,
    CaseCreate,
    CaseRead,
    Change,
    DecisionCreate,
    MeasureCreate,
    Notified,
    Page,
    Receipt,
    SessionCreate,
    SessionDetail,
    SessionRead,
    Withdrawal,
)
from patients.board.service import board_rules
from patients.deps import BoardRecordServiceDep, BoardServiceDep

router = APIRouter(tags=["診査会・公費"])


async def may_update(board: BoardServiceDep) -> None:
    """Refuses (403) users without 更新 in 診査会・公費 before the body is validated, so the answer does not depend
    on what was sent."""
    board.may_update()


UPDATING = [Depends(may_update)]


@router.get("/board/rules")
async def board_rule_settings(board: BoardServiceDep) -> dict[str, Any]:
    """The numbers the rules use and the legal basis of each, as the screens show them."""
    board.may_read()
    config: BoardRules = board_rules()
    return {"values": config.__dict__, "basis": config.basis()}


@router.get("/board/sessions")
async def sessions(board: BoardServiceDep) -> Page:
    """Sessions, newest first."""
    return Page(items=await board.session_listing())


@router.post("/board/sessions", status_code=status.HTTP_201_CREATED, dependencies=UPDATING)
async def open_session(data: SessionCreate, board: BoardServiceDep) -> SessionRead:
    """Schedules a session."""
    return await board.open_session(data)


@router.get("/board/sessions/{session_id}")
async def session_detail(session_id: uuid.UUID, board: BoardServiceDep) -> SessionDetail:
    """A session with its cases in agenda order."""
    return await board.session_detail(session_id)


@router.patch("/board/sessions/{session_id}", dependencies=UPDATING)
async def change_session(session_id: uuid.UUID, data: Change, board: BoardServiceDep) -> SessionRead:
    """Saves attendance, agenda, minutes or status; 409 when somebody saved first."""
    return await board.change_session(session_id, data)


@router.post("/board/cases", status_code=status.HTTP_201_CREATED, dependencies=UPDATING)
async def open_case(data: CaseCreate, board: BoardServiceDep) -> CaseRead:
    """Records an application or a 諮問."""
    return await board.open_case(data)


@router.get("/board/cases/{case_id}")
async def case(case_id: uuid.UUID, board: BoardServiceDep) -> CaseRead:
    """One case with its patient, due date and cover."""
    return await board.case(case_id)


@router.patch("/board/cases/{case_id}", dependencies=UPDATING)
async def change_case(case_id: uuid.UUID, data: Change, board: BoardServiceDep) -> CaseRead:
    """Corrects a case or puts it on a session's agenda."""
    return await board.change_case(case_id, data)


@router.post("/board/cases/{case_id}/decision", dependencies=UPDATING)
async def decide(case_id: uuid.UUID, data: DecisionCreate, board: BoardServiceDep) -> CaseRead:
    """Enters the decision; an approval assigns the 受給者番号."""
    return await board.decide(case_id, data)


@router.post("/board/cases/{case_id}/withdrawal", dependencies=UPDATING)
async def withdraw(case_id: uuid.UUID, data: Withdrawal, board: BoardServiceDep) -> CaseRead:
    """Withdraws a decision; its number is voided and never reused."""
    return await board.withdraw(case_id, data)


@router.post("/board/cases/{case_id}/notified", dependencies=UPDATING)
async def mark_notified(case_id: uuid.UUID, data: Notified, board: BoardServiceDep) -> CaseRead:
    """Records that the decision notice was sent."""
    return await board.mark_notified(case_id, data)


@router.get("/board/numbers")
async def number_audit(board: BoardServiceDep) -> dict[str, Any]:
    """Every 受給者番号 issued, voided ones included."""
    return await board.number_audit()


@router.post("/board/cases/{case_id}/cards", status_code=status.HTTP_201_CREATED, dependencies=UPDATING)
async def issue_card(case_id: uuid.UUID, data: CardIssue, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Issues the 患者票 of a granted case."""
    return await records.issue_card(case_id, data)


@router.post("/board/cards/{card_id}/reissue", dependencies=UPDATING)
async def reissue_card(card_id: uuid.UUID, data: CardEvent, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Reissues a lost 患者票."""
    return await records.reissue_card(card_id, data)


@router.post("/board/cards/{card_id}/return", dependencies=UPDATING)
async def return_card(card_id: uuid.UUID, data: CardEvent, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Records the return of a 患者票."""
    return await records.return_card(card_id, data)


@router.post("/board/cases/{case_id}/receipt", dependencies=UPDATING)
async def receive_case(case_id: uuid.UUID, data: Receipt, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Closes a 記載事項変更届 (changing the 患者票 in force) or a 19条 report by its receipt (受理)."""
    return await records.receive(case_id, data)


@router.post("/patients/{patient_id}/measures", status_code=status.HTTP_201_CREATED, dependencies=UPDATING)
async def issue_measure(patient_id: uuid.UUID, data: MeasureCreate, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Records a 勧告 (18・19・20条 or an extension)."""
    return await records.issue_measure(patient_id, data)


@router.patch("/board/measures/{measure_id}", dependencies=UPDATING)
async def change_measure(measure_id: uuid.UUID, data: Change, records: BoardRecordServiceDep) -> dict[str, Any]:
    """Records delivery, 意見陳述 or the end of a 勧告."""
    return await records.change_measure(measure_id, data)


@router.get("/patients/{patient_id}/board")
async def patient_board(patient_id: uuid.UUID, records: BoardRecordServiceDep) -> dict[str, Any]:
    """A patient's cases, 患者票 and 勧告."""
    return await records.of_patient(patient_id)


@router.get("/board/worklist")
async def worklist(records: BoardRecordServiceDep) -> dict[str, Any]:
    """The clerk's list of what is due."""
    return await records.worklist()
