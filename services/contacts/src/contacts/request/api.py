"""HTTP API of requests between municipalities (他自治体への依頼・他自治体からの依頼) and their sendings."""

from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response, status

from contacts.deps import MAY_CHANGE, MAY_READ, RequestServiceDep
from contacts.history.schemas import HistoryEntryRead, HistoryRead
from contacts.request.schemas import (
    Acknowledge,
    IncomingCreate,
    OutgoingCreate,
    PackageMade,
    ReplyReceived,
    RequestChange,
    RequestPage,
    RequestRead,
    Send,
    Withdraw,
)

router = APIRouter(prefix="/requests", tags=["他自治体への依頼・回答"])


@router.get("", dependencies=MAY_READ)
async def board(
    requests: RequestServiceDep,
    direction: Literal["outgoing", "incoming"] | None = None,
    open_only: bool = True,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000),
) -> RequestPage:
    """The board: requests both directions, open ones by reply-by date, with days waiting and overdue replies."""
    items, total = await requests.page(direction=direction, open_only=open_only, limit=limit, offset=offset)
    return RequestPage(items=items, total=total)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def create_outgoing(data: OutgoingCreate, requests: RequestServiceDep) -> RequestRead:
    """Saves a request to another health centre as 下書き."""
    return await requests.read(await requests.create_outgoing(data))


@router.post("/incoming", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def register_incoming(data: IncomingCreate, requests: RequestServiceDep) -> RequestRead:
    """Registers a request received; the people to examine become contacts handled here."""
    return await requests.read(await requests.register_incoming(data))


@router.get("/{request_id}", dependencies=MAY_READ)
async def view_request(request_id: uuid.UUID, requests: RequestServiceDep) -> RequestRead:
    """One request with its contacts, their results and its sendings."""
    return await requests.view(request_id)


@router.patch("/{request_id}", dependencies=MAY_CHANGE)
async def correct_request(request_id: uuid.UUID, data: RequestChange, requests: RequestServiceDep) -> RequestRead:
    """Corrects an open request; 409 when somebody saved first."""
    return await requests.read(await requests.correct(request_id, data))


@router.post("/{request_id}/packages", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def make_package(request_id: uuid.UUID, requests: RequestServiceDep) -> PackageMade:
    """Makes the AES-256 encrypted ZIP to send; the password is in this answer only and is never stored."""
    return await requests.make_package(request_id)


@router.get(
    "/{request_id}/packages/{package_id}",
    dependencies=MAY_CHANGE,
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "AES-256で暗号化したZIP"}},
)
async def download_package(request_id: uuid.UUID, package_id: uuid.UUID, requests: RequestServiceDep) -> Response:
    """The encrypted file made before (without its password)."""
    found = await requests.package(request_id, package_id)
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(found.content, media_type="application/zip", headers={"Content-Disposition": disposition})


@router.post("/{request_id}/send", dependencies=MAY_CHANGE)
async def record_sending(request_id: uuid.UUID, data: Send, requests: RequestServiceDep) -> RequestRead:
    """Records that our request (or our reply) was sent: what, to whom, when, how, and how the key travelled."""
    return await requests.read(await requests.send(request_id, data))


@router.post("/{request_id}/acknowledge", dependencies=MAY_CHANGE)
async def acknowledge(request_id: uuid.UUID, data: Acknowledge, requests: RequestServiceDep) -> RequestRead:
    """The addressee confirmed receipt: the request now waits for the reply (回答待ち)."""
    return await requests.read(await requests.acknowledge(request_id, data))


@router.post("/{request_id}/reply", dependencies=MAY_CHANGE)
async def reply_received(request_id: uuid.UUID, data: ReplyReceived, requests: RequestServiceDep) -> RequestRead:
    """Enters the reply: the results per contact update their screening; the request is closed (回答済)."""
    return await requests.read(await requests.reply(request_id, data))


@router.post("/{request_id}/withdraw", dependencies=MAY_CHANGE)
async def withdraw(request_id: uuid.UUID, data: Withdraw, requests: RequestServiceDep) -> RequestRead:
    """Withdraws the request (取下げ); it stays in the record."""
    return await requests.read(await requests.withdraw(request_id, data))


@router.get("/{request_id}/history", dependencies=MAY_READ)
async def request_history(request_id: uuid.UUID, requests: RequestServiceDep) -> HistoryRead:
    """The request's edit history, newest first."""
    rows = await requests.history(request_id)
    return HistoryRead(items=[HistoryEntryRead.model_validate(row) for row in rows])
