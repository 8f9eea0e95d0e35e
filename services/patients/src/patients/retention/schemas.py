"""API shapes of the retention rule."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class RetentionRuleRead(BaseModel):
    """The setting and its basis, as the settings and help screens show them."""

    years: int
    legal_years: int
    basis: str
    confirmed: bool  # the legal figure is confirmed (TB_PRACTICE §1.1 [S])


class DueRead(BaseModel):
    """A registration record whose retention period has ended (no name: the list itself is not personal)."""

    patient_id: uuid.UUID
    registration_no: str
    excluded_on: date
    exclusion_reason: str
    expires_on: date


class DueList(BaseModel):
    """What the retention rule would delete today (the dry run)."""

    today: date
    rule: RetentionRuleRead
    due: list[DueRead]


class DeletionRequest(BaseModel):
    """Deletes these registration records (each must be on today's due list) for the reason given."""

    patient_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=1, max_length=500)


class DeletionRead(BaseModel):
    """The record of one deletion."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    registration_no: str
    excluded_on: date
    deleted_on: date
    deleted_at: datetime
    deleted_by: str
    deleted_by_name: str
    reason: str
    retention_years: int
    rows_deleted: int
