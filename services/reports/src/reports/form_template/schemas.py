"""What the form and template API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import FlexibleDate, Text


class FormTemplateCreate(BaseModel):
    """A new version of a form's template (様式改正), in force from its effective date."""

    revision: Text = Field(min_length=1, max_length=20, examples=["2"])
    effective_from: FlexibleDate
    html: str = Field(min_length=1, max_length=500_000)
    css: str = Field(default="", max_length=200_000)
    note: Text = Field(default="", max_length=1000)


class FormTemplateRead(BaseModel):
    """One version of a form's template (the built-in one has no id and no effective date)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID | None
    form_id: str
    revision: str
    template_version: str
    effective_from: date | None
    note: str
    created_by_name: str
    created_at: datetime | None
    in_force: bool = False


class RequiredItemRead(BaseModel):
    """A required item of a form and the section of the record page where it is filled in."""

    key: str
    label: str
    section: str


class FormRead(BaseModel):
    """A printable form: id, title, genre and the items its missing-data check looks at."""

    id: str
    title: str
    genre: str
    required: list[RequiredItemRead]


class FormCheck(BaseModel):
    """Before printing: which required items would print empty, and which template version would be used."""

    form: str
    patient_id: uuid.UUID
    on: date
    template_version: str
    missing: list[RequiredItemRead]


class FormTemplateSource(BaseModel):
    """The HTML and CSS of one version of a form's template (the built-in files for the built-in one): what an
    administrator starts a new version from."""

    form_id: str
    revision: str
    template_version: str
    builtin: bool
    html: str
    css: str
