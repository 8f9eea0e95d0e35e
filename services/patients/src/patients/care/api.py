"""HTTP API of care records under a patient: /treatments, /hospitalisations, /transfers, /notes, /public-expenses."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Body, status
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.care.kinds import KINDS, CareKind
from patients.care.schemas import CareChange, CarePage, CareRecordRead
from patients.care.service import CareService, read_model

router = APIRouter(prefix="/patients/{patient_id}", tags=["治療・入院・転入出・経過記録・公費負担"])


def _routes(kind: CareKind) -> None:
    async def record(
        patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, data: dict[str, Any] = Body()
    ) -> CareRecordRead:
        return read_model(kind, await CareService(session, principal, kind).record(patient_id, data))

    async def correct(
        patient_id: uuid.UUID, record_id: uuid.UUID, data: CareChange, session: SessionDep, principal: PrincipalDep
    ) -> CareRecordRead:
        return read_model(kind, await CareService(session, principal, kind).correct(patient_id, record_id, data))

    async def listing(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> CarePage:
        rows = await CareService(session, principal, kind).list(patient_id)
        return CarePage(items=[read_model(kind, row) for row in rows])

    path = f"/{kind.path}"
    router.add_api_route(
        path,
        record,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        summary=f"{kind.label}を記録する",
        name=f"record_{kind.name}",
    )
    router.add_api_route(
        f"{path}/{{record_id}}",
        correct,
        methods=["PATCH"],
        summary=f"{kind.label}を修正する",
        name=f"correct_{kind.name}",
    )
    router.add_api_route(path, listing, methods=["GET"], summary=f"{kind.label}の一覧", name=f"list_{kind.name}")


for _kind in KINDS:
    _routes(_kind)
