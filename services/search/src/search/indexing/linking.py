"""Hits built from more than one record: a contact shows its index patients, a patient its DOTS state.

Each record's own document is kept (links.py) so that an event of the other record rebuilds the hit with the same
version (`refresh`), while the record's own events still go through the ledger of versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import ContactSnapshot
from tbms_contracts.patients import CareRecordSnapshot, PatientSnapshot
from tbms_core.clock import today

from search.engine.base import SearchDocument, SearchEngine
from search.indexing.documents import (
    contact_document,
    index_patient_ids,
    patient_document,
    plan_in_force,
    with_dots,
    with_index,
)
from search.indexing.repository import LinkRepository, PlanFacts

DOTS_PLAN = "dots_plan"
# The patient's deadline kinds that carry the next 服薬確認 (patients' dots/alerts.py): due, or overdue once passed.
DOTS_DUE_KINDS = frozenset({"dots_confirmation_due", "dots_confirmation_overdue"})


async def patient_hit(
    session: AsyncSession, patient: PatientSnapshot, raw: Mapping[str, Any] | None = None
) -> tuple[SearchDocument, bool]:
    """Keeps the patient's document and returns it with the DOTS state; True when what contacts show changed."""
    links = LinkRepository(session)
    row = await links.lock_patient(patient.id)
    base = patient_document(patient, raw)
    shown = {"registration_no": patient.registration_no, "name": patient.name, "district": patient.district}
    changed = await links.save_patient(row, patient.version, base.to_json(), **shown)
    plan = plan_in_force(await links.plans_of(patient.id), today())
    return with_dots(base, plan, row.dots_due_on), changed


async def index_patient(
    session: AsyncSession, engine: SearchEngine, patient: PatientSnapshot, raw: Mapping[str, Any] | None = None
) -> None:
    """Indexes a patient with its DOTS state; its contacts follow a new name, number or district."""
    document, changed = await patient_hit(session, patient, raw)
    await engine.index(document)
    if changed:
        await refresh_contacts_of(session, engine, patient.id)


async def refresh_patient(session: AsyncSession, engine: SearchEngine, patient_id: str) -> None:
    """Rebuilds a patient's hit after a DOTS change (nothing while the patient itself was not indexed)."""
    links = LinkRepository(session)
    row = await links.lock_patient(patient_id)
    if row.document is None:
        return
    plan = plan_in_force(await links.plans_of(patient_id), today())
    await engine.index(with_dots(SearchDocument.from_json(row.document), plan, row.dots_due_on), refresh=True)


async def contact_hit(session: AsyncSession, contact: ContactSnapshot) -> SearchDocument:
    """Keeps the contact's document and links, and returns it with its index patients."""
    links = LinkRepository(session)
    base, ids = contact_document(contact), index_patient_ids(contact)
    for patient_id in sorted(ids):  # as a patient's event does: whichever of the two commits second sees the other
        await links.lock_patient(patient_id)
    await links.save_contact(contact.id, contact.version, ids, base.to_json())
    return with_index(base, await links.index_patients(ids))


async def index_contact(session: AsyncSession, engine: SearchEngine, contact: ContactSnapshot) -> None:
    """Indexes a contact with its index patients' numbers, names and district."""
    await engine.index(await contact_hit(session, contact))


async def refresh_contacts_of(session: AsyncSession, engine: SearchEngine, patient_id: str) -> None:
    """Rebuilds the hits of an index patient's contacts (their own versions unchanged)."""
    links = LinkRepository(session)
    for row in await links.contacts_of(patient_id):
        patients = await links.index_patients(row.index_patient_ids)
        await engine.index(with_index(SearchDocument.from_json(row.document), patients), refresh=True)


async def keep_plan(session: AsyncSession, record: CareRecordSnapshot) -> bool:
    """Keeps a newer version of a DOTS plan; False for other care records and for older versions."""
    if record.kind != DOTS_PLAN:
        return False
    data = record.data
    facts = PlanFacts(
        starts_on=date.fromisoformat(str(data["starts_on"])),
        ends_on=date.fromisoformat(str(data["ends_on"])) if data.get("ends_on") else None,
        dots_type=str(data.get("dots_type") or ""),
        dots_type_label=record.labels.get("dots_type", str(data.get("dots_type") or "")),
        intensity=str(data.get("intensity") or ""),
    )
    return await LinkRepository(session).save_plan(record.id, record.patient_id, record.version, facts)
