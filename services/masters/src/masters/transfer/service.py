"""Importing and exporting masters: a file read into a preview, applied all or nothing; every kind as CSV or Excel."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import now, today
from tbms_core.jp.text import normalize_input

from masters.master.repository import MasterRepository
from masters.master.schemas import MasterRow
from masters.master.service import MasterService, kind_of
from masters.master.spec import FieldSpec, MasterKind
from masters.transfer import columns
from masters.transfer.errors import ColumnsNotUnderstood, ImportAlreadyApplied, ImportHasErrors, ImportOutdated
from masters.transfer.files import Table, read_table
from masters.transfer.models import APPLIED, MasterImport
from masters.transfer.repository import ImportRepository
from masters.transfer.schemas import ImportCounts, MasterFile, StoredImportRow

SERVICE = "masters"
# Kinds that name people (医師, 診査会委員, 担当保健師, and the 保健所長 of 保健所・自治体 and of the letterhead):
# reading them in bulk is audited as personal data (N05).
PERSONAL_KINDS = frozenset({"doctor", "board_member", "staff_assignment", "municipality", "letterhead"})
NO_HEADER = "見出しのない列に値があります。列を消すか、1行目に見出しを入れてください。"
MOVED_ON = "確認後に他の利用者が更新"
MAX_FILENAME = 255


class TransferService:
    """What staff do with whole masters: download one, upload a file, look at what it would change, apply it."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.masters = MasterService(session, principal)
        self.records = MasterRepository(session)
        self.imports = ImportRepository(session)

    async def export(self, kind: str, extension: str) -> MasterFile:
        """Every record of a kind, ended ones too, under the kind's Japanese headers."""
        spec = kind_of(kind)
        records = await self.masters.every(spec.kind)
        rows = [columns.cells(spec, record) for record in records]
        if spec.kind in PERSONAL_KINDS:
            await self._audit(Operation.EXPORT, "master_record", query=spec.kind, detail=f"{extension} {len(rows)}件")
        filename = f"{spec.label}_{today():%Y%m%d}.{extension}"
        return MasterFile(filename, spec.label, columns.header(spec), rows)

    async def preview(self, kind: str, filename: str, content: bytes) -> MasterImport:
        """Reads a file and keeps it with what each row would do; no master record changes."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = kind_of(kind)
        table = read_table(content)
        try:
            matched = columns.match_header(spec, table.header)
        except columns.HeaderMismatch as exc:
            raise ColumnsNotUnderstood(exc.missing, exc.unknown, exc.repeated, spec.label) from None
        rows, problems = _rows(table, matched)
        await self._keep_absent_columns(spec, rows, {column.key for column in matched if column is not None})
        stored = await self._checked(spec, rows, problems)
        item = MasterImport(
            id=uuid.uuid4(),
            kind=spec.kind,
            filename=filename[:MAX_FILENAME],
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            rows=stored,
            counts=_counts(stored).model_dump(),
            created_by=self.principal.user_id,
            created_at=now(),
        )
        await self.imports.add(item)
        if spec.kind in PERSONAL_KINDS:
            await self._audit(Operation.READ, "master_import", record_id=item.id, detail=f"取込の確認（{filename}）")
        return item

    async def shown(self, import_id: uuid.UUID) -> MasterImport:
        """An import's preview as it was made (and whether it was applied)."""
        self.principal.require(Area.MASTERS, Access.READ)
        item = await self.imports.get(import_id)
        if item.kind in PERSONAL_KINDS:
            await self._audit(Operation.READ, "master_import", record_id=item.id, detail=item.filename)
        return item

    async def original(self, import_id: uuid.UUID) -> MasterImport:
        """An import with the file exactly as it was uploaded."""
        self.principal.require(Area.MASTERS, Access.READ)
        item = await self.imports.get(import_id)
        if item.kind in PERSONAL_KINDS:
            await self._audit(Operation.DOWNLOAD, "master_import", record_id=item.id, detail=item.filename)
        return item

    async def apply(self, import_id: uuid.UUID) -> MasterImport:
        """Applies every new and changed row in this transaction, or none: refused while a row is wrong, once it
        is applied, and when a record it compared was changed since the preview."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        item = await self.imports.locked(import_id)
        if item.status == APPLIED:
            raise ImportAlreadyApplied()
        if item.counts.get("error"):
            raise ImportHasErrors(item.counts["error"])
        spec = kind_of(item.kind)
        rows = [StoredImportRow.model_validate(row) for row in item.rows]
        current = await self.records.of_codes(spec.kind, [row.code for row in rows])
        moved = {
            row.line: f"{row.code} {MOVED_ON}"
            for row in rows
            if (current[row.code].version if row.code in current else None) != row.version
        }
        if moved:
            raise ImportOutdated(moved)
        pending = [row.input for row in rows if row.status in ("new", "changed")]
        applied = await self.masters.apply_rows(spec.kind, pending, reason=f"一括取込（{item.filename}）")
        item.status, item.applied_at, item.applied_by = APPLIED, now(), self.principal.user_id
        detail = f"{spec.label} {item.filename}: 新規{applied.new}件・変更{applied.changed}件"
        await self._audit(Operation.UPDATE, "master_import", record_id=item.id, detail=detail)
        return item

    async def _checked(self, spec: MasterKind, rows: list[MasterRow], problems: set[int]) -> list[dict[str, Any]]:
        """Each row as the preview keeps it: what it would do, the row as read, the version it was compared with."""
        checks = await self.masters.check_rows(spec.kind, rows)
        known = await self.records.of_codes(spec.kind, [check.code for check in checks if check.status != "error"])
        stored = []
        for row, check in zip(rows, checks, strict=True):
            if row.line in problems:
                check = check.model_copy(update={"status": "error", "errors": {"_": NO_HEADER} | check.errors})
            record = known.get(check.code) if check.status != "error" else None
            version = record.version if record is not None else None
            stored.append(StoredImportRow(**check.model_dump(), version=version, input=row).model_dump(mode="json"))
        return stored

    async def _keep_absent_columns(self, spec: MasterKind, rows: list[MasterRow], present: set[str]) -> None:
        """A column the file leaves out keeps each existing record's value (rather than blanking it)."""
        absent = [column for column in spec.columns() if column.key not in present and column.key != "code"]
        if not absent:
            return
        known = await self.records.of_codes(spec.kind, [normalize_input(row.code) for row in rows if row.code])
        for row in rows:
            record = known.get(normalize_input(row.code))
            if record is not None:
                _fill(row, absent, {"name": record.name, "kana": record.kana, **record.data} | _period(record))

    async def _audit(self, operation: Operation, record_type: str, **what: Any) -> None:
        await audit.record(self.session, self.principal, SERVICE, operation, record_type=record_type, **what)


