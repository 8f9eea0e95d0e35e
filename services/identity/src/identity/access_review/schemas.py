"""What the access review API reads and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import Text

from identity.access_review.models import AccessFinding, AccessReviewMark
from identity.access_review.rules import RULES

REVIEW_STATUSES = {"ok": "確認済・問題なし", "check": "要確認", "guidance": "指導"}
STATUS_LABELS = {"unreviewed": "未確認", **REVIEW_STATUSES}


class RuleRead(BaseModel):
    """A rule as the review list explains it."""

    code: str
    name: str
    explanation: str
    level: str


class RunReport(BaseModel):
    """What one run of the analysis did."""

    days: int
    findings: int
    analysed_seq: int
    seconds: float


class MarkRead(BaseModel):
    """One review decision."""

    model_config = ConfigDict(from_attributes=True)

    status: str
    status_label: str = ""
    note: str
    reviewer: str
    marked_at: datetime

    @classmethod
    def of(cls, mark: AccessReviewMark) -> MarkRead:
        """The decision with its Japanese label."""
        return cls.model_validate(mark).model_copy(update={"status_label": STATUS_LABELS[mark.status]})


class FindingRead(BaseModel):
    """A finding on the review list, with its evidence and (on its own page) every decision."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule: str
    rule_name: str = ""
    level: str = ""
    user_id: str
    username: str
    day: date
    person_id: str | None
    summary: str
    access_count: int
    evidence: list[dict[str, Any]]
    found_at: datetime
    status: str
    status_label: str = ""
    reviewer: str | None
    reviewed_at: datetime | None
    note: str
    version: int
    marks: list[MarkRead] = []

    @classmethod
    def of(cls, row: AccessFinding, marks: list[AccessReviewMark] | None = None) -> FindingRead:
        """The row with the rule's name and level and the status in Japanese."""
        rule = RULES[row.rule]
        return cls.model_validate(row).model_copy(
            update={
                "rule_name": rule.name,
                "level": rule.level,
                "status_label": STATUS_LABELS[row.status],
                "marks": [MarkRead.of(mark) for mark in marks or []],
            }
        )


class FindingPage(BaseModel):
    """A page of the review list and how many findings match in all."""

    items: list[FindingRead]
    total: int


class ReviewIn(BaseModel):
    """An auditor's decision on a finding, based on the version they read."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "check", "guidance"]
    note: Text = Field(default="", max_length=2000)
    version: int


class ProtectedPersonIn(BaseModel):
    """A person to protect and why."""

    model_config = ConfigDict(extra="forbid")

    person_id: Text = Field(min_length=1, max_length=100)
    reason: Text = Field(min_length=1, max_length=200)


class ProtectedPersonRead(BaseModel):
    """A protected person as listed."""

    model_config = ConfigDict(from_attributes=True)

    person_id: str
    reason: str
    added_by: str
    added_at: datetime


class SummaryLine(BaseModel):
    """One rule's findings of the month by review state."""

    rule: str
    rule_name: str
    total: int
    by_status: dict[str, int]


class SummaryRead(BaseModel):
    """A month's findings per rule, for the monthly report."""

    since: date
    until: date
    lines: list[SummaryLine]
    total: int
    unreviewed: int

    @classmethod
    def of(cls, since: date, until: date, counts: list[tuple[str, str, int]]) -> SummaryRead:
        """Every rule, with zeros for rules that found nothing."""
        lines = []
        for code, rule in RULES.items():
            by_status = {label: 0 for label in STATUS_LABELS.values()}
            for rule_code, status, count in counts:
                if rule_code == code:
                    by_status[STATUS_LABELS[status]] += count
            lines.append(
                SummaryLine(rule=code, rule_name=rule.name, total=sum(by_status.values()), by_status=by_status)
            )
        unreviewed = sum(count for _, status, count in counts if status == "unreviewed")
        return cls(
            since=since, until=until, lines=lines, total=sum(line.total for line in lines), unreviewed=unreviewed
        )
