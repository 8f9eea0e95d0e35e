"""HTTP API of a contact's screening examinations (健診の検査)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from contacts.deps import MAY_CHANGE, MAY_READ, ExamServiceDep
from contacts.exam.schemas import Appointment, ExamCancel, ExamChange, ExamCreate, ExamRead, Reception

router = APIRouter(prefix="/contacts/{contact_id}/exams", tags=["接触者健診"])


@router.get("", dependencies=MAY_READ)
async def list_exams(contact_id: uuid.UUID, exams: ExamServiceDep) -> list[ExamRead]:
    """The contact's examinations, planned, done and cancelled."""
    return await exams.list(contact_id)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def record_exam(contact_id: uuid.UUID, data: ExamCreate, exams: ExamServiceDep) -> ExamRead:
    """Records an examination planned or done."""
    exam = await exams.record(contact_id, data)
    return await exams.read(await exams.contacts.contacts.get(contact_id), exam)


@router.patch("/{exam_id}", dependencies=MAY_CHANGE)
async def correct_exam(contact_id: uuid.UUID, exam_id: uuid.UUID, data: ExamChange, exams: ExamServiceDep) -> ExamRead:
    """Corrects an examination or enters its result; 409 when somebody saved first."""
    exam = await exams.correct(contact_id, exam_id, data)
    return await exams.read(await exams.contacts.contacts.get(contact_id), exam)


@router.post("/{exam_id}/cancel", dependencies=MAY_CHANGE)
async def cancel_exam(contact_id: uuid.UUID, exam_id: uuid.UUID, data: ExamCancel, exams: ExamServiceDep) -> ExamRead:
    """Cancels an examination (取消); it stays in the record and the history."""
    exam = await exams.cancel(contact_id, exam_id, data)
    return await exams.read(await exams.contacts.contacts.get(contact_id), exam)


@router.put("/{exam_id}/appointment", dependencies=MAY_CHANGE)
async def set_appointment(
    contact_id: uuid.UUID, exam_id: uuid.UUID, data: Appointment, exams: ExamServiceDep
) -> ExamRead:
    """Sets or moves the appointment (予約: day, time, place) of an examination."""
    exam = await exams.appoint(contact_id, exam_id, data)
    return await exams.read(await exams.contacts.contacts.get(contact_id), exam)


@router.post("/{exam_id}/reception", dependencies=MAY_CHANGE)
async def record_reception(
    contact_id: uuid.UUID, exam_id: uuid.UUID, data: Reception, exams: ExamServiceDep
) -> ExamRead:
    """Records that the contact came (受付), with the day's receipt number at the place."""
    exam = await exams.receive(contact_id, exam_id, data)
    return await exams.read(await exams.contacts.contacts.get(contact_id), exam)
