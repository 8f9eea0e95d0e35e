"""Circulation endpoints: submit, decide, send back, re-submit, withdraw, read; the inbox and the stamps."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from workflow.circulation.schemas import (
    CirculationCreate,
    CirculationDecision,
    CirculationDetail,
    CirculationRead,
    CirculationResubmit,
    CirculationSendBack,
    CirculationWithdraw,
    InboxCount,
    InboxRead,
    StampRead,
)
from workflow.deps import CirculationServiceDep

router = APIRouter(tags=["回議・供覧"])


@router.post("/circulations", response_model=CirculationRead, status_code=201)
async def submit(data: CirculationCreate, circulations: CirculationServiceDep) -> CirculationRead:
    """Puts a record or document into 回議 or 供覧."""
    return CirculationRead.model_validate(await circulations.submit(data))


@router.get("/circulations/inbox", response_model=InboxRead)
async def inbox(circulations: CirculationServiceDep) -> InboxRead:
    """The user's inbox: waiting for me, sent by me, sent back to me, to read."""
    return await circulations.inbox()


@router.get("/circulations/inbox/count", response_model=InboxCount)
async def inbox_count(circulations: CirculationServiceDep) -> InboxCount:
    """How many items wait for the user and came back to them (the badge of every page)."""
    return await circulations.inbox_count()


@router.get("/circulations/of/{service}/{record_kind}/{record_id}", response_model=list[CirculationRead])
async def of_record(
    service: str, record_kind: str, record_id: str, circulations: CirculationServiceDep
) -> list[CirculationRead]:
    """The circulations of one record, newest first."""
    return [CirculationRead.model_validate(c) for c in await circulations.of_record(service, record_kind, record_id)]


@router.get("/stamps/{service}/{record_kind}/{record_id}", response_model=StampRead)
async def stamps(service: str, record_kind: str, record_id: str, circulations: CirculationServiceDep) -> StampRead:
    """What a form prints in its stamp boxes for this record: the approvers, or 未決裁."""
    return await circulations.stamps(service, record_kind, record_id)


@router.get("/circulations/{circulation_id}", response_model=CirculationDetail)
async def read(circulation_id: uuid.UUID, circulations: CirculationServiceDep) -> CirculationDetail:
    """A circulation with its history and readers."""
    return await circulations.detail(circulation_id)


@router.post("/circulations/{circulation_id}/approve", response_model=CirculationDetail)
async def approve(
    circulation_id: uuid.UUID, data: CirculationDecision, circulations: CirculationServiceDep
) -> CirculationDetail:
    """Approves the current step."""
    return await circulations.detail((await circulations.approve(circulation_id, data)).id)


@router.post("/circulations/{circulation_id}/on-behalf", response_model=CirculationDetail)
async def decide_on_behalf(
    circulation_id: uuid.UUID, data: CirculationDecision, circulations: CirculationServiceDep
) -> CirculationDetail:
    """Decides the current step for its holder (代決)."""
    return await circulations.detail((await circulations.decide_on_behalf(circulation_id, data)).id)


@router.post("/circulations/{circulation_id}/send-back", response_model=CirculationDetail)
async def send_back(
    circulation_id: uuid.UUID, data: CirculationSendBack, circulations: CirculationServiceDep
) -> CirculationDetail:
    """Sends the circulation back to the drafter with a comment."""
    return await circulations.detail((await circulations.send_back(circulation_id, data)).id)


@router.post("/circulations/{circulation_id}/resubmit", response_model=CirculationDetail)
async def resubmit(
    circulation_id: uuid.UUID, data: CirculationResubmit, circulations: CirculationServiceDep
) -> CirculationDetail:
    """Submits a sent-back circulation again."""
    return await circulations.detail((await circulations.resubmit(circulation_id, data)).id)


@router.post("/circulations/{circulation_id}/withdraw", response_model=CirculationDetail)
async def withdraw(
    circulation_id: uuid.UUID, data: CirculationWithdraw, circulations: CirculationServiceDep
) -> CirculationDetail:
    """Withdraws a circulation before its end (the drafter)."""
    return await circulations.detail((await circulations.withdraw(circulation_id, data)).id)


@router.post("/circulations/{circulation_id}/read", response_model=CirculationDetail)
async def mark_read(circulation_id: uuid.UUID, circulations: CirculationServiceDep) -> CirculationDetail:
    """Records that the user read a 供覧 (read receipt)."""
    return await circulations.mark_read(circulation_id)
