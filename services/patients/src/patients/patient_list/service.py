"""The patient list (患者一覧) a nurse sorts and filters, and each 担当保健師's patients, with facts kept fresh."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today

from patients.patient.alerts import Alert
from patients.patient.derived import patient_read
from patients.patient.models import Patient
from patients.patient.record import PatientRecordService
from patients.patient_list.models import PatientListFacts
from patients.patient_list.repository import PatientListRepository
from patients.patient_list.schemas import (
    ACTIVITY_OF_CODE,
    NurseLoadRead,
    PatientListFilter,
    PatientListRead,
)

LEVEL_WORDS = {"danger": "要対応", "warning": "注意", "info": "確認"}  # said in words, never by colour alone
SHOWN_ALERTS = 3  # the list names the first few; the patient page has them all


def list_facts(code: str, alerts: Sequence[Alert]) -> dict[str, Any]:
    """The list facts of a patient from the 総合患者分類コード and the open alerts judged today."""
    dated = sorted((a.due_on, a.message) for a in alerts if a.due_on is not None)
    return {
        "classification_code": code,
        "activity": ACTIVITY_OF_CODE.get(code, ""),
        "alert_count": len(alerts),
        "urgent_count": sum(1 for a in alerts if a.level == "danger"),
        "alerts": [
            {
                "level": LEVEL_WORDS.get(a.level, a.level),
                "message": a.message,
                "due_on": a.due_on and a.due_on.isoformat(),
            }
            for a in alerts[:SHOWN_ALERTS]
        ],
        "next_due_on": dated[0][0] if dated else None,
        "next_due_what": dated[0][1][:200] if dated else "",
        "computed_on": today(),
    }


async def store_list_facts(session: AsyncSession, patient: Patient, code: str, alerts: Sequence[Alert]) -> None:
    """Keeps the list facts of a patient just judged (on every saved change of the patient)."""
    await PatientListRepository(session).store_facts(patient.id, list_facts(code, alerts))


class PatientListService:
    """What the 患者一覧 and the 担当保健師 list read."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.listing = PatientListRepository(session)
        self.records = PatientRecordService(session, principal)

    async def page(
        self, query: PatientListFilter, *, limit: int, offset: int, fresh: bool = False
    ) -> tuple[list[PatientListRead], int]:
        """A page of patients in the chosen order and filters; with `fresh`, stale facts of the page judged again
        (a page a person reads; a rebuild reading every patient takes the stored facts)."""
        self.principal.require(Area.PATIENTS, Access.READ)
        on = today()
        rows, total = await self.listing.page(query, on=on, limit=limit, offset=offset)
        items = []
        for patient, facts in rows:
            values = _facts_values(facts) if facts is not None else {"classification_code": ""}
            if fresh and (facts is None or facts.computed_on < on):  # stale: date rules may have moved since
                code, alerts = await self.records.code_and_alerts(patient)
                values = list_facts(code, alerts)
                await self.listing.store_facts(patient.id, values)
            read = patient_read(patient, values["classification_code"])
            items.append(PatientListRead(**read.model_dump(), **_shown(values)))
        return items, total

    async def nurse_loads(self) -> list[NurseLoadRead]:
        """Every 担当保健師 named on a patient, with how many patients they carry."""
        self.principal.require(Area.PATIENTS, Access.READ)
        rows = await self.listing.nurse_loads()
        return [NurseLoadRead(**(row | {"districts": sorted(d for d in row["districts"] if d)})) for row in rows]


def _facts_values(facts: PatientListFacts) -> dict[str, Any]:
    names = ("classification_code", "activity", "alert_count", "urgent_count", "alerts", "next_due_on", "next_due_what")
    return {name: getattr(facts, name) for name in names}


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in ("classification_code", "computed_on")}
