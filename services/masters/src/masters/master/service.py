"""Keeping master data: create, correct and end records of every kind, with history, audit and MasterChanged."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import flush_versioned, utcnow
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope
from tbms_core.jp.text import normalize_input, search_key

from masters.master.checks import MasterValues, prepare
from masters.master.errors import MasterAlreadyEnded, MasterCodeTaken, MasterKindNotFound
from masters.master.kinds import KINDS, MasterKind
from masters.master.models import MasterRecord, MasterRecordVersion
from masters.master.repository import MasterRepository
from masters.master.schemas import (
    MasterApplied,
    MasterChange,
    MasterCreate,
    MasterEnd,
    MasterFilter,
    MasterHistoryEntryRead,
    MasterHistoryRead,
    MasterPage,
    MasterRead,
    MasterRow,
    MasterRowCheck,
    MasterSuggestion,
)
from masters.master.views import (
    Changes,
    created,
    describe,
    diff,
    master_read,
    proposed,
    record_key,
    stored,
    suggestion,
)

SERVICE = "masters"
CORRECTABLE = ("name", "kana", "valid_from", "valid_to")


def kind_of(key: str) -> MasterKind:
    """The kind with this key; unknown kinds answer 404."""
    if key not in KINDS:
        raise MasterKindNotFound()
    return KINDS[key]


class MasterService:
    """What staff do with master data: look it up, add a record, correct it, end it, read its history."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.records = MasterRepository(session)

    # Reading: reference data feeds every form, so every logged-in member of staff may read it (the token was
    # verified before the service was built), as /districts always allowed.

    def require_read(self) -> None:
        """Lets every logged-in user read master data."""

    def kinds(self) -> list[MasterKind]:
        """Every kind of master, in display order."""
        self.require_read()
        return list(KINDS.values())

    async def get(self, kind: str, code: str) -> MasterRead:
        """One record (ended ones too)."""
        self.require_read()
        return master_read(await self.records.get_code(kind_of(kind).kind, code))

    async def listing(self, kind: str, query: MasterFilter) -> MasterPage:
        """A page of a kind's records valid on a day (today unless given), or every one with include_ended."""
        self.require_read()
        spec = kind_of(kind)
        on = None if query.include_ended else (query.on or today())
        rows, total = await self.records.page(
            spec.kind, **_search(query.q), on=on, ordered=spec.ordered, limit=query.limit, offset=query.offset
        )
        return MasterPage(items=[master_read(row) for row in rows], total=total)

    async def suggest(self, kind: str, q: str = "", *, limit: int = 10, ref: str = "") -> list[MasterSuggestion]:
        """Type-ahead choices valid today; `ref` narrows by the kind's reference (a doctor's institution)."""
        self.require_read()
        spec = kind_of(kind)
        narrow = (spec.ref_key, normalize_input(ref)) if ref and spec.ref_key else None
        rows = await self.records.suggest(
            spec.kind, **_search(q), on=today(), ordered=spec.ordered, ref=narrow, limit=limit
        )
        return [suggestion(spec, row) for row in rows]

    async def history(self, kind: str, code: str) -> MasterHistoryRead:
        """Who changed the record, when, why and what, newest first."""
        self.require_read()
        spec = kind_of(kind)
        record = await self.records.get_code(spec.kind, code)
        entries = [
            MasterHistoryEntryRead(
                version=row.version,
                changed_at=row.changed_at,
                changed_by=row.changed_by,
                changed_by_name=row.changed_by_name,
                reason=row.reason,
                changes=describe(spec, row.changes),
            )
            for row in await self.records.versions_of(record.id)
        ]
        return MasterHistoryRead(items=entries)

    async def every(self, kind: str) -> list[MasterRead]:
        """Every record of a kind, ended ones too, in list order (for exports)."""
        self.require_read()
        spec = kind_of(kind)
        return [master_read(row) for row in await self.records.every(spec.kind, ordered=spec.ordered)]

    # Checking what a form or a file brings, before anything is saved.

    async def check(
        self,
        kind: str,
        code: object,
        name: object,
        kana: object,
        data: dict[str, Any],
        valid_from: object = None,
        valid_to: object = None,
    ) -> dict[str, str]:
        """The Japanese message per field that saving these values would meet; empty when they are valid."""
        self.require_read()
        _, errors = await self._prepare(kind_of(kind), code, name, kana, data, valid_from, valid_to, {})
        return errors

    async def check_rows(self, kind: str, rows: list[MasterRow]) -> list[MasterRowCheck]:
        """What saving each row would do: new, changed (field by field), unchanged, or its errors."""
        self.require_read()
        return [check for check, _, _ in await self._check_rows(kind_of(kind), rows)]

    # Changing: マスタ管理 更新.

    async def create(self, kind: str, data: MasterCreate) -> MasterRead:
        """Adds a record; its code must be new to the kind (codes of ended records are not reused)."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = kind_of(kind)
        values, errors = await self._prepare(
            spec, data.code, data.name, data.kana, data.data, data.valid_from, data.valid_to, {}
        )
        if values is None:
            raise InvalidInput(errors=errors)
        if await self.records.find_code(spec.kind, values.code) is not None:
            raise MasterCodeTaken(errors={"code": MasterCodeTaken.message})
        record = await self._insert(spec, values, data.reason)
        if not await self.records.flush_new():
            raise MasterCodeTaken(errors={"code": MasterCodeTaken.message})
        return master_read(record)

    async def change(self, kind: str, code: str, data: MasterChange) -> MasterRead:
        """Corrects a record from the version the user saw (409 when somebody saved since); the history keeps
        the old values."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = kind_of(kind)
        record = await self.records.get_code(spec.kind, code)
        record.check_version(data.version)
        unknown = {key for key in data.changes if key not in CORRECTABLE and spec.field(key) is None}
        if unknown:
            message = "この項目は変えられません。"
            raise InvalidInput(errors={key: message for key in sorted(unknown)})
        current = stored(record)
        merged = {key: data.changes.get(key, value) for key, value in current.items()}
        values, errors = await self._prepare(
            spec,
            record.code,
            merged["name"],
            merged["kana"],
            {field.key: merged.get(field.key) for field in spec.fields},
            merged["valid_from"],
            merged["valid_to"],
            {},
        )
        if values is None:
            raise InvalidInput(errors=errors)
        await self._update(spec, record, values, data.reason)
        return master_read(record)

    async def end(self, kind: str, code: str, data: MasterEnd) -> MasterRead:
        """Ends a record on a day (it stays, shown for the days it was valid); the only way to retire one."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = kind_of(kind)
        record = await self.records.get_code(spec.kind, code)
        record.check_version(data.version)
        if record.valid_to is not None:
            raise MasterAlreadyEnded()
        if data.valid_to < record.valid_from:
            raise InvalidInput(errors={"valid_to": "終了日が有効期間の開始日より前になっています。"})
        values = MasterValues(
            record.code, record.name, record.kana, dict(record.data), record.valid_from, data.valid_to
        )
        await self._update(spec, record, values, data.reason)
        return master_read(record)

    async def apply_rows(self, kind: str, rows: list[MasterRow], reason: str) -> MasterApplied:
        """Creates or changes many rows in the caller's transaction, all or nothing; unchanged rows stay as
        they are, so applying the same rows again changes nothing."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        spec = kind_of(kind)
        checked = await self._check_rows(spec, rows)
        errors = {
            f"{check.line}.{field}": message for check, _, _ in checked for field, message in check.errors.items()
        }
        if errors:
            raise InvalidInput("取り込めない行があります。各行のメッセージを確認してください。", errors=errors)
        applied = MasterApplied()
        for check, values, record in checked:
            if check.status == "new" and values is not None:
                await self._insert(spec, values, reason)
                applied.new += 1
            elif check.status == "changed" and values is not None and record is not None:
                await self._update(spec, record, values, reason)
                applied.changed += 1
            else:
                applied.unchanged += 1
        await flush_versioned(self.session)
        return applied

    # The parts every change shares.

    async def _prepare(
        self,
        spec: MasterKind,
        code: object,
        name: object,
        kana: object,
        data: dict[str, Any],
        valid_from: object,
        valid_to: object,
        seen: dict[tuple[str, str], MasterRecord | None],
    ) -> tuple[MasterValues | None, dict[str, str]]:
        """The stored values, or every message: the kind's own checks, then the records it refers to."""
        values, errors = prepare(spec, code, name, kana, data, valid_from, valid_to)
        if values is not None:
            errors = await self._reference_errors(spec, values, seen)
        return (values if not errors else None), errors

    async def _reference_errors(
        self, spec: MasterKind, values: MasterValues, seen: dict[tuple[str, str], MasterRecord | None]
    ) -> dict[str, str]:
        """A message for each reference (a doctor's 医療機関, an assignment's 地区) that is missing or ended."""
        errors: dict[str, str] = {}
        start, end = values.valid_from or today(), values.valid_to or date.max
        for field in spec.fields:
            code = values.data.get(field.key)
            if field.type != "ref" or not code:
                continue
            if (field.ref_kind, code) not in seen:
                seen[(field.ref_kind, code)] = await self.records.find_code(field.ref_kind, code)
            target, label = seen[(field.ref_kind, code)], KINDS[field.ref_kind].label
            if target is None:
                errors[field.key] = f"{label}「{code}」は登録されていません。コードを確認してください。"
            elif target.valid_from > end or (target.valid_to is not None and target.valid_to < start):
                unusable = "はこの有効期間には使えません（終了または開始前です）。"
                errors[field.key] = f"{label}「{target.name}」（{code}）{unusable}"
        return errors

    async def _check_rows(
        self, spec: MasterKind, rows: list[MasterRow]
    ) -> list[tuple[MasterRowCheck, MasterValues | None, MasterRecord | None]]:
        seen: dict[tuple[str, str], MasterRecord | None] = {}
        prepared = []
        for row in rows:
            values, errors = await self._prepare(
                spec, row.code, row.name, row.kana, row.data, row.valid_from, row.valid_to, seen
            )
            prepared.append((row, values, errors))
        existing = await self.records.of_codes(spec.kind, [values.code for _, values, _ in prepared if values])
        first_line: dict[str, int] = {}
        checked = []
        for row, values, errors in prepared:
            code = values.code if values else normalize_input(str(row.code or ""))
            if values is not None and code in first_line:
                errors = {"code": f"同じ{spec.code_label}の行が{first_line[code]}行目にもあります。"}
                values = None
            first_line.setdefault(code, row.line)
            record = existing.get(code)
            checked.append((_row_check(spec, row, code, values, record, errors), values, record))
        return checked

    async def _insert(self, spec: MasterKind, values: MasterValues, reason: str) -> MasterRecord:
        moment, after = utcnow(), proposed(values, None)
        record = MasterRecord(
            id=record_id(spec.kind, values.code),
            kind=spec.kind,
            code=values.code,
            name=values.name,
            kana=values.kana,
            search_key=record_key(values.name, values.kana),
            data=values.data,
            valid_from=date.fromisoformat(after["valid_from"]),
            valid_to=values.valid_to,
            version=1,
            created_at=moment,
            updated_at=moment,
            updated_by=self.principal.user_id,
        )
        self.records.stage(record)
        await self._keep(record, created(after), reason, Operation.CREATE)
        return record

    async def _update(self, spec: MasterKind, record: MasterRecord, values: MasterValues, reason: str) -> bool:
        changes = diff(stored(record), proposed(values, record))
        if not changes:
            return False
        record.name, record.kana, record.data = values.name, values.kana, values.data
        record.search_key = record_key(values.name, values.kana)
        record.valid_from = values.valid_from or record.valid_from
        record.valid_to = values.valid_to
        record.updated_at, record.updated_by = utcnow(), self.principal.user_id
        await flush_versioned(self.session)
        await self._keep(record, changes, reason, Operation.UPDATE)
        return True

    async def _keep(self, record: MasterRecord, changes: Changes, reason: str, operation: Operation) -> None:
        """The version row, the MasterChanged event and the audit record of one saved change."""
        self.records.stage(
            MasterRecordVersion(
                record_id=record.id,
                version=record.version,
                changed_at=record.updated_at,
                changed_by=self.principal.user_id,
                changed_by_name=self.principal.display_name or self.principal.username,
                reason=reason,
                changes=changes,
            )
        )
        event = MasterChanged(kind=record.kind, code=record.code, snapshot=master_read(record))
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=record.id, version=record.version, actor=self.principal.user_id),
        )
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="master_record",
            record_id=f"{record.kind}:{record.code}",
            detail=reason or None,
        )


def _search(q: str) -> dict[str, str]:
    """What a search text matches: the start of a code, or part of a folded name or カナ."""
    typed = normalize_input(q or "")
    return {"code_prefix": typed, "key": search_key(typed)} if typed else {"code_prefix": "", "key": ""}


def _row_check(
    spec: MasterKind,
    row: MasterRow,
    code: str,
    values: MasterValues | None,
    record: MasterRecord | None,
    errors: dict[str, str],
) -> MasterRowCheck:
    name = values.name if values else normalize_input(str(row.name or ""))
    if values is None:
        return MasterRowCheck(line=row.line, status="error", code=code, name=name, errors=errors)
    if record is None:
        return MasterRowCheck(line=row.line, status="new", code=code, name=name)
    changes = diff(stored(record), proposed(values, record))
    status = "changed" if changes else "unchanged"
    return MasterRowCheck(line=row.line, status=status, code=code, name=name, changes=describe(spec, changes))