def _rows(table: Table, matched: Sequence[FieldSpec | None]) -> tuple[list[MasterRow], set[int]]:
    """Each data row as the core reads one (text as typed), and the lines with a value under no header."""
    rows, problems = [], set()
    for line, cells in zip(table.lines, table.rows, strict=True):
        row = MasterRow(line=line)
        for position, text in enumerate(cells):
            column = matched[position] if position < len(matched) else None
            if column is None:
                if text.strip():
                    problems.add(line)
            elif column.key in columns.RECORD_KEYS:
                setattr(row, column.key, columns.typed(text))
            else:
                row.data[column.key] = columns.typed(text)
        rows.append(row)
    return rows, problems


def _fill(row: MasterRow, absent: Sequence[FieldSpec], values: dict[str, Any]) -> None:
    for column in absent:
        if column.key in columns.RECORD_KEYS:
            setattr(row, column.key, values.get(column.key))
        else:
            row.data[column.key] = values.get(column.key)


def _period(record: Any) -> dict[str, Any]:
    return {"valid_from": record.valid_from, "valid_to": record.valid_to}


def _counts(rows: Sequence[dict[str, Any]]) -> ImportCounts:
    found = Counter(row["status"] for row in rows)
    return ImportCounts(**{status: found.get(status, 0) for status in ("new", "changed", "unchanged", "error")})
