"""What a batch prints, by genre: the items a request becomes, and how each item is printed and filed.

患者管理 prints every chosen form for each patient of a list; 診査会 prints the forms that apply to each case of a
session, in agenda order, and the session's label sheet; 接触者健診 prints each contact's forms for the screening
appointments of a day (at a place, or at every place). Every form goes through the printing path of its own
module (DocumentService, BoardPrintService, the contact forms) and is filed as a document of its record.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal
from tbms_core.db import utcnow
from tbms_core.errors import DomainError, InvalidInput

from reports.batch.errors import GenreHasNoForms
from reports.batch.repository import ScreeningDayRepository
from reports.board_record.service import BoardPrintService, NothingToPrint
from reports.contact_form.errors import RequiredItemsMissing
from reports.contact_form.forms import ContactFormInput
from reports.contact_form.registry import CONTACT_FORMS
from reports.document.filing import DocumentFiler, Owner, Printing
from reports.document.models import Document
from reports.document.schemas import DocumentCreate
from reports.document.service import DocumentService
from reports.form_template.service import TemplateCatalog
from reports.forms.letterhead import Letterhead
from reports.forms.missing import missing_items
from reports.forms.registry import FORMS
from reports.forms.render import FormRenderer
from reports.forms.spec import Genre
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.request_letter.errors import ContactNotYetAvailable
from reports.request_letter.models import ContactSummary
from reports.settings import get_settings
from reports.storage import DocumentStore

# the 診査会's forms in the order a session's papers are put together (諮問書 first), the label sheet last
BOARD_ORDER = ("F16", "F17", "F28", "F09", "F13", "F15", "F10", "F11", "F12", "F14")
# the forms of a screening day unless others are chosen: the 受診票 and the 実施票 of each person examined
SCREENING_DEFAULT = ("F19", "F23")
LABEL_SHEET = "F14"


class NotApplicable(DomainError):
    """A form chosen for a case no longer applies to it (the case changed after the batch was asked for)."""

    status_code = 422
    code = "form_not_applicable"
    message = "この案件には該当しなくなりました（決定や勧告が取り消された、など）。"


@dataclass(frozen=True)
class Plan:
    """The items a request prints ([record, form] or [contact, form, examination]) and how they were chosen."""

    items: list[list[str]]
    selection: dict[str, str]


@dataclass(frozen=True)
class Job:
    """One item ready to print: rendering touches no database (several render side by side), filing does."""

    render: Callable[[], Awaitable[bytes]]
    file: Callable[[bytes], Awaitable[Document]]


def chosen_forms(genre: Genre, asked: Sequence[str]) -> list[str]:
    """The forms of the genre to print, in the genre's order: those asked for, else all of them (接触者健診 by day:
    the 受診票 and 実施票); a form of another genre is a message beside the choice."""
    if genre is Genre.REVIEW_BOARD:
        available: Sequence[str] = BOARD_ORDER
    elif genre is Genre.CONTACT_SCREENING:
        available = tuple(CONTACT_FORMS)
    else:
        available = tuple(spec.id for spec in FORMS.values() if spec.genre == genre)
    wanted = [form.strip().upper() for form in asked if form.strip()]
    unknown = [form for form in wanted if form not in available]
    if unknown:
        message = f"帳票「{'、'.join(unknown)}」は「{genre.value}」の一括印刷にありません。"
        raise InvalidInput(message, errors={"forms": message})
    if not wanted and genre is Genre.CONTACT_SCREENING:
        wanted = list(SCREENING_DEFAULT)
    return [form for form in available if not wanted or form in wanted]


class BatchSources:
    """Plans a batch (at request time) and prints its items (in the worker), as the user who asked."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.documents = DocumentService(session, principal, store, renderer)
        self.board = BoardPrintService(session, principal, store, renderer)
        self.filer = DocumentFiler(session, principal, store, renderer)
        self.catalog = TemplateCatalog(session)

    # --- planning -------------------------------------------------------------------------------------------------

    async def plan_patients(self, genre: Genre, patient_ids: Sequence[uuid.UUID], forms: Sequence[str]) -> Plan:
        """Every chosen form of the genre for each patient, in the order given (each patient once)."""
        chosen = [form for form in chosen_forms(genre, forms) if form in FORMS]
        if not chosen:
            raise GenreHasNoForms(errors={"genre": f"「{genre.value}」の帳票はまだ印刷できません。"})
        if not patient_ids:
            raise InvalidInput(errors={"patient_ids": "印刷する患者を1人以上選んでください。"})
        patients = list(dict.fromkeys(patient_ids))
        return Plan([[str(patient), form] for patient in patients for form in chosen], {})

    async def plan_session(self, session_id: uuid.UUID, forms: Sequence[str]) -> Plan:
        """The chosen forms that apply to each case of the session, in agenda order, then the session's label sheet."""
        chosen = chosen_forms(Genre.REVIEW_BOARD, forms)
        cases = await self.board.session_cases(session_id)
        per_case = [form for form in chosen if form != LABEL_SHEET]
        items: list[list[str]] = []
        for case in cases:
            if per_case:
                printings = await self.board.case_printings(case.id, per_case)
                items.extend([str(case.id), printing.spec.id] for printing in printings)
        if LABEL_SHEET in chosen and cases:
            items.append([str(session_id), LABEL_SHEET])
        if not items:
            raise NothingToPrint(errors={"session_id": NothingToPrint.message})
        return Plan(items, {"session_id": str(session_id)})

    async def plan_day(self, day: date, place: str, forms: Sequence[str]) -> Plan:
        """The chosen forms of each contact with a screening appointment on the day (at the place), in the order of
        the appointments' times."""
        chosen = chosen_forms(Genre.CONTACT_SCREENING, forms)
        appointments = await self.appointments(day, place)
        if not appointments:
            where = f"{place}での" if place else ""
            message = f"{day.year}年{day.month}月{day.day}日に{where}健診の予約がある接触者はいません。"
            raise InvalidInput(message, errors={"day": message})
        items = [[contact_id, form, exam_id] for contact_id, exam_id in appointments for form in chosen]
        return Plan(items, {"day": day.isoformat(), "place": place})

    async def appointments(self, day: date, place: str) -> list[tuple[str, str]]:
        """(contact, examination) of every screening appointment on the day (at the place), by time then name."""
        pattern: dict[str, str] = {"appointment_on": day.isoformat()} | ({"appointment_place": place} if place else {})
        found: list[tuple[str, str, str, str]] = []
        for snapshot in await ScreeningDayRepository(self.session).contacts_with(pattern):
            for exam in snapshot.get("exams") or []:
                if exam.get("status") == "cancelled" or not all(exam.get(k) == v for k, v in pattern.items()):
                    continue
                time = str(exam.get("appointment_time") or "")
                found.append((time, str(snapshot.get("name_kana") or ""), str(snapshot["id"]), str(exam["id"])))
        return [(contact, exam) for _, _, contact, exam in sorted(found)]

    async def label(self, genre: Genre, selection: Mapping[str, str], item: Sequence[str]) -> str:
        """Whose item it is, for the list of what was not printed (the contact's or patient's name, as known)."""
        record_id = uuid.UUID(item[0])
        if genre is Genre.CONTACT_SCREENING and selection.get("day"):
            summary = await self.session.get(ContactSummary, record_id)
            return str(summary.snapshot.get("name") or "") if summary else ""
        if genre is Genre.REVIEW_BOARD and selection.get("session_id"):
            return "診査会" if item[1] == LABEL_SHEET else "案件"
        patient = await self.documents.patients.find(record_id)
        return patient.name if patient else ""

    # --- printing -------------------------------------------------------------------------------------------------

    async def job(self, genre: Genre, selection: Mapping[str, str], item: Sequence[str], on: date) -> Job:
        """How one item prints and is filed; a DomainError (a record not yet known, a required item empty) skips it
        with its message."""
        if genre is Genre.REVIEW_BOARD and selection.get("session_id"):
            return await self._board_job(item, on)
        if genre is Genre.CONTACT_SCREENING and selection.get("day"):
            return await self._contact_job(item, on)
        return await self._patient_job(item, on)

    async def _patient_job(self, item: Sequence[str], on: date) -> Job:
        patient_id, form_id = item[0], item[1]
        prepared = await self.documents.prepare(DocumentCreate(form=form_id, patient_id=uuid.UUID(patient_id), on=on))
        return Job(
            render=lambda: self.documents.render(prepared),
            file=lambda pdf: self.documents.file(prepared.document, pdf, prepared.spec),
        )

    async def _board_job(self, item: Sequence[str], on: date) -> Job:
        record_id, form_id = uuid.UUID(item[0]), item[1]
        if form_id == LABEL_SHEET:
            printing = await self.board.session_label_sheet(record_id)
        else:
            printing = next(iter(await self.board.case_printings(record_id, [form_id])), None)
        if printing is None:
            raise NotApplicable()
        return await self._printing_job(printing, on)

    async def _contact_job(self, item: Sequence[str], on: date) -> Job:
        contact_id, form_id, exam_id = uuid.UUID(item[0]), item[1], item[2]
        summary = await self.session.get(ContactSummary, contact_id)
        if summary is None:
            raise ContactNotYetAvailable()
        spec = CONTACT_FORMS[form_id]
        letterhead = Letterhead.of(await MasterSnapshotRepository(self.session).letterhead())
        data = ContactFormInput(
            sender=(letterhead.signer if letterhead else "") or get_settings().letter_sender,
            printed_at=utcnow(),
            printed_by=self.principal.display_name or self.principal.username,
            letterhead=letterhead,  # the masters' letterhead, as a form printed singly has it
            contact=summary.snapshot,
            record_id=exam_id if form_id == "F19" else None,  # the 受診票 of that day's appointment
        )
        missing = missing_items(spec, spec.build_context(data))  # type: ignore[arg-type]
        if missing:
            labels = "、".join(i.label for i in missing)
            raise RequiredItemsMissing(f"{RequiredItemsMissing.message}（{labels}）")
        printing = Printing(spec, data, Owner("contact", contact_id), f"c{summary.version}")
        return await self._printing_job(printing, on)

    async def _printing_job(self, printing: Printing, on: date) -> Job:
        source = await self.catalog.in_force(printing.spec, on)
        document = self.filer.new(printing.spec, printing.owner, data_version=printing.data_version, source=source)
        data: Any = printing.data
        return Job(
            render=lambda: self.renderer.render_pdf(printing.spec, data, source),
            file=lambda pdf: self.filer.file(document, pdf, printing.spec),
        )
