"""Every query of the patient list; never commits."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.elements import ColumnElement
from tbms_core.dates import add_months

from patients.patient.models import Patient
from patients.patient_list.models import PatientListFacts
from patients.patient_list.schemas import AGE_BANDS, PatientListFilter

SORT_COLUMNS: dict[str, tuple[Any, ...]] = {  # each with a tie-breaker so a page boundary never shuffles
    "registered_on": (Patient.registered_on, Patient.registration_no),
    "name_kana": (Patient.name_kana, Patient.birth_date, Patient.id),
    "birth_date": (Patient.birth_date, Patient.id),
    "district": (Patient.district, Patient.name_kana, Patient.id),
    "nurse": (Patient.nurse, Patient.name_kana, Patient.id),
    "next_due_on": (PatientListFacts.next_due_on, PatientListFacts.patient_id),  # one index serves it
}


def _born_between(band: str, on: date) -> ColumnElement[bool]:
    """Patients whose age on `on` is within the band: born after (on − to − 1 years) and by (on − from years)."""
    low, high = AGE_BANDS[band]
    conditions = [Patient.birth_date <= add_months(on, -12 * low)]
    if high is not None:
        conditions.append(Patient.birth_date > add_months(on, -12 * (high + 1)))
    return and_(*conditions)


def _conditions(query: PatientListFilter, on: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.district:
        conditions.append(Patient.district == query.district)
    if query.nurse:
        conditions.append(Patient.nurse == query.nurse)
    if query.category is not None:
        conditions.append(Patient.category == query.category.value)
    if query.status is not None:
        conditions.append(Patient.status == query.status)
    if query.activity == "none":
        conditions.append(func.coalesce(PatientListFacts.activity, "") == "")
    elif query.activity is not None:
        conditions.append(PatientListFacts.activity == query.activity)
    if query.age_band is not None:
        conditions.append(_born_between(query.age_band, on))
    if query.alerts == "any":
        conditions.append(PatientListFacts.alert_count > 0)
    elif query.alerts == "urgent":
        conditions.append(PatientListFacts.urgent_count > 0)
    elif query.alerts == "none":
        conditions.append(func.coalesce(PatientListFacts.alert_count, 0) == 0)
    return conditions


def _joined(statement: Select[Any]) -> Select[Any]:
    return statement.outerjoin(PatientListFacts, PatientListFacts.patient_id == Patient.id)


class PatientListRepository:
    """Reads the list and keeps each patient's list facts, in the caller's unit of work."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def page(
        self, query: PatientListFilter, *, on: date, limit: int, offset: int
    ) -> tuple[list[tuple[Patient, PatientListFacts | None]], int]:
        """A page of patients matching the filters in the chosen order, and how many match."""
        conditions = _conditions(query, on)
        order = []
        for column in SORT_COLUMNS[query.sort]:
            ordered = column.desc() if query.descending else column.asc()
            order.append(ordered.nulls_last() if column is PatientListFacts.next_due_on else ordered)
        # Every patient has facts (written at registration, by 0013 for older ones), so the next-deadline order may
        # join them inner and walk their index; the other orders keep a patient whose facts are missing.
        statement = select(Patient, PatientListFacts)
        if query.sort == "next_due_on":
            statement = statement.join(PatientListFacts, PatientListFacts.patient_id == Patient.id)
        else:
            statement = _joined(statement)
        rows = await self.session.execute(statement.where(*conditions).order_by(*order).limit(limit).offset(offset))
        total = await self.session.scalar(_joined(select(func.count()).select_from(Patient)).where(*conditions))
        return [(patient, facts) for patient, facts in rows.tuples()], int(total or 0)

    async def nurse_loads(self) -> list[dict[str, Any]]:
        """Per 担当保健師 named on patients: their districts and how many patients, registered, with alerts."""
        registered = Patient.status != "excluded"
        rows = await self.session.execute(
            _joined(
                select(
                    Patient.nurse,
                    func.array_agg(func.distinct(Patient.district)),
                    func.count(),
                    func.count().filter(registered),
                    func.count().filter(and_(registered, PatientListFacts.alert_count > 0)),
                    func.count().filter(and_(registered, PatientListFacts.urgent_count > 0)),
                ).select_from(Patient)
            )
            .group_by(Patient.nurse)
            .order_by(Patient.nurse)
        )
        keys = ("nurse", "districts", "total", "active", "with_alerts", "urgent")
        return [dict(zip(keys, row, strict=True)) for row in rows.tuples()]

    async def mark_stale(self, patient_id: uuid.UUID) -> None:
        """Marks a patient's facts to be judged again at the next reading (a result or care record changed)."""
        await self.session.execute(
            update(PatientListFacts).where(PatientListFacts.patient_id == patient_id).values(computed_on=date.min)
        )

    async def store_facts(self, patient_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Replaces a patient's list facts (no version: they are derived, and refreshed whenever judged)."""
        statement = pg_insert(PatientListFacts).values(patient_id=patient_id, **values)
        await self.session.execute(statement.on_conflict_do_update(index_elements=["patient_id"], set_=values))
