"""The transmission picture (感染の広がり): index → contacts → contacts who fell ill and were registered as patients
(the patient the contact is linked to, else one with the same name and birth date) → their contacts, as far as the
registered facts reach."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.jp.text import search_key

from contacts.cluster.repository import ClusterRepository
from contacts.cluster.schemas import ClusterRead, EdgeRead, NodeRead
from contacts.contact.export import OUTCOMES
from contacts.index_case.errors import IndexCaseNotFound

MAX_NODES = 300
OUTCOME_LABELS: dict[str, str] = {str(k): v for k, v in OUTCOMES.items()}
MAX_GENERATIONS = 6
DISEASE = "disease"


class ClusterService:
    """Builds the cluster around an index patient for a user who may read contacts."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.cluster = ClusterRepository(session)

    async def around(self, patient_id: uuid.UUID) -> ClusterRead:
        """The cluster (audited as a read of the index patient's contacts)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        first = await self.cluster.find(patient_id)
        if first is None:
            raise IndexCaseNotFound()
        nodes = {
            f"p:{first.patient_id}": NodeRead(
                key=f"p:{first.patient_id}",
                kind="index",
                record_id=first.patient_id,
                name=first.name,
                generation=0,
                status=first.status,
            )
        }
        edges: list[EdgeRead] = []
        frontier, generation, truncated = [first.patient_id], 0, False
        while frontier and generation < MAX_GENERATIONS:
            ill = []
            for index_id, contact in await self.cluster.contacts_of(frontier):
                key = f"c:{contact.id}"
                if key not in nodes:
                    if len(nodes) >= MAX_NODES:
                        truncated = True
                        continue
                    nodes[key] = NodeRead(
                        key=key,
                        kind="contact",
                        record_id=contact.id,
                        name=contact.name,
                        generation=generation + 1,
                        outcome=contact.outcome,
                        outcome_label=OUTCOME_LABELS.get(contact.outcome, ""),
                        status=contact.status,
                    )
                    if contact.outcome == DISEASE and (contact.patient_id or contact.birth_date):
                        ill.append(contact)
                edges.append(EdgeRead(source=f"p:{index_id}", target=key, kind="exposure", label="接触"))
            frontier = []
            unlinked = [c for c in ill if not c.patient_id]
            candidates = await self.cluster.patients_born({c.birth_date for c in unlinked if c.birth_date})
            linked = {p.patient_id: p for p in await self.cluster.patients({c.patient_id for c in ill if c.patient_id})}
            for contact in ill:
                if contact.patient_id:  # linked at registration or hand-over: that patient, whatever the name now
                    same = [linked[contact.patient_id]] if contact.patient_id in linked else []
                else:
                    same = [
                        p
                        for p in candidates
                        if p.birth_date == contact.birth_date and search_key(p.name) == search_key(contact.name)
                    ]
                for patient in same[:1]:
                    key = f"p:{patient.patient_id}"
                    if key in nodes:
                        continue
                    nodes[key] = NodeRead(
                        key=key,
                        kind="patient",
                        record_id=patient.patient_id,
                        name=patient.name,
                        generation=generation + 2,
                        status=patient.status,
                    )
                    edges.append(
                        EdgeRead(source=f"c:{contact.id}", target=key, kind="became_patient", label="発病・患者登録")
                    )
                    frontier.append(patient.patient_id)
            generation += 2
        await audit.record(
            self.session,
            self.principal,
            "contacts",
            Operation.READ,
            record_type="contact_cluster",
            record_id=patient_id,
            person_id=patient_id,
            detail=f"{len(nodes)}人",
        )
        return ClusterRead(index_patient_id=patient_id, nodes=list(nodes.values()), edges=edges, truncated=truncated)
