"""What a batch prints, by genre: the items a request becomes, and how each item is printed and filed.

患者管理 prints every chosen form for each patient of a list (F05 for a patient with contacts); 診査会 prints the
forms that apply to each case of a session, in agenda order, and the session's label sheet; 接触者健診 prints, for
the screening appointments of a day (at a place, or at every place), the forms that apply to each contact (F18 勧告書
while a 勧告 is in force, F29 お知らせ, F19 受診票 and F23 実施票 of the appointment, F24 照射録 and the result forms
F21, F22, F26 once there is something to report), then F05 for each index patient of those contacts and the F25
受付簿 of each place where someone was received that day. F20 (addressed to an institution typed when printing)
and F27, F30 (letters of a request between health centres) are printed from their own pages, not by day.
Every form goes through the printing path of its own module (DocumentService, BoardPrintService, the contact
forms) and is filed as a document of its record.
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
from reports.contact_form.forms import ContactFormInput
from reports.contact_form.registry import CONTACT_FORMS
from reports.contact_form.service import ContactFormService
from reports.contact_notice.service import ContactNoticeService
from reports.document.filing import DocumentFiler, Printing, screening_day_id
from reports.document.models import Document
from reports.document.schemas import DocumentCreate
from reports.document.service import DocumentService
from reports.form_template.service import TemplateCatalog
from reports.forms.letterhead import Letterhead
from reports.forms.registry import FORMS
from reports.forms.render import FormRenderer
from reports.forms.spec import Genre
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.request_letter.models import ContactSummary
from reports.storage import DocumentStore

# the 診査会's forms in the order a session's papers are put together (諮問書 first), the label sheet last
BOARD_ORDER = ("F16", "F17", "F28", "F09", "F13", "F15", "F10", "F11", "F12", "F14")
# the forms of a screening day, in the order each contact's papers are put together (勧告, お知らせ, 受診票, 実施票,
# 照射録, results); then F05 of each index patient, then the F25 受付簿 of each place
PER_CONTACT = ("F18", "F29", "F19", "F23", "F24", "F21", "F22", "F26")
PER_APPOINTMENT = ("F29", "F19")  # the notice and the slip of each appointment; the others once a contact
INDEX_STATUS, REGISTER = "F05", "F25"
DAY_FORMS = (*PER_CONTACT, INDEX_STATUS, REGISTER)
# the item of a contact's form that is its record: the form applies to the contact once it is not empty (F19, F23
# and F29 print for every appointment)
APPLIES_WHEN = {"F18": "recommendation", "F21": "exams", "F22": "exams", "F24": "rows", "F26": "institution"}
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
    """The forms of the genre to print, in the genre's order: those asked for, else all of them; a form of another
    genre is a message beside the choice."""
    if genre is Genre.REVIEW_BOARD:
        available: Sequence[str] = BOARD_ORDER
    elif genre is Genre.CONTACT_SCREENING:
        available = DAY_FORMS
    else:  # 患者管理: the registry's forms and F05 (printed from the contacts of the patient)
        available = sorted([*(spec.id for spec in FORMS.values() if spec.genre == genre), INDEX_STATUS])
    wanted = [form.strip().upper() for form in asked if form.strip()]
    unknown = [form for form in wanted if form not in available]
    if unknown:
        message = f"帳票「{'、'.join(unknown)}」は「{genre.value}」の一括印刷にありません。"
        raise InvalidInput(message, errors={"forms": message})
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
        self.contact_forms = ContactFormService(session, principal, store, renderer)
        self.notices = ContactNoticeService(session, principal, store, renderer)

    # --- planning -------------------------------------------------------------------------------------------------

    async def plan_patients(self, genre: Genre, patient_ids: Sequence[uuid.UUID], forms: Sequence[str]) -> Plan:
        """Every chosen form of the genre for each patient, in the order given (each patient once); F05 only for a
        patient who has contacts (an index patient)."""
        chosen = [form for form in chosen_forms(genre, forms) if form in FORMS or genre is Genre.PATIENTS]
        if not chosen:
            raise GenreHasNoForms(errors={"genre": f"「{genre.value}」の帳票はまだ印刷できません。"})
        if not patient_ids:
            raise InvalidInput(errors={"patient_ids": "印刷する患者を1人以上選んでください。"})
        patients = list(dict.fromkeys(patient_ids))
        items = []
        for patient in patients:
            has_contacts = INDEX_STATUS in chosen and bool(await self.contact_forms.found.of_index(patient))
            items.extend([str(patient), form] for form in chosen if form != INDEX_STATUS or has_contacts)
        return Plan(items, {})

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
        """The chosen forms that apply to each contact with a screening appointment on the day (at the place), in
        the order of the appointments' times; then F05 of each of their index patients and the F25 受付簿 of each
        place where someone was received that day."""
        chosen = chosen_forms(Genre.CONTACT_SCREENING, forms)
        appointments = await self.appointments(day, place)
        if not appointments:
            where = f"{place}での" if place else ""
            message = f"{day.year}年{day.month}月{day.day}日に{where}健診の予約がある接触者はいません。"
            raise InvalidInput(message, errors={"day": message})
        letterhead = Letterhead.of(await MasterSnapshotRepository(self.session).letterhead())
        items: list[list[str]] = []
        index_patients: dict[str, None] = {}
        once: set[tuple[str, str]] = set()  # a contact with two appointments that day: its other forms once
        for snapshot, exam_id in appointments:
            contact_id = str(snapshot["id"])
            for form in chosen:
                if form not in PER_CONTACT or not applies(form, snapshot, letterhead):
                    continue
                if form not in PER_APPOINTMENT and (contact_id, form) in once:
                    continue
                once.add((contact_id, form))
                items.append([contact_id, form, exam_id])
            for exposure in snapshot.get("exposures") or []:
                if exposure.get("index_patient_id"):
                    index_patients[str(exposure["index_patient_id"])] = None
        if INDEX_STATUS in chosen:
            items.extend([patient_id, INDEX_STATUS] for patient_id in index_patients)
        if REGISTER in chosen:
            for where in await self.reception_places(day, place):
                items.append([str(screening_day_id(day, where)), REGISTER, where])
        if not items:
            message = "選んだ帳票は、この日に予約のある接触者のどなたにも該当しません。"
            raise InvalidInput(message, errors={"forms": message})
        return Plan(items, {"day": day.isoformat(), "place": place})

    async def appointments(self, day: date, place: str) -> list[tuple[Mapping[str, Any], str]]:
        """(contact snapshot, examination id) of every screening appointment on the day (at the place), by time
        then name."""
        pattern: dict[str, str] = {"appointment_on": day.isoformat()} | ({"appointment_place": place} if place else {})
        found: list[tuple[str, str, str, str, Mapping[str, Any]]] = []
        for snapshot in await ScreeningDayRepository(self.session).contacts_with(pattern):
            for exam in snapshot.get("exams") or []:
                if exam.get("status") == "cancelled" or not all(exam.get(k) == v for k, v in pattern.items()):
                    continue
                time = str(exam.get("appointment_time") or "")
                kana, contact_id = str(snapshot.get("name_kana") or ""), str(snapshot["id"])
                found.append((time, kana, contact_id, str(exam["id"]), snapshot))
        found.sort(key=lambda row: row[:4])
        return [(snapshot, exam) for _, _, _, exam, snapshot in found]

    async def reception_places(self, day: date, place: str) -> list[str]:
        """The places where someone was received on the day (the one chosen, if any), in name order."""
        received = await ScreeningDayRepository(self.session).contacts_with({"received_on": day.isoformat()})
        places = {
            str(exam.get("reception_place") or "")
            for snapshot in received
            for exam in snapshot.get("exams") or []
            if exam.get("received_on") == day.isoformat() and exam.get("reception_place")
        }
        return sorted(p for p in places if not place or p == place)

    async def label(self, genre: Genre, selection: Mapping[str, str], item: Sequence[str]) -> str:
        """Whose item it is, for the list of what was not printed (the contact's or patient's name, as known)."""
        if genre is Genre.CONTACT_SCREENING and selection.get("day") and item[1] == REGISTER:
            return f"{item[2]}の受付"
        record_id = uuid.UUID(item[0])
        if genre is Genre.CONTACT_SCREENING and selection.get("day") and item[1] != INDEX_STATUS:
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
            return await self._contact_job(item, selection, on)
        return await self._patient_job(item, on)

    async def _patient_job(self, item: Sequence[str], on: date) -> Job:
        patient_id, form_id = item[0], item[1]
        if form_id == INDEX_STATUS:
            return await self._printing_job(await self.contact_forms.index_printing(uuid.UUID(patient_id)), on)
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

    async def _contact_job(self, item: Sequence[str], selection: Mapping[str, str], on: date) -> Job:
        """A form of the screening day through the printing path of its own (the contact forms, F29, F05, F25),
        with the masters' letterhead and the missing-data check of a single print."""
        form_id = item[1]
        if form_id == REGISTER:
            printing = await self.contact_forms.register_printing(date.fromisoformat(selection["day"]), item[2])
        elif form_id == INDEX_STATUS:
            printing = await self.contact_forms.index_printing(uuid.UUID(item[0]))
        elif form_id == "F29":
            printing = await self.notices.printing(uuid.UUID(item[0]), uuid.UUID(item[2]))
        else:  # the 受診票 is that of the day's appointment; the other forms choose their record as printed singly
            exam_id = uuid.UUID(item[2]) if form_id == "F19" else None
            printing = await self.contact_forms.contact_printing(uuid.UUID(item[0]), form_id, exam_id)
        return await self._printing_job(printing, on)

    async def _printing_job(self, printing: Printing, on: date) -> Job:
        source = await self.catalog.in_force(printing.spec, on)
        document = self.filer.new(printing.spec, printing.owner, data_version=printing.data_version, source=source)
        data: Any = printing.data

        async def file(pdf: bytes) -> Document:
            filed = await self.filer.file(document, pdf, printing.spec)
            await self.contact_forms.audit_register(printing, filed)  # a 受付簿: a print of each person on it
            return filed

        return Job(render=lambda: self.renderer.render_pdf(printing.spec, data, source), file=file)


def applies(form: str, contact: Mapping[str, Any], letterhead: Letterhead | None) -> bool:
    """Whether a contact's form has something to print for them: F19, F23 and F29 for every appointment, F18 while
    a 勧告 is in force, F24 once a chest X-ray was taken at the health center, F21 and F22 once an exam is done,
    F26 once an exam is asked of a medical institution. A form that applies but lacks a required item is printed
    as skipped, with the items missing."""
    key = APPLIES_WHEN.get(form)
    if key is None:
        return True
    data = ContactFormInput(sender="", printed_at=utcnow(), printed_by="", contact=contact, letterhead=letterhead)
    value = CONTACT_FORMS[form].build_context(data).get(key)  # type: ignore[arg-type]
    return bool(value)
