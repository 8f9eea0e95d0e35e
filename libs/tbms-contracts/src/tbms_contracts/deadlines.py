"""A deadline: something a nurse or a team must do by a date, published by the service that owns the record.

Each domain computes the open deadlines of its records and publishes them (DeadlinesChanged) whenever a change or
the passing of a day alters them; the workflow service keeps one to-do per deadline key, so a deadline that moves
keeps its to-do and one that disappears closes it (R11, R17).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["danger", "warning", "info"]


class DeadlineRecord(BaseModel):
    """The record a deadline belongs to: the owning service, the aggregate type and its id."""

    model_config = ConfigDict(frozen=True)

    service: str  # e.g. "patients"
    aggregate: str  # e.g. "patient"
    id: str
    label: str = ""  # how a list names the record, e.g. 登録番号 and name


class Deadline(BaseModel):
    """What is due, by when, for whom, on which record, and the rule that set it (with its Japanese text)."""

    model_config = ConfigDict(frozen=True)

    key: str  # stable across snapshots: the same deadline keeps its key while its due date moves
    kind: str  # the rule id, e.g. "public_expense_expiring"
    rule: str  # the rule in Japanese, as a user reads why it is due
    what: str  # what to do, one short Japanese sentence
    due_on: date
    severity: Severity = "warning"
    nurse: str = ""  # the responsible nurse (user id or name as the owning record holds it); empty: the team's
    team: str = ""  # the team or district (地区) responsible
    record: DeadlineRecord


class DeadlinesChanged(BaseModel):
    """The open deadlines of one record as they are now, replacing all it published before.

    Published on `tbms.<service>.deadlines.changed.v1` in the transaction of the change that altered them (or by
    the owner's daily sweep when a date rule became due); `revision` grows with each, so an older one is ignored.
    """

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.{service}.deadlines.changed.v1"

    record: DeadlineRecord
    revision: int
    deadlines: list[Deadline] = []


def deadlines_subject(service: str) -> str:
    """The subject a service's DeadlinesChanged events travel on (in the service's own stream)."""
    return DeadlinesChanged.TYPE.format(service=service)


PATIENT_DEADLINES = deadlines_subject("patients")
CONTACT_DEADLINES = deadlines_subject("contacts")
