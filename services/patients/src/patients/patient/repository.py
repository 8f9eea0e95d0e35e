"""Every query of the patient module; never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select, text
from tbms_core.repository import Repository

from patients.patient.errors import PatientNotFound
from patients.patient.models import Patient

FULL_WIDTH_SPACE = "\u3000"  # an IME's space: the same reading as with an ASCII space


def same_reading(stored: str, typed: str) -> bool:
    """True when two readings differ at most in the width of their spaces."""
    return stored.replace(FULL_WIDTH_SPACE, " ") == typed.replace(FULL_WIDTH_SPACE, " ")


class PatientRepository(Repository[Patient]):
    """Reads and writes patients in the caller's unit of work."""

    model = Patient
    not_found = PatientNotFound

    async def possible_duplicates(self, *, name_kana: str, name_key: str, birth_date: date | None) -> list[Patient]:
        """Patients with the same reading and birth date, or the same folded name (at most 20)."""
        conditions = []
        if name_kana and birth_date:
            folded = func.replace(Patient.name_kana, FULL_WIDTH_SPACE, " ")
            conditions.append(
                and_(folded == name_kana.replace(FULL_WIDTH_SPACE, " "), Patient.birth_date == birth_date)
            )
        if name_key:
            conditions.append(Patient.name_key == name_key)
        if not conditions:
            return []
        rows = await self.session.scalars(
            select(Patient).where(or_(*conditions)).order_by(Patient.registered_on.desc()).limit(20)
        )
        return list(rows)

    async def next_sequence(self, year: int) -> int:
        """The next 登録番号 sequence of a year, issued atomically."""
        result = await self.session.execute(
            text(
                "INSERT INTO registration_counters (year, last) VALUES (:y, 1) "
                "ON CONFLICT (year) DO UPDATE SET last = registration_counters.last + 1 RETURNING last"
            ),
            {"y": year},
        )
        return int(result.scalar_one())
