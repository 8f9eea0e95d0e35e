"""Printing the 診査会's forms: for one case, or every case of a session as one PDF, each form filed as a document
(audited as a print) with the case's patient."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, BoardRecordSnapshotPage, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow
from tbms_core.errors import InvalidInput, NotFound
from tbms_core.jp.text import normalize_input

from reports.board_record.models import BoardRecord
from reports.board_record.repository import BoardRecordRepository
from reports.document.filing import DocumentFiler, Owner, Printed, Printing
from reports.forms.board import BoardFormInput
from reports.forms.board_registry import APPLIES, BOARD_FORMS, MEASURE_ARTICLES
from reports.forms.letterhead import Letterhead
from reports.forms.render import FormRenderer
from reports.forms.spec import FormSpec
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.settings import get_settings
from reports.storage import DocumentStore


class BoardRecordNotYetAvailable(NotFound):
    """The case or session has not reached reports yet (or does not exist)."""

    message = "指定された案件・診査会はまだ帳票に反映されていません。少し待ってからもう一度印刷してください。"


class NothingToPrint(InvalidInput):
    """None of the chosen forms applies."""

    message = "選んだ帳票に印刷できる内容がありません（決定前の通知、交付前の患者票、未発行の勧告など）。"


class BoardRecordBackfillService:
    """Backfills the 診査会 records BoardRecordSaved keeps (lost events, a restored database, an old stream): a
    snapshot is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.records = BoardRecordRepository(session)

    async def backfill(self, page: BoardRecordSnapshotPage) -> BackfillReport:
        """Applies one page of snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        store = self.records.apply
        return await read_models.backfill(
            self.session, "reports", page, lambda snapshot: store(snapshot, snapshot.version), kind="board-records"
        )

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the 診査会 records held, for `tbms reconcile` to compare with the owner's."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        return await read_models.version_page(self.session, BoardRecord.id, BoardRecord.version, after, limit)


class BoardPrintService:
    """Prints the 診査会's forms from the read model."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.filer = DocumentFiler(session, principal, store, renderer)
        self.records = BoardRecordRepository(session)
        self.patients = PatientSummaryRepository(session)
        self.masters = MasterSnapshotRepository(session)

    def _may_print(self) -> None:
        self.principal.require(Area.REVIEW, Access.READ)
        self.principal.require(Area.FORMS, Access.READ)

    @staticmethod
    def specs(form_ids: Sequence[str]) -> list[FormSpec]:
        """The chosen forms, in the order given; an unknown id is a message."""
        chosen = []
        for form_id in form_ids:
            spec = BOARD_FORMS.get(normalize_input(form_id).upper())
            if spec is None:
                raise InvalidInput(errors={"forms": f"帳票「{form_id}」は診査会の帳票にありません。"})
            chosen.append(spec)
        return chosen

    async def print_case(self, case_id: uuid.UUID, form_ids: Sequence[str]) -> Printed:
        """The chosen forms of one case as one PDF, each filed with the case's patient."""
        self._may_print()
        case = await self.records.find(case_id, "case")
        if case is None:
            raise BoardRecordNotYetAvailable()
        return await self._print([case], self.specs(form_ids), sheet_owner=None)

    async def print_session(self, session_id: uuid.UUID, form_ids: Sequence[str]) -> Printed:
        """The chosen forms of every case of a session, in agenda order, as one PDF; each case's forms are filed
        with its patient, the label sheet of the whole session with the session."""
        cases = await self.session_cases(session_id)
        return await self._print(cases, self.specs(form_ids), sheet_owner=Owner("board_session", session_id))

    async def session_cases(self, session_id: uuid.UUID) -> list[BoardRecord]:
        """A session's cases in agenda order (a batch of the session prints them)."""
        self._may_print()
        if await self.records.find(session_id, "session") is None:
            raise BoardRecordNotYetAvailable()
        return await self.records.cases_of_session(session_id)

    async def case_printings(self, case_id: uuid.UUID, form_ids: Sequence[str]) -> list[Printing]:
        """The chosen forms (but the label sheet) that apply to one case, ready to print and file with its patient."""
        self._may_print()
        case = await self.records.find(case_id, "case")
        if case is None:
            raise BoardRecordNotYetAvailable()
        specs = [s for s in self.specs(form_ids) if s.id != "F14"]
        return await self._items(case, specs, utcnow(), Letterhead.of(await self.masters.letterhead()))

    async def session_label_sheet(self, session_id: uuid.UUID) -> Printing | None:
        """F14 for every case of a session on one sheet, filed with the session; None when no address is known."""
        cases = await self.session_cases(session_id)
        letterhead = Letterhead.of(await self.masters.letterhead())
        return await self._labels(cases, utcnow(), letterhead, Owner("board_session", session_id))

    async def _print(self, cases: list[BoardRecord], specs: list[FormSpec], sheet_owner: Owner | None) -> Printed:
        printed_at = utcnow()
        letterhead = Letterhead.of(await self.masters.letterhead())
        items: list[Printing] = []
        for case in cases:
            items.extend(await self._items(case, [s for s in specs if s.id != "F14"], printed_at, letterhead))
        if any(spec.id == "F14" for spec in specs):  # one sheet for every case: labels are cut from it
            sheet = await self._labels(cases, printed_at, letterhead, sheet_owner)
            if sheet is not None:
                items.append(sheet)
        if not items:
            raise NothingToPrint()
        return await self.filer.print(items)

    async def _labels(
        self, cases: list[BoardRecord], printed_at: datetime, letterhead: Letterhead | None, sheet_owner: Owner | None
    ) -> Printing | None:
        patient = await self._any_patient(cases)
        labels = BoardFormInput(
            patient, printed_at, self._printed_by(), letterhead=letterhead,
            addresses=tuple([a for case in cases for a in await self._addresses(case)]), sheet=label_sheet(),
        )  # fmt: skip
        owner = sheet_owner or (Owner.patient(patient.id) if patient is not None else None)
        if not labels.addresses or owner is None:
            return None
        versions = ",".join(f"{case.id}:{case.version}" for case in cases)
        return Printing(BOARD_FORMS["F14"], labels, owner, _digest("b", versions))

    async def _items(
        self, case: BoardRecord, specs: list[FormSpec], printed_at: datetime, letterhead: Letterhead | None
    ) -> list[Printing]:
        patient = await self.patients.find(case.patient_id) if case.patient_id else None
        if patient is None:
            return []
        session_id = case.data.get("session_id")
        session = await self.records.find(uuid.UUID(session_id), "session") if session_id else None
        cards = [c for c in await self.records.of_case(case.id, "card") if c.data.get("status") != "void"]
        measures = await self.records.of_case(case.id, "measure")
        items: list[Printing] = []
        addresses = tuple(await self._addresses(case))
        for spec in specs:
            if not APPLIES[spec.id](case):
                continue
            card = cards[0] if cards else None
            measure = next((m for m in measures if m.data.get("article") in MEASURE_ARTICLES.get(spec.id, ())), None)
            if (spec.id == "F15" and card is None) or (spec.id in MEASURE_ARTICLES and measure is None):
                continue
            data = BoardFormInput(
                patient, printed_at, self._printed_by(), case=case, session=session, card=card,
                measure=measure, letterhead=letterhead, addresses=addresses, window=window_geometry(),
            )  # fmt: skip
            records = ",".join(f"{r.id}:{r.version}" for r in (case, session, card, measure) if r is not None)
            items.append(Printing(spec, data, Owner.patient(patient.id), _digest(f"p{patient.version}", records)))
        return items

    async def _any_patient(self, cases: list[BoardRecord]) -> PatientSummary | None:
        for case in cases:
            if case.patient_id and (patient := await self.patients.find(case.patient_id)):
                return patient
        return None

    async def _addresses(self, case: BoardRecord) -> list[dict[str, str]]:
        """The patient's label and the 指定医療機関's (its address from masters when it was picked there)."""
        patient = await self.patients.find(case.patient_id) if case.patient_id else None
        if patient is None:
            return []
        labels = [{"postal_code": patient.postal_code, "address": patient.address, "name": f"{patient.name}　様"}]
        name, code = str(case.data.get("institution") or ""), str(case.data.get("institution_code") or "")
        if name:
            institution = await self.masters.institution(code) if code else None
            values = dict(institution.data) if institution is not None else {}
            labels.append(
                {
                    "postal_code": str(values.get("postal_code") or ""),
                    "address": str(values.get("address") or ""),
                    "name": f"{name}　御中",
                }
            )
        return labels

    def _printed_by(self) -> str:
        name, username = self.principal.display_name, self.principal.username
        return name if not username or name == username else f"{name}（{username}）"


def label_sheet() -> dict[str, float]:
    """The F14 label sheet's geometry as configured (mm)."""
    settings = get_settings()
    return {
        "columns": settings.label_columns,
        "rows": settings.label_rows,
        "width": settings.label_width_mm,
        "height": settings.label_height_mm,
        "top": settings.label_top_mm,
        "left": settings.label_left_mm,
        "gap": settings.label_gap_mm,
    }


def window_geometry() -> dict[str, float] | None:
    """Where the window of the envelope is on the A4 page (mm from the paper's edge); None when switched off."""
    settings = get_settings()
    if not settings.window_envelope:
        return None
    return {
        "left": settings.window_left_mm,
        "top": settings.window_top_mm,
        "width": settings.window_width_mm,
        "height": settings.window_height_mm,
    }


def _digest(prefix: str, records: str) -> str:
    """A data version: what it was printed from (the patient's version, a digest of the records' versions)."""
    return f"{prefix}+{hashlib.sha256(records.encode()).hexdigest()[:8]}"
