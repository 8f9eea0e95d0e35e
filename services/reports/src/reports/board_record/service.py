"""Printing the 診査会's forms: for one case, or every case of a session as one PDF (audited as prints)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow
from tbms_core.errors import InvalidInput, NotFound
from tbms_core.jp.text import normalize_input

from reports.board_record.models import BoardRecord
from reports.board_record.repository import BoardRecordRepository
from reports.forms.board import BoardFormInput
from reports.forms.board_registry import APPLIES, BOARD_FORMS, MEASURE_ARTICLES
from reports.forms.render import FormRenderer
from reports.forms.spec import FormInput, FormSpec
from reports.master_snapshot.models import MasterSnapshot
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.settings import get_settings


class BoardRecordNotYetAvailable(NotFound):
    """The case or session has not reached reports yet (or does not exist)."""

    message = "指定された案件・診査会はまだ帳票に反映されていません。少し待ってからもう一度印刷してください。"


class NothingToPrint(InvalidInput):
    """None of the chosen forms applies."""

    message = "選んだ帳票に印刷できる内容がありません（決定前の通知、交付前の患者票、未発行の勧告など）。"


class BoardPrintService:
    """Prints the 診査会's forms from the read model."""

    def __init__(self, session: AsyncSession, principal: Principal, renderer: FormRenderer) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
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

    async def print_case(self, case_id: uuid.UUID, form_ids: Sequence[str]) -> bytes:
        """The chosen forms of one case as one PDF."""
        self._may_print()
        case = await self.records.find(case_id, "case")
        if case is None:
            raise BoardRecordNotYetAvailable()
        return await self._print([case], self.specs(form_ids))

    async def print_session(self, session_id: uuid.UUID, form_ids: Sequence[str]) -> bytes:
        """The chosen forms of every case of a session, in agenda order, as one PDF."""
        self._may_print()
        if await self.records.find(session_id, "session") is None:
            raise BoardRecordNotYetAvailable()
        return await self._print(await self.records.cases_of_session(session_id), self.specs(form_ids))

    async def _print(self, cases: list[BoardRecord], specs: list[FormSpec]) -> bytes:
        printed_at, letterhead = utcnow(), await self.masters.letterhead()
        items: list[tuple[FormSpec, FormInput]] = []
        for case in cases:
            items.extend(await self._items(case, [s for s in specs if s.id != "F14"], printed_at, letterhead))
        if any(spec.id == "F14" for spec in specs):  # one sheet for every case: labels are cut from it
            labels = BoardFormInput(
                items[0][1].patient if items else await self._any_patient(cases), printed_at, self._printed_by(),
                addresses=tuple([a for case in cases for a in await self._addresses(case)]), sheet=label_sheet(),
            )  # fmt: skip
            if labels.addresses:
                items.append((BOARD_FORMS["F14"], labels))
        if not items:
            raise NothingToPrint()
        for case in cases:
            await audit.record(
                self.session,
                self.principal,
                "reports",
                Operation.PRINT,
                record_type="board_case",
                record_id=case.id,
                person_id=case.patient_id,
                detail=" ".join(spec.id for spec in specs),
            )
        return await self.renderer.render_merged_pdf(items)

    async def _items(
        self, case: BoardRecord, specs: list[FormSpec], printed_at: datetime, letterhead: MasterSnapshot | None
    ) -> list[tuple[FormSpec, FormInput]]:
        patient = await self.patients.find(case.patient_id) if case.patient_id else None
        if patient is None:
            return []
        session_id = case.data.get("session_id")
        session = await self.records.find(uuid.UUID(session_id), "session") if session_id else None
        cards = [c for c in await self.records.of_case(case.id, "card") if c.data.get("status") != "void"]
        measures = await self.records.of_case(case.id, "measure")
        items: list[tuple[FormSpec, FormInput]] = []
        for spec in specs:
            if not APPLIES[spec.id](case):
                continue
            card = cards[0] if cards else None
            measure = next((m for m in measures if m.data.get("article") in MEASURE_ARTICLES.get(spec.id, ())), None)
            if (spec.id == "F15" and card is None) or (spec.id in MEASURE_ARTICLES and measure is None):
                continue
            data = BoardFormInput(
                patient, printed_at, self._printed_by(), case=case, session=session, card=card,
                measure=measure, letterhead=letterhead,
            )  # fmt: skip
            items.append((spec, data))
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
