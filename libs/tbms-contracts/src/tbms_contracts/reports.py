"""Events of the reports service: documents (generated forms, stored files) and their storage facts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class DocumentGenerated(BaseModel):
    """A form was rendered to PDF and stored with its record; carries no personal data beyond the record's id."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.reports.document.generated.v1"

    document_id: str
    kind: str  # the form id, e.g. "F03"
    patient_id: str  # the patient the form is about; "" for a form about a contact, a request or a session
    object_key: str
    version_id: str | None = None
    sha256: str
    size: int
    content_type: str = "application/pdf"
    template_version: str
    data_version: str = ""  # the patient's version and a digest of the records' versions it was printed from
    created_by: str
    created_at: datetime
    owner_type: str = "patient"  # the record it is filed with: patient, contact, request, board_session
    owner_id: str = ""


class AttachmentStored(BaseModel):
    """A user stored a file (資料) with a record, or a new version of one; carries no content and no file name."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.reports.attachment.stored.v1"

    attachment_id: str
    owner_type: str  # patient, contact, review_case, request
    owner_id: str
    person_id: str
    kind: str
    number: int  # the file's version, 1 for a first upload
    content_type: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class AttachmentWithdrawn(BaseModel):
    """A stored file was withdrawn (取り下げ) with a reason; its versions stay in the store."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.reports.attachment.withdrawn.v1"

    attachment_id: str
    owner_type: str
    owner_id: str
    person_id: str
    reason: str
    withdrawn_by: str
    withdrawn_at: datetime
