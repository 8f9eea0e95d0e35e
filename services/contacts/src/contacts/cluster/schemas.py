"""What the transmission picture returns: people as nodes, exposures and illnesses as edges."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

BASIS = (
    "発病した接触者は、患者として登録したとき（引継ぎ、または登録済みの患者として接触者登録）に結び付けた患者と、"
    "結び付けのない接触者は氏名と生年月日が同じ登録患者と同じ人として結んでいます。"
)


class NodeRead(BaseModel):
    """A person in the cluster: an index patient (the first or one who fell ill) or a contact."""

    key: str  # "p:<patient id>" or "c:<contact id>"
    kind: str  # index, patient, contact
    record_id: uuid.UUID
    name: str
    generation: int  # 0 the first index; each exposure or illness one more
    outcome: str = ""  # a contact's outcome (disease = 発病)
    outcome_label: str = ""
    status: str = ""


class EdgeRead(BaseModel):
    """An exposure (index → contact) or an illness (contact → the patient they became)."""

    source: str
    target: str
    kind: str  # exposure, became_patient
    label: str


class ClusterRead(BaseModel):
    """The cluster around one index patient, as far as the registered facts reach."""

    index_patient_id: uuid.UUID
    nodes: list[NodeRead]
    edges: list[EdgeRead]
    truncated: bool  # more people than the picture shows
    basis: str = BASIS
