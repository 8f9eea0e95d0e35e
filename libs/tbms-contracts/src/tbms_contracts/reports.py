"""Events of the reports service: documents (generated forms, stored files) and their storage facts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class DocumentGenerated(BaseModel):
    """A form was rendered to PDF and stored; carries no personal data beyond the patient id."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.reports.document.generated.v1"

    document_id: str
    kind: str  # the form id, e.g. "F03"
    patient_id: str
    object_key: str
    version_id: str | None = None
    sha256: str
    size: int
    content_type: str = "application/pdf"
    template_version: str
    created_by: str
    created_at: datetime
