"""Contact registration, correction and reading, with access checks, history, audit and outbox events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from tbms_contracts.audit import Operation
from tbms_contracts.contacts import ContactRegistered, ContactUpdated
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.changes import Changes, diff
from tbms_core.clock import today
from tbms_core.csv_export import MAX_EXPORT_ROWS, within_limit
from tbms_core.db import flush_versioned
from tbms_core.errors import InvalidInput
from tbms_core.events import Envelope
from tbms_core.jp.text import digits_only, search_key

from contacts.code_list.book import CodeBook
from contacts.code_list.service import code_book
from contacts.contact.derived import values_of
from contacts.contact.errors import ContactAlreadyEnded, ContactAlreadyLinked, ExposureNotFound
from contacts.contact.export import EXPORT_HEADER, NARROW_BY, CsvExport, export_row
from contacts.contact.models import Contact, ContactLink
from contacts.contact.repository import ContactRepository
from contacts.contact.schemas import (
    ContactChange,
    ContactCounts,
    ContactCreate,
    ContactEnd,
    ContactFilter,
    ContactRead,
    DuplicateQuery,
    DuplicateRead,
    ExposureAdd,
    ExposureChange,
    ExposureCreate,
    GroupOfContact,
    IndexPatientName,
    PatientDuplicateRead,
)
from contacts.contact.view import contact_read, snapshot
from contacts.exam.repository import ExamRepository
from contacts.gaiji.service import substitutes
from contacts.group.repository import GroupRepository
from contacts.history.models import ContactVersion
from contacts.history.service import HistoryService
from contacts.index_case.models import IndexCase
from contacts.index_case.repository import IndexCaseRepository
from contacts.institution.repository import InstitutionRepository
from contacts.recommendation.repository import RecommendationRepository
from contacts.settings import get_settings

SERVICE = "contacts"
DUPLICATES = 20
DUPLICATE_FIELDS = ("id", "version", "name", "name_kana", "sex", "birth_date", "address", "phone", "status")
HANDED_OVER = "発病のため患者として登録（接触者からの引継ぎ）"
NULLABLE = {"birth_date", "outcome_on", "first_contact_on", "last_contact_on", "hours"}


def given(values: dict[str, Any]) -> dict[str, Any]:
    """The named fields of a correction; a null clears only a field that may be empty."""
    return {name: value for name, value in values.items() if value is not None or name in NULLABLE}


class ContactService:
    """What contact investigators do: register contacts, correct them, end their follow-up, look them up."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.contacts = ContactRepository(session)
        self.exams = ExamRepository(session)
        self.edit_history = HistoryService(session, principal)
        self._book: CodeBook | None = None

    async def register(self, data: ContactCreate) -> Contact:
        """Registers a contact with its exposures and records ContactRegistered in the outbox."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        await self._check_index_patients(data.exposures)
        if data.patient_id and await IndexCaseRepository(self.session).registered(data.patient_id) is None:
            raise InvalidInput(errors={"patient_id": "患者が見つかりません。患者登録の直後は数秒お待ちください。"})
        await self.check_codes(
            data.found_on or today(), {f"exposures.{i}.setting": e.setting for i, e in enumerate(data.exposures)}
        )
        fields = data.model_dump(exclude={"exposures", "found_on"})
        contact = Contact(**fields, found_on=data.found_on or today(), updated_by=self.principal.user_id)
        contact.links = [_link(exposure, order) for order, exposure in enumerate(data.exposures)]
        await self.contacts.add(contact)
        read = await self.read_model(contact)
        await self.derive(contact, read)
        registered = {name: value for name, value in to_jsonable_python(fields).items() if value not in ("", [], None)}
        registered["found_on"] = contact.found_on.isoformat()
        registered["exposures"] = {
            str(i): e.model_dump(mode="json", exclude_defaults=True) for i, e in enumerate(data.exposures)
        }
        await self.edit_history.record(
            contact_id=contact.id,
            record_type="contact",
            record_id=contact.id,
            version=contact.version,
            changes=diff({}, registered),  # exposures.0.setting …: every registered value, from nothing
            reason="登録",
        )
        event = ContactRegistered(contact=snapshot(read))
        await outbox.add(
            self.session, Envelope.of(event, aggregate_id=contact.id, version=1, actor=self.principal.user_id)
        )
        await self.audit(Operation.CREATE, contact.id)
        return contact

    async def view(self, contact_id: uuid.UUID) -> ContactRead:
        """Opens one contact with the plan and the suggested priority (audited as a read)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        contact = await self.contacts.get(contact_id)
        await self.audit(Operation.READ, contact.id)
        member_of = await GroupRepository(self.session).of_member(contact.id)
        groups = [GroupOfContact(id=group.id, name=group.name) for group in member_of]
        return (await self.read_model(contact)).model_copy(update={"groups": groups})

    async def page(self, criteria: ContactFilter, *, limit: int, offset: int) -> tuple[list[ContactRead], int]:
        """A page of the screening list (of one index patient when given), audited as a read of that list."""
        self.principal.require(Area.CONTACTS, Access.READ)
        contacts, total = await self.contacts.page(criteria, today=today(), limit=limit, offset=offset)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="contact_list",
            person_id=criteria.index_patient_id,
            query=criteria.described() or None,
            detail=f"{len(contacts)}件",
        )
        return await self.read_models(contacts), total

    async def counts(self, index_patient_id: uuid.UUID) -> ContactCounts:
        """How many contacts an index patient has and how many are overdue: counts only, no personal data read."""
        self.principal.require(Area.CONTACTS, Access.READ)
        total, active, overdue = await self.contacts.counts(index_patient_id, today=today())
        return ContactCounts(total=total, active=active, overdue=overdue)

    async def export(self, criteria: ContactFilter) -> CsvExport:
        """The screening list as CSV (every selected contact, refused above the limit); audited as an export."""
        self.principal.require(Area.CONTACTS, Access.READ)
        self.principal.require(Area.STATS, Access.READ)  # a bulk copy of personal data is an output (統計・出力)
        day = today()
        found = within_limit(
            await self.contacts.all(criteria, today=day, limit=MAX_EXPORT_ROWS + 1), MAX_EXPORT_ROWS, NARROW_BY
        )
        reads = await self.read_models(found)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.EXPORT,
            record_type="contact_list",
            person_id=criteria.index_patient_id,
            query=criteria.described() or None,
            detail=f"CSV {len(reads)}件",
        )
        rows = [export_row(r, day) for r in reads]
        return CsvExport(
            f"接触者健診一覧_{day:%Y%m%d}.csv", list(EXPORT_HEADER), rows, await substitutes(self.session, day)
        )

    async def duplicates(self, query: DuplicateQuery) -> list[DuplicateRead]:
        """Existing contacts who may be the person being registered: born the same day with the same name or カナ
        (folded as search folds them), or with the same phone number. Audited as a read when any is answered."""
        self.principal.require(Area.CONTACTS, Access.READ)
        phone = digits_only(query.phone)
        candidates = await self.contacts.like(birth_date=query.birth_date, phone_digits=phone, limit=200)
        found = [(c, why) for c in candidates if (why := duplicate_reasons(c, query, phone))][:DUPLICATES]
        if not found:
            return []
        names = await IndexCaseRepository(self.session).names(
            {link.index_patient_id for c, _ in found for link in c.links}
        )
        for contact, _ in found:
            await self.audit(Operation.READ, contact.id, record_type="contact_duplicate")
        return [
            DuplicateRead(
                **{name: getattr(contact, name) for name in DUPLICATE_FIELDS},
                index_patients=[
                    IndexPatientName(id=link.index_patient_id, name=names.get(link.index_patient_id, ""))
                    for link in contact.links
                ],
                why=why,
            )
            for contact, why in found
        ]

    async def patient_duplicates(self, query: DuplicateQuery) -> list[PatientDuplicateRead]:
        """Registered patients who may be the person being registered as a contact: born the same day with the same
        name or カナ (folded as search folds them). Audited as a read of each one answered."""
        self.principal.require(Area.CONTACTS, Access.READ)
        if not query.birth_date or not (query.name or query.name_kana):
            return []
        candidates = await IndexCaseRepository(self.session).born_on(query.birth_date, limit=200)
        found = [(p, why) for p in candidates if (why := patient_reasons(p, query))][:DUPLICATES]
        for patient, _ in found:
            await audit.record(
                self.session,
                self.principal,
                SERVICE,
                Operation.READ,
                record_type="patient_duplicate",
                record_id=patient.patient_id,
                person_id=patient.patient_id,
            )
        return [
            PatientDuplicateRead(
                id=p.patient_id,
                registration_no=p.registration_no,
                name=p.name,
                name_kana=p.name_kana,
                birth_date=p.birth_date,
                status=p.status,
                why=why,
            )
            for p, why in found
        ]

    async def correct(self, contact_id: uuid.UUID, data: ContactChange) -> Contact:
        """Saves a correction (修正) if nobody saved since the user's version; keeps the old values in the history."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.get_version(contact_id, data.version)
        values = given(data.changes.model_dump(exclude_unset=True))
        _check_correction(contact, values)
        if values.get("outcome") and "outcome_on" not in values and not contact.outcome_on:
            values["outcome_on"] = today()
        await self._save(contact, contact, values, record_type="contact", reason=data.reason)
        return contact

    async def add_exposure(self, contact_id: uuid.UUID, data: ExposureAdd) -> Contact:
        """Links the contact to another index patient with that exposure."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.get_version(contact_id, data.version)
        if any(link.index_patient_id == data.exposure.index_patient_id for link in contact.links):
            raise ContactAlreadyLinked()
        await self._check_index_patients([data.exposure], field="exposure")
        await self.check_codes(contact.found_on, {"exposure.setting": data.exposure.setting})
        link = _link(data.exposure, len(contact.links))
        contact.links.append(link)
        await self.session.flush()
        added = {"exposure": data.exposure.model_dump(mode="json")}
        await self.touch(contact, diff({}, added), record_type="exposure", record_id=link.id, reason="")
        return contact

    async def correct_exposure(self, contact_id: uuid.UUID, link_id: uuid.UUID, data: ExposureChange) -> Contact:
        """Corrects one exposure (dates, setting …); the plan follows the new dates."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.get_version(contact_id, data.version)
        link = next((link for link in contact.links if link.id == link_id), None)
        if link is None:
            raise ExposureNotFound()
        values = given(data.changes.model_dump(exclude_unset=True))
        first = values.get("first_contact_on", link.first_contact_on)
        last = values.get("last_contact_on", link.last_contact_on)
        if first and last and first > last:
            raise InvalidInput(errors={"changes": "初回接触日が最終接触日より後になっています。"})
        if values.get("setting") and values["setting"] != link.setting:  # an ended one kept as it was stays
            await self.check_codes(contact.found_on, {"changes.setting": values["setting"]})
        await self._save(contact, link, values, record_type="exposure", reason=data.reason)
        return contact

    async def end(self, contact_id: uuid.UUID, data: ContactEnd) -> Contact:
        """Ends the contact's follow-up (終了) or excludes the contact (対象外); the record stays."""
        self.principal.require(Area.CONTACTS, Access.UPDATE)
        contact = await self.contacts.get_version(contact_id, data.version)
        if contact.status == "ended":
            raise ContactAlreadyEnded()
        if data.ended_on < contact.found_on:
            raise InvalidInput(errors={"ended_on": "終了日が接触者の登録日より前になっています。"})
        await self.check_codes(data.ended_on, {"reason": data.reason}, "contact_end_reason")
        values = {"status": "ended", "ended_on": data.ended_on, "end_reason": data.reason}
        await self._save(contact, contact, values, record_type="contact", reason=data.note)
        return contact

    async def handed_over(self, contact_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        """The contact was registered as this patient (引継ぎ from the contact page, told by PatientRegistered): the
        link is kept with its history row and ContactUpdated. Unknown contacts, and a contact already linked (to this
        or another patient: the first link stands), are left as they are; True when the link was made."""
        contact = await self.contacts.find(contact_id)
        if contact is None or contact.patient_id is not None:
            return False
        await self._save(contact, contact, {"patient_id": patient_id}, record_type="contact", reason=HANDED_OVER)
        return True

    async def history(self, contact_id: uuid.UUID) -> list[ContactVersion]:
        """The contact's edit history, newest first (audited as a read)."""
        self.principal.require(Area.CONTACTS, Access.READ)
        contact = await self.contacts.get(contact_id)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="contact_history",
            record_id=contact.id,
            person_id=contact.id,
        )
        return await self.edit_history.timeline(contact.id)

    async def read_model(self, contact: Contact) -> ContactRead:
        """The ContactRead of a contact just read or saved, with the rules applied today."""
        return (await self.read_models([contact]))[0]

    async def read_models(self, contacts: list[Contact]) -> list[ContactRead]:
        """ContactReads of several contacts, with their examinations, index patients and institutions."""
        exams = await self.exams.of_contacts([c.id for c in contacts])
        recommendations = await RecommendationRepository(self.session).of_contacts([c.id for c in contacts])
        index_ids = {link.index_patient_id for c in contacts for link in c.links}
        index_ids |= {c.patient_id for c in contacts if c.patient_id}
        codes = {e.institution_code for found in exams.values() for e in found if e.institution_code}
        index_names = await IndexCaseRepository(self.session).names(index_ids)
        institutions = await InstitutionRepository(self.session).names(codes)
        rules, day, book = get_settings().screening_rules(), today(), await self.code_book()
        return [
            contact_read(
                c, exams.get(c.id, []), index_names, institutions, rules, day, recommendations.get(c.id, []), book
            )
            for c in contacts
        ]

    async def code_book(self) -> CodeBook:
        """The コード表 lists contacts uses, as masters last sent them (read once per request)."""
        if self._book is None:
            self._book = await code_book(self.session)
        return self._book

    async def check_codes(self, on: date, fields: dict[str, str], name: str = "contact_setting") -> None:
        """Refuses, beside each field, a code of the list that is unknown or not in force on the record's day."""
        book = await self.code_book()
        errors = {field: problem for field, value in fields.items() if (problem := book.problem(name, value, on))}
        if errors:
            raise InvalidInput(errors=errors)

    async def touch(
        self, contact: Contact, changes: Changes, *, record_type: str, record_id: uuid.UUID, reason: str
    ) -> None:
        """A part of the contact changed: a new contact version, its history row, ContactUpdated and the audit."""
        contact.updated_by = self.principal.user_id
        flag_modified(contact, "updated_by")
        await flush_versioned(self.session)
        await self.edit_history.record(
            contact_id=contact.id,
            record_type=record_type,
            record_id=record_id,
            version=contact.version,
            changes=changes,
            reason=reason,
        )
        read = await self.read_model(contact)
        await self.derive(contact, read)
        event = ContactUpdated(
            contact=snapshot(read),
            changed_fields=sorted({f"{record_type}.{name.split('.')[0]}" for name in changes}),
        )
        await outbox.add(
            self.session,
            Envelope.of(event, aggregate_id=contact.id, version=contact.version, actor=self.principal.user_id),
        )
        await self.audit(Operation.UPDATE, contact.id)

    async def derive(self, contact: Contact, read: ContactRead) -> None:
        """Keeps the rules' answers on the row (next due day, priority, a result) without a new version."""
        values = values_of(contact, read)
        await self.contacts.keep_derived(contact.id, values)
        for name, value in values.items():
            set_committed_value(contact, name, value)

    async def audit(self, operation: Operation, contact_id: uuid.UUID, record_type: str = "contact") -> None:
        """Records an operation on a contact's personal data."""
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type=record_type,
            record_id=contact_id,
            person_id=contact_id,
        )

    async def _save(
        self, contact: Contact, record: Any, values: dict[str, Any], *, record_type: str, reason: str
    ) -> None:
        before = {name: to_jsonable_python(getattr(record, name)) for name in values}
        changes = diff(before, to_jsonable_python(values))
        if not changes:
            return
        for name in {change.split(".")[0] for change in changes}:
            setattr(record, name, values[name])
        await self.touch(contact, changes, record_type=record_type, record_id=record.id, reason=reason)

    async def require_index_patient(self, patient_id: uuid.UUID) -> None:
        """Refuses a record of an index patient this service does not know (yet), beside `index_patient_id`."""
        if await IndexCaseRepository(self.session).find(patient_id) is None:
            raise InvalidInput(errors={"index_patient_id": "発端患者が見つかりません。"})

    async def _check_index_patients(self, exposures: list[ExposureCreate], *, field: str = "exposures") -> None:
        errors: dict[str, str] = {}
        seen: set[uuid.UUID] = set()
        known = set(await IndexCaseRepository(self.session).names({e.index_patient_id for e in exposures}))
        for i, exposure in enumerate(exposures):
            where = f"{field}.{i}.index_patient_id" if field == "exposures" else f"{field}.index_patient_id"
            if exposure.index_patient_id not in known:
                errors[where] = "発端患者が見つかりません。患者登録の直後は数秒お待ちください。"
            elif exposure.index_patient_id in seen:
                errors[where] = "同じ発端患者が二度指定されています。"
            seen.add(exposure.index_patient_id)
        if errors:
            raise InvalidInput(errors=errors)


