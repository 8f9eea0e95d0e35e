"""HTTP API of care records under a patient: /treatments, /hospitalisations, /transfers, /notes, /public-expenses.

Each kind gets its three routes from one factory, typed with the kind's own schemas so OpenAPI shows them.
The module evaluates its annotations at definition time (no `from __future__ import annotations`): the body types
are the kind's classes, known only inside the factory.
"""

import uuid

from fastapi import APIRouter, Depends, status

from patients.care.kinds import KINDS, CareKind
from patients.care.schemas import CarePage, CareRecordRead, SendingChange, TransferSend
from patients.deps import CareServiceDep

router = APIRouter(prefix="/patients/{patient_id}", tags=["治療・入院・転入出・経過記録・公費負担"])


async def may_record(patient_id: uuid.UUID, care: CareServiceDep) -> None:
    """Refuses (403) or misses the patient (404) before the body is validated, so the answer to a user who may not
    record, or about an unknown patient, does not depend on what was sent."""
    await care.patient_to_record_for(patient_id)


def _routes(kind: CareKind) -> None:
    create, change = kind.create, kind.change

    async def record(
        patient_id: uuid.UUID,
        data: create,  # type: ignore[valid-type]
        care: CareServiceDep,
    ) -> CareRecordRead:
        return await care.record(kind, patient_id, data)

    async def correct(
        patient_id: uuid.UUID,
        record_id: uuid.UUID,
        data: change,  # type: ignore[valid-type]
        care: CareServiceDep,
    ) -> CareRecordRead:
        return await care.correct(kind, patient_id, record_id, data)

    async def listing(patient_id: uuid.UUID, care: CareServiceDep) -> CarePage:
        return CarePage(items=await care.listing(kind, patient_id))

    path = f"/{kind.path}"
    router.add_api_route(
        path,
        record,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        summary=f"{kind.label}を記録する",
        name=f"record_{kind.name}",
        dependencies=[Depends(may_record)],
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


@router.post(
    "/transfers/{record_id}/sendings",
    status_code=status.HTTP_201_CREATED,
    summary="転出先への送付（登録票・記録の要約など）を記録する",
    name="send_transfer",
    dependencies=[Depends(may_record)],
)
async def send_transfer(
    patient_id: uuid.UUID, record_id: uuid.UUID, data: TransferSend, care: CareServiceDep
) -> CareRecordRead:
    """Records what was sent to the new health centre, to whom, when and how (施行規則27条の8; N32); the transfer
    comes back with its sendings."""
    return await care.send_transfer(patient_id, record_id, data)


@router.patch(
    "/transfers/{record_id}/sendings/{sending_id}",
    summary="転出先への送付の記録を修正する（理由が必要・削除はできない）",
    name="correct_transfer_sending",
)
async def correct_transfer_sending(
    patient_id: uuid.UUID, record_id: uuid.UUID, sending_id: uuid.UUID, data: SendingChange, care: CareServiceDep
) -> CareRecordRead:
    """Corrects a wrong sending with a reason; the old one stays in the history."""
    return await care.correct_sending(patient_id, record_id, sending_id, data)
