"""Keeping and reading the edit history; a version row is written in the change's own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal
from tbms_core.changes import Changes
from tbms_core.db import flush_versioned

from patients.code_list.book import CodeBook
from patients.code_list.service import code_book
from patients.custom_field.labels import CustomFieldLabels
from patients.custom_field.repository import FieldDefinitionRepository
from patients.history.labels import RECORD_LABELS, field_label, format_value
from patients.history.models import RecordVersion
from patients.history.repository import RecordVersionRepository
from patients.history.schemas import FieldChangeRead, HistoryEntryRead


class HistoryService:
    """Keeps who changed what, from what to what and why, in the caller's transaction; reads it back as a timeline."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.versions = RecordVersionRepository(session)

    async def save_change(
        self,
        record: Any,
        *,
        assignments: Mapping[str, Any],
        record_type: str,
        person_id: uuid.UUID,
        changes: Changes,
        reason: str | None,
    ) -> None:
        """Applies a correction to a versioned record (409 when somebody saved first) and keeps its version row."""
        for name, value in assignments.items():
            setattr(record, name, value)
        record.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        await self.session.refresh(record)
        await self.record_change(
            record_type=record_type,
            record_id=record.id,
            person_id=person_id,
            version=record.version,
            changes=changes,
            reason=reason,
        )

    async def record_change(
        self,
        *,
        record_type: str,
        record_id: uuid.UUID,
        person_id: uuid.UUID,
        version: int,
        changes: Changes,
        reason: str | None,
    ) -> None:
        """Stores one version row in the caller's transaction."""
        await self.versions.add(
            RecordVersion(
                record_type=record_type,
                record_id=record_id,
                person_id=person_id,
                version=version,
                changed_by=self.principal.user_id,
                changed_by_name=self.principal.display_name or self.principal.username,
                reason=reason or None,
                changes=changes,
            )
        )

    async def timeline(self, person_id: uuid.UUID) -> list[HistoryEntryRead]:
        """Every saved change about a person, newest first, with labels and formatted values."""
        rows = await self.versions.of_person(person_id)
        custom = CustomFieldLabels(await FieldDefinitionRepository(self.session).of_target())
        codes = await code_book(self.session)
        return [_entry(row, custom, codes) for row in rows]


# The items whose codes masters' コード表 holds (a code added in マスタ管理 reads by its label too).
CODED = {"occupation": "occupation", "exclusion_reason": "exclusion_reason", "regimen": "regimen"}


def _entry(row: RecordVersion, custom: CustomFieldLabels, codes: CodeBook) -> HistoryEntryRead:
    changes = [_change(row.record_type, name, old, new, custom, codes) for name, (old, new) in row.changes.items()]
    return HistoryEntryRead(
        record_type=row.record_type,
        record_label=RECORD_LABELS.get(row.record_type, row.record_type),
        record_id=row.record_id,
        version=row.version,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        changed_by_name=row.changed_by_name,
        reason=row.reason,
        changes=changes,
    )


def _coded(codes: CodeBook, name: str, value: Any) -> str | None:
    """The コード表 label of a coded item's value, ended codes too; None for other items."""
    listed = CODED.get(name)
    return codes.labels(listed).get(value) if listed and isinstance(value, str) else None


def _change(
    record_type: str, name: str, old: Any, new: Any, custom: CustomFieldLabels, codes: CodeBook
) -> FieldChangeRead:
    """One changed field; configurable fields (`custom.<key>`) and definitions are named by their own labels."""
    label = custom.label(record_type, name) or field_label(name, record_type)
    old_text = custom.value(record_type, name, old) or _coded(codes, name, old) or format_value(name, old)
    new_text = custom.value(record_type, name, new) or _coded(codes, name, new) or format_value(name, new)
    return FieldChangeRead(field=name, label=label, old=old_text, new=new_text)
