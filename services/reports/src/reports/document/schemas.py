"""What the document API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import OptionalDate

from reports.forms.registry import FORMS

if TYPE_CHECKING:
    from reports.document.models import Document


class DocumentCreate(BaseModel):
    """A request to print one form about one patient."""

    form: str = Field(min_length=1, max_length=20, examples=["F03"])
    patient_id: uuid.UUID
    on: OptionalDate = None  # the day the form is printed for: picks the template version in force (today if none)
    # the record the form is about when the patient has several (F29: which 管理検診); the form's own choice if none
    record_id: uuid.UUID | None = None


class DocumentRead(BaseModel):
    """A stored document's metadata (never its content)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    patient_id: uuid.UUID
    object_key: str
    version_id: str | None
    sha256: str
    size: int
    content_type: str
    template_version: str
    data_version: str
    created_by: str
    created_by_name: str
    created_at: datetime

    @classmethod
    def of(cls, document: Document) -> DocumentRead:
        """The API view of a document, with its form's Japanese title."""
        spec = FORMS.get(document.kind)
        fields = {name: getattr(document, name) for name in cls.model_fields if name != "title"}
        return cls.model_validate({**fields, "title": spec.title if spec else document.kind})


class DocumentPage(BaseModel):
    """One page of a patient's documents, newest first."""

    items: list[DocumentRead]
    total: int