def duplicate_reasons(contact: Contact, query: DuplicateQuery, phone: str) -> list[str]:
    """Why a candidate may be the same person (empty when it is not)."""
    why = []
    if query.birth_date and contact.birth_date == query.birth_date:
        if query.name and search_key(query.name) == search_key(contact.name):
            why.append("生年月日と氏名が同じ")
        elif query.name_kana and contact.name_kana and search_key(query.name_kana) == search_key(contact.name_kana):
            why.append("生年月日とカナが同じ")
    if phone and contact.phone_digits == phone:
        why.append("電話番号が同じ")
    return why


def patient_reasons(patient: IndexCase, query: DuplicateQuery) -> list[str]:
    """Why a registered patient may be the contact being registered (empty when not)."""
    if not query.birth_date or patient.birth_date != query.birth_date:
        return []
    if query.name and search_key(query.name) == search_key(patient.name):
        return ["生年月日と氏名が同じ"]
    if query.name_kana and patient.name_kana and search_key(query.name_kana) == search_key(patient.name_kana):
        return ["生年月日とカナが同じ"]
    return []


def _link(exposure: ExposureCreate, order: int) -> ContactLink:
    return ContactLink(**exposure.model_dump(), created_order=order)


def _check_correction(contact: Contact, values: dict[str, Any]) -> None:
    """Rules across fields of a correction: an override needs its reason; elsewhere needs the municipality."""
    errors = {}
    override = values.get("priority_override", contact.priority_override)
    if override and not values.get("priority_reason", contact.priority_reason):
        errors["priority_reason"] = "優先度を提案と変える理由を入力してください。"
    if values.get("residence", contact.residence) == "elsewhere" and not values.get(
        "municipality", contact.municipality
    ):
        errors["municipality"] = "他自治体に住む接触者は市区町村名を入力してください。"
    if errors:
        raise InvalidInput(errors=errors)
