"""What the attachment API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, field_validator
from tbms_core.jp.fields import OptionalDate, Text, known_choice, not_future

from reports.sniffing import ACCEPTED

if TYPE_CHECKING:
    from reports.attachment.models import Attachment, AttachmentFile

# 資料の種類
KINDS = {
    "medical_certificate": "診断書",
    "referral": "紹介状",
    "test_result": "検査結果",
    "imaging_report": "画像所見",
    "reply": "回答書",
    "other": "その他",
}
OWNER_TYPES = {"patient": "患者", "contact": "接触者", "review_case": "診査会", "request": "依頼・回答"}


class AttachmentDetails(BaseModel):
    """The description a user gives a file when uploading it (the file itself comes as multipart)."""

    kind: str = Field(examples=["referral"])
    title: Text = Field(default="", max_length=200)
    document_date: OptionalDate = None
    note: Text = Field(default="", max_length=2000)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if not value:
            raise ValueError("資料の種類を選んでください。")
        return known_choice(KINDS, "資料の種類", value) or value

    _not_future = field_validator("document_date")(not_future)


class AttachmentOwner(BaseModel):
    """Which record the files belong to, and whose personal data they are (defaults to the owner)."""

    owner_type: str
    owner_id: uuid.UUID
    person_id: uuid.UUID | None = None

    @field_validator("owner_type")
    @classmethod
    def _known_owner(cls, value: str) -> str:
        return known_choice(OWNER_TYPES, "資料の対象", value) or value

    @property
    def person(self) -> uuid.UUID:
        """Whose personal data: the person named, else the owner (a patient or contact is a person)."""
        return self.person_id or self.owner_id


class AttachmentWithdraw(BaseModel):
    """Withdrawing an attachment (取り下げ): nothing is deleted, a reason is required."""

    reason: Text = Field(min_length=1, max_length=1000)
    version: int


class AttachmentFileRead(BaseModel):
    """One stored version of the file."""

    number: int
    filename: str
    content_type: str
    type_label: str
    previewable: bool
    size: int
    sha256: str
    scanned_by: str
    uploaded_by: str
    uploaded_by_name: str
    uploaded_at: datetime

    @classmethod
    def of(cls, file: AttachmentFile) -> AttachmentFileRead:
        """The API view of one version."""
        file_type = ACCEPTED.get(file.content_type)
        return cls(
            number=file.number,
            filename=file.filename,
            content_type=file.content_type,
            type_label=file_type.label if file_type else file.content_type,
            previewable=bool(file_type and file_type.previewable),
            size=file.size,
            sha256=file.sha256,
            scanned_by=file.scanned_by,
            uploaded_by=file.uploaded_by,
            uploaded_by_name=file.uploaded_by_name,
            uploaded_at=file.uploaded_at,
        )


class AttachmentRead(BaseModel):
    """An attachment with its current file and every earlier version."""

    id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    person_id: uuid.UUID
    kind: str
    kind_label: str
    title: str
    document_date: date | None
    note: str
    version: int
    withdrawn: bool
    withdrawn_at: datetime | None
    withdrawn_reason: str
    created_by_name: str
    created_at: datetime
    current: AttachmentFileRead
    versions: list[AttachmentFileRead]

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentRead:
        """The API view of an attachment, newest version first in `versions`."""
        return cls(
            id=attachment.id,
            owner_type=attachment.owner_type,
            owner_id=attachment.owner_id,
            person_id=attachment.person_id,
            kind=attachment.kind,
            kind_label=KINDS.get(attachment.kind, attachment.kind),
            title=attachment.title,
            document_date=attachment.document_date,
            note=attachment.note,
            version=attachment.version,
            withdrawn=attachment.withdrawn_at is not None,
            withdrawn_at=attachment.withdrawn_at,
            withdrawn_reason=attachment.withdrawn_reason,
            created_by_name=attachment.created_by_name,
            created_at=attachment.created_at,
            current=AttachmentFileRead.of(attachment.current),
            versions=[AttachmentFileRead.of(f) for f in sorted(attachment.files, key=lambda f: -f.number)],
        )


class AttachmentPage(BaseModel):
    """A record's attachments, newest first."""

    items: list[AttachmentRead]
    total: int
