"""What the document API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator
from tbms_core.jp.fields import OptionalDate
from tbms_core.jp.wareki import format_both

from reports.contact_form.registry import ALL_CONTACT_FORMS
from reports.document.filing import OWNER_TYPES
from reports.forms.board_registry import BOARD_FORMS
from reports.forms.registry import FORMS
from reports.request_letter.letters import F20, LETTERS

if TYPE_CHECKING:
    from reports.document.models import Document


class DocumentCreate(BaseModel):
    """A request to print one form about one patient."""

    form: str = Field(min_length=1, max_length=20, examples=["F03"])
    patient_id: uuid.UUID
    on: OptionalDate = None  # the day the form is printed for: picks the template version in force (today if none)
    # the record the form is about when the patient has several (F29: which 管理検診); the form's own choice if none
    record_id: uuid.UUID | None = None
    # the period a form prints (F06 経過記録: the notes from and to these days, both included); none: every record
    period_from: OptionalDate = None
    period_to: OptionalDate = None

    @model_validator(mode="after")
    def _period_in_order(self) -> DocumentCreate:
        if self.period_from and self.period_to and self.period_to < self.period_from:
            start = format_both(self.period_from)
            raise ValueError(f"期間の終わりは始まり（{start}）と同じ日かそれより後の日にしてください。")
        return self


# every printable form by id, for the titles of filed documents
TITLED = {
    **FORMS,
    **BOARD_FORMS,
    **{form: spec for form, (spec, _) in LETTERS.items()},
    F20.id: F20,
    **ALL_CONTACT_FORMS,
}


class DocumentRead(BaseModel):
    """A stored document's metadata (never its content)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    owner_type: str  # the record it is filed with: patient, contact, request, board_session, screening_day
    owner_label: str
    owner_id: uuid.UUID
    patient_id: uuid.UUID | None
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
    approved_at: datetime | None = None  # when its 回議 was approved: the content is then the stamped copy
    original_version_id: str | None = None  # the version as first printed, before the stamps

    @classmethod
    def of(cls, document: Document) -> DocumentRead:
        """The API view of a document, with its form's Japanese title."""
        spec = TITLED.get(document.kind)
        fields = {name: getattr(document, name) for name in cls.model_fields if name not in ("title", "owner_label")}
        title, owner = spec.title if spec else document.kind, OWNER_TYPES.get(document.owner_type, document.owner_type)
        return cls.model_validate({**fields, "title": title, "owner_label": owner})


class DocumentPage(BaseModel):
    """One page of a record's documents, newest first."""

    items: list[DocumentRead]
    total: int
